"""The ``guide`` command: a finalist's second-interview guide as PDF, Word or Excel.

``python -m analysis guide SESSION_ID [--lang nb|en] [--db URL] [--pseudonyms] -o guide.pdf``;
the format follows the output name (.pdf, .docx, .xlsx).
"""
from __future__ import annotations

import sys
from pathlib import Path

from analysis.cli.common import EXIT_INVALID, open_store


def cmd_guide(args) -> int:
    """Write the guide; exit 2 with a message for an unknown session or output format."""
    from analysis.errors import NotFound
    from analysis.reports.guide import export_guide
    from analysis.reports.guide_files import FORMATS

    out = Path(args.out)
    fmt = out.suffix.lower().lstrip(".")
    if fmt not in FORMATS:
        print(f"error: cannot write {out.name}: the name must end in "
              f"{', '.join('.' + f for f in FORMATS)}", file=sys.stderr)
        return EXIT_INVALID
    try:
        data, _, _ = export_guide(open_store(args), args.session_id, fmt, args.lang,
                                  args.pseudonyms)
    except NotFound:
        print(f"error: no session {args.session_id!r} in the store; "
              f"`python -m analysis summary` shows what it holds", file=sys.stderr)
        return EXIT_INVALID
    try:
        out.write_bytes(data)
    except OSError as exc:
        print(f"error: cannot write {out}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_INVALID
    print(f"Wrote {out} ({len(data):,} bytes)")
    return 0


def register(add) -> None:
    """Add the ``guide`` command to the parser (see `analysis.cli.build_parser`)."""
    p = add("guide", cmd_guide, "write a finalist's second-interview guide (.pdf, .docx, .xlsx)")
    p.add_argument("session_id", help="the session's id as in the workbook")
    p.add_argument("-o", "--out", required=True,
                   help="output file; .pdf, .docx or .xlsx decides the format")
    p.add_argument("--pseudonyms", action="store_true",
                   help="show finalists as Finalist A/B/C instead of their names")
    # the guide is for a Norwegian hiring team unless asked otherwise
    p.set_defaults(lang="nb")
