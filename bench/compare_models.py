"""Model comparison for the fit classifier: candidate pipelines scored by grouped (by author)
cross-validation on the training corpus. The unseen-authors set is deliberately NOT used here:
model choices are made on the training corpus only.

Run: ``python bench/compare_models.py`` (about a minute per candidate on two cores).
"""
from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def candidates():
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from analysis.model.features import make_features
    from analysis.model.pipeline import make_question_classifier

    yield "LinearSVC C=0.5 (default, topic lexicon)", lambda: make_question_classifier()
    yield "LinearSVC C=0.5 without lexicon", lambda: make_question_classifier(features=make_features(topics=False))
    yield "LinearSVC C=0.2", lambda: make_question_classifier(clf__C=0.2)
    yield "LinearSVC C=1.0", lambda: make_question_classifier(clf__C=1.0)
    yield "LinearSVC chars 2-5", lambda: make_question_classifier(
        features__chars__ngrams__char_range=(2, 5))
    yield "LinearSVC words 1-3", lambda: make_question_classifier(
        features__words__ngrams__word_range=(1, 3))
    yield "LinearSVC unbalanced", lambda: make_question_classifier(clf__class_weight=None)
    yield "LogisticRegression C=10", lambda: Pipeline([
        ("features", make_features()),
        ("clf", LogisticRegression(C=10, max_iter=3000, class_weight="balanced"))])
    del LinearSVC


def main() -> int:
    from sklearn.model_selection import GroupKFold, cross_val_predict

    from analysis.model.evaluation import macro_f1_score
    from analysis.model.training import load_corpus

    corpus = load_corpus()
    texts, y, groups = list(corpus["text"]), corpus["label"].to_numpy(), corpus["author"]
    print(f"{'candidate':<28} {'all':>6} {'en':>6} {'nb':>6}   seconds  (GroupKFold(5) by author)")
    for name, make in candidates():
        began = time.perf_counter()
        pred = cross_val_predict(make(), texts, y, groups=groups, cv=GroupKFold(5))
        scores = [macro_f1_score(y, pred)] + [
            macro_f1_score(y[m], pred[m]) for m in ((corpus["lang"] == lang).to_numpy()
                                                    for lang in ("en", "nb"))]
        print(f"{name:<28} " + " ".join(f"{v:6.3f}" for v in scores)
              + f"   {time.perf_counter() - began:6.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
