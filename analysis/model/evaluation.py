"""How good the fit labels are on questions nobody on the team wrote, and how honest the
confidence is: the report `python -m analysis evaluate` prints.

- **unseen authors**: the frozen test set (``sample_data/unseen_authors.csv``, six authors whose
  questions were never used for training, feature choices or model selection): macro-F1 per
  language and per fit, the confusion matrix, and the expected calibration error;
- **leave one author out**: grouped cross-validation over the training corpus's authors, the
  figure model selection uses;
- **learning curve**: for each unseen author, a person corrects the k least-confident of their
  questions, the model is retrained with those corrections, and macro-F1 is measured on the rest
  of that author's questions (k = 10 and 25);
- **corpus**: rows, authors, Norwegian share and the two labellers' Cohen's kappa per language.
"""
from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from analysis import config
from analysis.workbook.schema import FITS

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

#: Numbers of corrected questions per author in the learning curve.
CURVE_K = (10, 25)
#: Below this probability a model label is shown as uncertain (see README, "Confidence").
UNCERTAIN_BELOW = 0.6


def macro_f1_score(y_true, y_pred) -> float:
    """Macro-averaged F1 over the five fits (a fit missing from both counts as 0)."""
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, labels=list(FITS), average="macro", zero_division=0))


def load_unseen(path: Path | str | None = None) -> "pd.DataFrame":
    """The frozen unseen-authors test set (``text, label, lang, author``)."""
    from analysis.model.training import load_corpus

    return load_corpus(path or config.UNSEEN_AUTHORS)


def _per_language(frame: "pd.DataFrame", pred: np.ndarray) -> dict[str, dict[str, Any]]:
    out = {}
    for lang in ("en", "nb"):
        mask = (frame["lang"] == lang).to_numpy()
        if mask.any():
            out[lang] = {"macro_f1": round(macro_f1_score(frame["label"][mask], pred[mask]), 3),
                         "n": int(mask.sum())}
    return out


def _details(frame: "pd.DataFrame", pred: np.ndarray) -> dict[str, Any]:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    p, r, f, n = precision_recall_fscore_support(frame["label"], pred, labels=list(FITS),
                                                 zero_division=0)
    return {
        "per_label": {fit: {"precision": round(float(p[i]), 3), "recall": round(float(r[i]), 3),
                            "f1": round(float(f[i]), 3), "n": int(n[i])}
                      for i, fit in enumerate(FITS)},
        "confusion": confusion_matrix(frame["label"], pred, labels=list(FITS)).tolist(),
    }


def unseen_author_scores(model, unseen: "pd.DataFrame") -> dict[str, Any]:
    """Macro-F1 per language, per-fit scores, confusion matrix and calibration on ``unseen``."""
    from analysis.model.calibration import expected_calibration_error

    proba = model.predict_proba(list(unseen["text"]))
    pred = np.array(FITS, dtype=object)[proba.argmax(axis=1)]
    y = np.array([FITS.index(v) for v in unseen["label"]])
    conf = proba.max(axis=1)
    right = pred == unseen["label"].to_numpy()
    uncertain = conf < UNCERTAIN_BELOW
    return {
        **_per_language(unseen, pred),
        "macro_f1": round(macro_f1_score(unseen["label"], pred), 3),
        "accuracy": round(float(right.mean()), 3),
        "ece": round(expected_calibration_error(y, proba), 3),
        "ece_per_language": {lang: round(expected_calibration_error(
            y[m], proba[m]), 3) for lang in ("en", "nb")
            if (m := (unseen["lang"] == lang).to_numpy()).any()},
        "mean_confidence": round(float(conf.mean()), 3),
        "uncertain_share": round(float(uncertain.mean()), 3),
        "accuracy_when_certain": round(float(right[~uncertain].mean()), 3)
        if (~uncertain).any() else None,
        "accuracy_when_uncertain": round(float(right[uncertain].mean()), 3)
        if uncertain.any() else None,
        **_details(unseen, pred),
    }


