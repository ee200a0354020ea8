"""Evaluation of the fit classifier: cross-validated scores and the report `evaluate` prints.
"""
from __future__ import annotations
from analysis.model.pipeline import DEFAULT_PARAMS
from analysis.model.hashing import LABELS
from analysis.model.hashing import _ngram_hasher_class
from analysis.model.training import load_corpus
from analysis.model.pipeline import make_features
from analysis.model.pipeline import make_question_classifier
from analysis.model.training import training_frame

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


# -- evaluation --------------------------------------------------------------------------------

def _macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, labels=list(LABELS), average="macro",
                          zero_division=0))


def _splits(frame: "pd.DataFrame", scheme: str, repeats: int, random_state: int):
    """(name, list of (train, test) index pairs) per repetition of ``scheme``."""
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    y = frame["label"].to_numpy()
    if scheme == "random":
        for r in range(repeats):
            cv = StratifiedKFold(5, shuffle=True, random_state=random_state + r)
            yield list(cv.split(frame, y))
    else:
        yield list(LeaveOneGroupOut().split(frame, y, frame["group"].to_numpy()))


def _oof(frame: "pd.DataFrame", splits, make, proba: bool):
    """Out-of-fold predictions (and probabilities) of pipelines made by ``make()``."""
    texts = frame["text"].to_numpy(dtype=object)
    y = frame["label"].to_numpy()
    pred = np.empty(len(frame), dtype=object)
    prob = np.zeros((len(frame), len(LABELS)))
    for train, test in splits:
        pipe = make().fit(list(texts[train]), y[train])
        if proba:
            p = pipe.predict_proba(list(texts[test]))
            order = [list(pipe.classes_).index(c) for c in LABELS]
            prob[test] = p[:, order]
            pred[test] = np.array(LABELS, dtype=object)[prob[test].argmax(axis=1)]
        else:
            pred[test] = pipe.predict(list(texts[test]))
    return pred, prob


def cv_scores(frame: "pd.DataFrame", *, random_state: int = 0, repeats: int = 1,
              **params: Any) -> dict:
    """Macro-F1 overall and per language for stratified 5-fold (``repeats`` times) and
    leave-one-sector-out cross-validation of `make_question_classifier(**params)`."""
    out: dict[str, Any] = {}
    for scheme in ("random", "sector"):
        scores = {"all": [], **{lang: [] for lang in sorted(set(frame["lang"]))}}
        for splits in _splits(frame, scheme, repeats, random_state):
            pred, _ = _oof(frame, splits, lambda: make_question_classifier(
                random_state=random_state, **params), proba=False)
            scores["all"].append(_macro_f1(frame["label"], pred))
            for lang in scores:
                if lang != "all":
                    mask = (frame["lang"] == lang).to_numpy()
                    scores[lang].append(_macro_f1(frame["label"][mask], pred[mask]))
        out[scheme] = {k: round(float(np.mean(v)), 4) for k, v in scores.items()}
    return out


def _details(frame: "pd.DataFrame", pred: np.ndarray, prob: np.ndarray | None) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = frame["label"].to_numpy()
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=list(LABELS), zero_division=0)
    out: dict[str, Any] = {
        "macro_f1": _macro_f1(y, pred),
        "per_label": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(s[i])} for i, lab in enumerate(LABELS)},
        "confusion": confusion_matrix(y, pred, labels=list(LABELS)).tolist(),
        "per_language": {},
    }
    for lang in sorted(set(frame["lang"])):
        mask = (frame["lang"] == lang).to_numpy()
        out["per_language"][lang] = {"macro_f1": _macro_f1(y[mask], pred[mask]),
                                     "n": int(mask.sum())}
    if prob is not None:
        onehot = (y[:, None] == np.array(LABELS)[None, :]).astype(float)
        conf = prob.max(axis=1)
        correct = pred == y
        bins = np.minimum((conf * 10).astype(int), 9)
        table = []
        ece = 0.0
        for b in range(10):
            m = bins == b
            if m.any():
                table.append({"bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}", "n": int(m.sum()),
                              "confidence": float(conf[m].mean()),
                              "accuracy": float(correct[m].mean())})
                ece += m.mean() * abs(conf[m].mean() - correct[m].mean())
        out["calibration"] = {"brier": float(((prob - onehot) ** 2).sum(axis=1).mean()),
                              "ece": float(ece), "reliability": table}
    return out


