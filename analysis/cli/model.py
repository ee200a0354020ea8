"""Commands of the fit classifier: ``classify``, ``evaluate`` and ``train``.

Each command imports what it needs when it runs: ``classify`` must stay fast end to end, and
scikit-learn alone takes 1.5 s to import.
"""
from __future__ import annotations

import sys

from analysis.cli.common import open_store


def cmd_classify(args) -> int:
    """Label the questions of a CSV or XLSX file; write CSV to ``-o`` or stdout."""
    from analysis.model.labelling import classify_file
    from analysis.workbook.writing import safe_csv

    frame = classify_file(args.file, column=args.column)
    # the file goes back to people who open it in a spreadsheet: neutralise formula-like text
    data = safe_csv(frame).decode("utf-8-sig")
    if args.out:
        with open(args.out, "w", encoding="utf-8-sig", newline="") as fh:
            fh.write(data)
        print(f"Labelled {len(frame)} question(s); wrote {args.out}", file=sys.stderr)
    else:
        sys.stdout.write(data)
    return 0


def cmd_evaluate(args) -> int:
    """Print the report: unseen authors, leave-one-author-out, calibration, learning curve."""
    import json

    from analysis.model.evaluation import evaluate_model, format_report
    from analysis.model.training import load_corpus

    corpus = load_corpus(args.corpus) if args.corpus else None
    report = evaluate_model(corpus, curve=not args.no_curve)
    print(json.dumps(report) if args.json else format_report(report))
    return 0


def cmd_train(args) -> int:
    """Retrain on corpus + corrections, save, relabel the store's model labels."""
    from analysis import config
    from analysis.model.retraining import retrain

    done = retrain(open_store(args))
    meta = done.model.metadata
    print(f"Trained model {done.model.version} on {meta['n_samples']} questions "
          f"({meta['n_corrections']} from corrections); saved {config.model_path()}")
    cal = meta["calibration"]
    print(f"  confidence scaled on out-of-author scores: temperature {cal['temperature']:.3f}")
    print(f"Relabelled the store: {len(done.changes)} model label(s) changed "
          f"(labels set by a person are kept)")
    for row in done.changes.head(50).itertuples():
        print(f"  {row.session_id}#{row.seq}: {row.before} -> {row.after}  {row.question[:70]}")
    return 0


def register(add) -> None:
    """Add the commands to the ``python -m analysis`` parser (see `analysis.cli`)."""
    p = add("classify", cmd_classify, "label the questions in a CSV or XLSX file", db=False)
    p.add_argument("file", help=".csv or .xlsx with a question column")
    p.add_argument("--column", default=None,
                   help="the question column (default: question, spørsmål or text)")
    p.add_argument("-o", "--out", default=None, help="output CSV (default: stdout)")
    p = add("evaluate", cmd_evaluate, "how good the fit labels are on unseen authors, with calibration and the learning curve", db=False)
    p.add_argument("--json", action="store_true", help="print the report as one JSON object")
    p.add_argument("--no-curve", action="store_true",
                   help="skip the learning curve (12 retrainings)")
    p.add_argument("--corpus", default=None, help="labelled CSV (default: the shipped corpus)")
    add("train", cmd_train, "retrain the fit classifier on the corpus and the corrections, "
                            "save it and relabel the store")
