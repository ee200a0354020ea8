"""Commands for the figures: ``metrics`` (per-session figures as JSON) and ``compare`` (the
finalists' comparison as a workbook or a PDF). They print the same numbers the pages show."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from analysis.cli.common import EXIT_INVALID, open_store
from analysis.i18n import t


def _unknown(name: str, sessions, lang: str) -> int:
    known = sorted(set(sessions["recruitment"]))
    print(t("report.cli.unknown_recruitment", lang, name=name,
            known=", ".join(known) or t("report.cli.none", lang)), file=sys.stderr)
    return EXIT_INVALID


def cmd_metrics(args) -> int:
    from analysis.figures.sessions import (
        FIGURE_COLUMNS,
        figure_records,
        session_figures,
    )

    store = open_store(args)
    sessions = store.sessions()
    if args.recruitment is not None:
        if args.recruitment not in set(sessions["recruitment"]):
            return _unknown(args.recruitment, sessions, args.lang)
        sessions = sessions[(sessions["recruitment"] == args.recruitment).to_numpy()]
    records = figure_records(session_figures(sessions, store.questions()))
    if args.json:
        # allow_nan=False: a NaN that slipped through is a bug, not something to print
        print(json.dumps(records, ensure_ascii=False, allow_nan=False, indent=args.indent))
        return 0
    columns = [c for c in FIGURE_COLUMNS if c != "fit_counts"]
    print("\t".join(columns + ["fit_counts"]))
    for rec in records:
        counts = " ".join(f"{k}={v}" for k, v in rec["fit_counts"].items())
        print("\t".join("" if rec[c] is None else str(rec[c]) for c in columns) + f"\t{counts}")
    return 0


def cmd_compare(args) -> int:
    """Write the comparison; the output name's ending (.xlsx or .pdf) decides the format."""
    from analysis.reports.comparison import COMPARISON_FORMATS, export_comparison

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in COMPARISON_FORMATS:
        print(t("report.cli.bad_format", args.lang, name=out.name), file=sys.stderr)
        return EXIT_INVALID
    store = open_store(args)
    sessions = store.sessions()
    if args.recruitment not in set(sessions["recruitment"]):
        return _unknown(args.recruitment, sessions, args.lang)
    data = export_comparison(store, args.recruitment, args.lang, pseudonyms=args.pseudonyms,
                             fmt=fmt)
    out.write_bytes(data)
    print(t("report.cli.wrote", args.lang, path=args.out))
    return 0


def register(add) -> None:
    """Add the figures' commands to the parser (see `analysis.cli.build_parser`)."""
    p = add("metrics", cmd_metrics, "print the figures of every held session")
    p.add_argument("--recruitment", default=None, metavar="NAME",
                   help="only this recruitment's sessions")
    p.add_argument("--json", action="store_true", help="a JSON list, one object per session")
    p.add_argument("--indent", type=int, default=None, help="indent the JSON by this many spaces")
    p = add("compare", cmd_compare, "write the finalists' comparison (.xlsx workbook or .pdf)")
    p.add_argument("recruitment")
    p.add_argument("-o", "--out", required=True, metavar="OUT.xlsx|OUT.pdf",
                   help="output file; .xlsx or .pdf decides the format")
    p.add_argument("--pseudonyms", action="store_true",
                   help="show finalists as Finalist A/B/C instead of their names")
    # the workbook is for a Norwegian hiring team unless asked otherwise
    p.set_defaults(lang="nb")