def compare_candidates(frame: "pd.DataFrame | None" = None, *, repeats: int = 2,
                       random_state: int = 0) -> list[dict]:
    """Macro-F1 of the candidate pipelines (random CV and leave-one-sector-out), best first.

    The candidates differ in features (hashed n-grams with several ranges, as two separately
    normalised blocks or one; scikit-learn's own word + ``char_wb`` TF-IDF for reference) and
    classifier (LinearSVC, LogisticRegression,
    SGDClassifier, ComplementNB), each with a small grid over its key parameter. They are
    compared uncalibrated: calibration does not change which features and classifier win.
    """
    from sklearn.feature_extraction.text import TfidfTransformer, TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    frame = load_corpus() if frame is None else frame
    hasher = _ngram_hasher_class()

    def blocks(clf, char=(2, 5), word=(1, 2)):
        # the chosen layout: words and characters as separately normalised TF-IDF blocks
        return lambda: make_pipeline(make_features(char_range=char, word_range=word,
                                                   random_state=random_state), clf)

    def one_block(clf, char=(2, 5), word=(1, 2)):
        return lambda: make_pipeline(hasher(char_range=char, word_range=word),
                                     TfidfTransformer(sublinear_tf=True), clf)

    def sk_tfidf(clf):
        return lambda: make_pipeline(FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                     sublinear_tf=True))]), clf)

    svc = lambda c: LinearSVC(C=c, class_weight="balanced", random_state=random_state)  # noqa
    candidates = {
        **{f"blocks w1-2 + c2-5, LinearSVC C={c}": blocks(svc(c)) for c in (0.25, 0.5, 1.0)},
        **{f"blocks w1-2 + c2-5, LogisticRegression C={c}": blocks(
            LogisticRegression(C=c, max_iter=3000, class_weight="balanced")) for c in (10, 30)},
        "blocks w1-2 + c2-5, SGD(modified_huber) alpha=1e-4": blocks(SGDClassifier(
            loss="modified_huber", alpha=1e-4, random_state=random_state)),
        "blocks w1-2 + c2-5, ComplementNB alpha=0.3": blocks(ComplementNB(alpha=0.3)),
        "blocks w1-2 + c3-5, LinearSVC C=0.5": blocks(svc(0.5), char=(3, 5)),
        "blocks w1-2 + c2-4, LinearSVC C=0.5": blocks(svc(0.5), char=(2, 4)),
        "blocks w1-3 + c2-5, LinearSVC C=0.5": blocks(svc(0.5), word=(1, 3)),
        "one block w1-2 + c2-5, LinearSVC C=0.5": one_block(svc(0.5)),
        "words only w1-2, LinearSVC C=0.5": one_block(svc(0.5), char=(0, 0)),
        "sklearn TF-IDF word1-2 + char_wb2-5, LinearSVC C=0.5": sk_tfidf(svc(0.5)),
    }
    rows = []
    for name, make in candidates.items():
        row: dict[str, Any] = {"candidate": name}
        for scheme in ("random", "sector"):
            scores = []
            for splits in _splits(frame, scheme, repeats, random_state):
                pred, _ = _oof(frame, splits, make, proba=False)
                scores.append(_macro_f1(frame["label"], pred))
            row[scheme] = float(np.mean(scores))
        rows.append(row)
    return sorted(rows, key=lambda r: -(r["random"] + r["sector"]))