def leave_one_author_out(frame: "pd.DataFrame", *, random_state: int = 0) -> dict[str, Any]:
    """Macro-F1 per language when each author's questions are labelled by a model trained on
    all the other authors (`sklearn.model_selection.LeaveOneGroupOut`)."""
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    from analysis.model.pipeline import make_question_classifier

    pred = cross_val_predict(make_question_classifier(random_state=random_state),
                             list(frame["text"]), frame["label"].to_numpy(),
                             groups=frame["author"].to_numpy(), cv=LeaveOneGroupOut(),
                             params={"clf__sample_weight": frame["weight"].to_numpy()})
    per_author = {a: round(macro_f1_score(frame["label"][m], pred[m]), 3)
                  for a in sorted(set(frame["author"]))
                  if (m := (frame["author"] == a).to_numpy()).any()}
    return {**_per_language(frame, pred),
            "macro_f1": round(macro_f1_score(frame["label"], pred), 3),
            "per_author": per_author}


def learning_curve(corpus: "pd.DataFrame", unseen: "pd.DataFrame", base_model,
                   ks: tuple[int, ...] = CURVE_K, *, random_state: int = 0) -> dict[str, Any]:
    """Macro-F1 on the rest of each unseen author's questions before and after a person
    corrects the k least-confident of them (corrections weigh `CORRECTION_WEIGHT`).

    Returns, per k, the mean over authors of the macro-F1 before, after and the gain.
    """
    import pandas as pd

    from analysis.model.training import train_model

    out: dict[str, Any] = {}
    base_proba = base_model.predict_proba(list(unseen["text"]))
    for k in ks:
        before, after = [], []
        for author in sorted(set(unseen["author"])):
            idx = np.flatnonzero((unseen["author"] == author).to_numpy())
            if len(idx) <= k:
                continue
            conf = base_proba[idx].max(axis=1)
            asked = idx[np.argsort(conf, kind="stable")[:k]]
            rest = np.setdiff1d(idx, asked)
            rows = unseen.iloc[asked]
            fixes = pd.DataFrame({"text": rows["text"], "fit": rows["label"]})
            model = train_model(corpus, fixes, calibrate=False, random_state=random_state)
            truth = unseen["label"].to_numpy()[rest]
            texts = list(unseen["text"].to_numpy()[rest])
            before.append(macro_f1_score(truth, np.array(FITS)[base_proba[rest].argmax(1)]))
            after.append(macro_f1_score(truth, model.label(texts)[0]))
        out[str(k)] = {"before": round(float(np.mean(before)), 3),
                       "after": round(float(np.mean(after)), 3),
                       "gain": round(float(np.mean(after) - np.mean(before)), 3),
                       "authors": len(before)}
    return out


def corpus_summary(corpus: "pd.DataFrame | None" = None,
                   path: Path | str | None = None) -> dict[str, Any]:
    """Rows, authors, Norwegian share, and Cohen's kappa of the author's label against the
    blind second labeller's, per language (``label_author``/``label_second`` columns)."""
    import pandas as pd
    from sklearn.metrics import cohen_kappa_score

    full = pd.read_csv(path or config.CORPUS, dtype=str, keep_default_na=False)
    kappa = {}
    if {"label_author", "label_second"} <= set(full.columns):
        for lang in ("en", "nb"):
            both = full[(full["label_second"] != "") & (full["lang"] == lang)]
            if len(both):
                kappa[lang] = round(float(cohen_kappa_score(both["label_author"],
                                                            both["label_second"])), 3)
        kappa["rows"] = int((full["label_second"] != "").sum())
    return {"rows": int(len(full)), "authors": int(full["author"].nunique())
            if "author" in full else 1,
            "nb_share": round(float((full["lang"] == "nb").mean()), 3), "kappa": kappa,
            "per_label": {fit: round(float((full["label"] == fit).mean()), 3) for fit in FITS}}


