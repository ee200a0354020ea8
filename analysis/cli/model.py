"""Commands of the fit classifier: ``classify``, ``evaluate`` and ``train``.

Each command imports what it needs when it runs: ``classify`` must stay fast end to end, and
scikit-learn alone takes 1.5 s to import.
"""
from __future__ import annotations

import sys


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
    """Print the cross-validated report (random CV and leave-one-sector-out)."""
    from analysis.model.evaluation import evaluate_model, format_report
    from analysis.model.training import load_corpus

    corpus = load_corpus(args.corpus) if args.corpus else None
    report = evaluate_model(corpus, repeats=args.repeats, compare=args.compare)
    print(format_report(report))
    return 0


def cmd_train(args) -> int:
    """Retrain on corpus + corrections, save, relabel the store's model labels."""
    from analysis import config
    from analysis.model.training import reset_default_model, save_model, train_model
    from analysis.store.core import Store

    store = Store(args.db)
    corrections = store.corrections()
    model = train_model(None, corrections)
    path = config.model_path()
    save_model(model, path)
    reset_default_model(model)
    changed = store.relabel(model)
    meta = model.metadata
    print(f"Trained model {model.version} on {meta['n_samples']} questions "
          f"({meta['n_corrections']} from corrections); saved {path}")
    for scheme, title in (("random", "stratified 5-fold CV"), ("sector", "leave-one-sector-out")):
        scores = meta["cv"].get(scheme, {})
        if scores:
            print(f"  macro-F1, {title}: " + ", ".join(f"{k} {v:.3f}" for k, v in scores.items()))
    print(f"Relabelled the store: {changed} model label(s) changed "
          f"(labels set by a person are kept)")
    return 0


def register(add) -> None:
    """Add the commands to the ``python -m analysis`` parser (see `analysis.cli`)."""
    p = add("classify", cmd_classify, "label the questions in a CSV or XLSX file", db=False)
    p.add_argument("file", help=".csv or .xlsx with a question column")
    p.add_argument("--column", default=None,
                   help="the question column (default: question, spørsmål or text)")
    p.add_argument("-o", "--out", default=None, help="output CSV (default: stdout)")
    p = add("evaluate", cmd_evaluate, "cross-validated report of the fit classifier", db=False)
    p.add_argument("--repeats", type=int, default=3, help="repetitions of stratified 5-fold CV")
    p.add_argument("--compare", action="store_true",
                   help="also compare the candidate models (takes a few minutes)")
    p.add_argument("--corpus", default=None, help="labelled CSV (default: the shipped corpus)")
    add("train", cmd_train, "retrain the fit classifier on the corpus and the corrections, "
                            "save it and relabel the store")