def evaluate_model(corpus: "pd.DataFrame | None" = None, corrections=None, *, repeats: int = 3,
                   random_state: int = 0, compare: bool = False, **params: Any) -> dict:
    """Cross-validated report of the fit classifier on the corpus (plus corrections).

    Repeated stratified 5-fold CV (``repeats`` times) and leave-one-sector-out CV; for each:
    macro-F1 overall and per language, per-label precision/recall/F1, the confusion matrix and
    calibration (Brier score, expected calibration error, reliability table). With ``compare``
    also the candidate comparison (`compare_candidates`).
    """
    import time

    frame = training_frame(corpus, corrections)
    started = time.perf_counter()
    report: dict[str, Any] = {"n_samples": int(len(frame)),
                              "n_per_language": frame["lang"].value_counts().to_dict(),
                              "params": {k: repr(v) for k, v in {**DEFAULT_PARAMS,
                                                                  **params}.items()},
                              "target": 0.85}
    make = lambda: make_question_classifier(random_state=random_state, **params)  # noqa: E731
    runs = []
    for splits in _splits(frame, "random", repeats, random_state):
        pred, prob = _oof(frame, splits, make, proba=True)
        runs.append((pred, prob))
    random_scores = [_macro_f1(frame["label"], p) for p, _ in runs]
    details = _details(frame, runs[0][0], runs[0][1])
    details["macro_f1_runs"] = random_scores
    details["macro_f1"] = float(np.mean(random_scores))
    for lang in details["per_language"]:
        mask = (frame["lang"] == lang).to_numpy()
        details["per_language"][lang]["macro_f1"] = float(np.mean(
            [_macro_f1(frame["label"][mask], p[mask]) for p, _ in runs]))
    report["random"] = details
    (splits,) = list(_splits(frame, "sector", 1, random_state))
    pred, prob = _oof(frame, splits, make, proba=True)
    report["sector"] = _details(frame, pred, prob)
    report["sector"]["per_sector"] = {
        g: _macro_f1(frame["label"][m], pred[m])
        for g in sorted(set(frame["group"])) for m in [(frame["group"] == g).to_numpy()]}
    if compare:
        report["comparison"] = compare_candidates(frame, random_state=random_state)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def format_report(report: dict) -> str:
    """The evaluation report as plain text (what ``python -m analysis evaluate`` prints)."""
    target = report.get("target", 0.85)
    lines = [f"Fit classifier: cross-validated evaluation on {report['n_samples']} questions "
             f"({', '.join(f'{k}: {v}' for k, v in sorted(report['n_per_language'].items()))})",
             f"Model: {', '.join(f'{k}={v}' for k, v in report['params'].items())}", ""]
    titles = {"random": "Repeated stratified 5-fold CV",
              "sector": "Leave-one-sector-out CV (a whole sector held out per fold)"}
    for scheme in ("random", "sector"):
        d = report[scheme]
        ok = lambda v: "ok" if v >= target else f"BELOW {target}"  # noqa: E731
        lines.append(f"== {titles[scheme]} ==")
        runs = d.get("macro_f1_runs")
        spread = f" (runs: {', '.join(f'{x:.3f}' for x in runs)})" if runs else ""
        lines.append(f"macro-F1 overall: {d['macro_f1']:.3f} [{ok(d['macro_f1'])}]{spread}")
        for lang, v in d["per_language"].items():
            lines.append(f"macro-F1 {lang}: {v['macro_f1']:.3f} [{ok(v['macro_f1'])}] "
                         f"(n={v['n']})")
        lines.append(f"{'label':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}")
        for lab, v in d["per_label"].items():
            lines.append(f"{lab:<14}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}"
                         f"{v['support']:>6}")
        lines.append("confusion (rows: true, columns: predicted)")
        lines.append(" " * 14 + "".join(f"{lab[:5]:>7}" for lab in LABELS))
        for lab, row in zip(LABELS, d["confusion"]):
            lines.append(f"{lab:<14}" + "".join(f"{x:>7}" for x in row))
        cal = d.get("calibration")
        if cal:
            lines.append(f"calibration: Brier {cal['brier']:.3f}, "
                         f"expected calibration error {cal['ece']:.3f}")
            lines.append("  confidence bin   n  mean confidence  accuracy")
            for b in cal["reliability"]:
                lines.append(f"  {b['bin']:<12}{b['n']:>6}{b['confidence']:>16.3f}"
                             f"{b['accuracy']:>10.3f}")
        if "per_sector" in d:
            lines.append("macro-F1 per held-out sector: " + ", ".join(
                f"{g} {v:.3f}" for g, v in d["per_sector"].items()))
        lines.append("")
    if "comparison" in report:
        lines.append("== Candidates (uncalibrated macro-F1) ==")
        lines.append(f"{'candidate':<62}{'random CV':>10}{'by sector':>10}")
        for row in report["comparison"]:
            lines.append(f"{row['candidate']:<62}{row['random']:>10.3f}{row['sector']:>10.3f}")
        lines.append("")
    lines.append(f"({report.get('seconds', 0)} s)")
    return "\n".join(lines)