def evaluate_model(corpus: "pd.DataFrame | None" = None, unseen: "pd.DataFrame | None" = None, *,
                   curve: bool = True, random_state: int = 0) -> dict[str, Any]:
    """The whole report (see the module docstring) as one dict, JSON-ready."""
    from analysis.model.training import load_corpus, train_model, training_frame

    began = time.perf_counter()
    corpus = load_corpus() if corpus is None else corpus
    unseen = load_unseen() if unseen is None else unseen
    model = train_model(corpus, random_state=random_state)
    report: dict[str, Any] = {
        "unseen_authors": unseen_author_scores(model, unseen),
        "leave_one_author_out": leave_one_author_out(training_frame(corpus),
                                                     random_state=random_state),
        "corpus": corpus_summary(),
        "unseen_set": {"rows": int(len(unseen)), "authors": int(unseen["author"].nunique()),
                       "nb_share": round(float((unseen["lang"] == "nb").mean()), 3)},
        "calibration": model.metadata["calibration"],
        "uncertain_below": UNCERTAIN_BELOW,
    }
    if curve:
        report["learning_curve"] = learning_curve(corpus, unseen, model,
                                                  random_state=random_state)
    report["seconds"] = round(time.perf_counter() - began, 1)
    return report


def format_report(report: dict[str, Any]) -> str:
    """The report as the text `evaluate` prints."""
    u, loao, c = report["unseen_authors"], report["leave_one_author_out"], report["corpus"]
    lines = [
        f"Corpus: {c['rows']} questions by {c['authors']} authors, {c['nb_share']:.0%} Norwegian; "
        f"Cohen's kappa (author vs blind second labeller, {c['kappa'].get('rows', 0)} rows): "
        + ", ".join(f"{k} {v:.3f}" for k, v in c["kappa"].items() if k != "rows"),
        f"Unseen-authors test set: {report['unseen_set']['rows']} questions by "
        f"{report['unseen_set']['authors']} authors (never trained on)",
        "",
        "Macro-F1             en      nb   (target >= 0.85)",
        f"  unseen authors   {u['en']['macro_f1']:.3f}   {u['nb']['macro_f1']:.3f}",
        f"  leave-one-author {loao['en']['macro_f1']:.3f}   {loao['nb']['macro_f1']:.3f}",
        "",
        f"Calibration on unseen authors: ECE {u['ece']:.3f} (target <= 0.08), "
        f"mean confidence {u['mean_confidence']:.2f}, accuracy {u['accuracy']:.2f}",
        f"  below {report['uncertain_below']:.0%} confidence (shown as uncertain): "
        f"{u['uncertain_share']:.0%} of labels, "
        f"{(u['accuracy_when_uncertain'] or 0):.0%} right; the rest "
        f"{(u['accuracy_when_certain'] or 0):.0%} right",
        "",
        "Per fit (unseen authors)   precision recall  f1     n",
    ]
    for fit, s in u["per_label"].items():
        lines.append(f"  {fit:<24} {s['precision']:.3f}     {s['recall']:.3f}  "
                     f"{s['f1']:.3f}  {s['n']}")
    lines += ["", "Confusion (rows: true, columns: predicted) " + " ".join(f[:5] for f in FITS)]
    for fit, row in zip(FITS, u["confusion"]):
        lines.append(f"  {fit:<13}" + "".join(f"{v:>6}" for v in row))
    if "learning_curve" in report:
        lines += ["", "Learning from corrections (per unseen author, macro-F1 on the rest):"]
        for k, s in report["learning_curve"].items():
            lines.append(f"  {k:>3} corrected: {s['before']:.3f} -> {s['after']:.3f} "
                         f"(gain {s['gain']:+.3f}; target >= +0.05 at 25)")
    lines.append(f"({report.get('seconds', 0)} s)")
    return "\n".join(lines)
