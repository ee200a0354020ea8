"""Command line: ``python -m analysis <command>``.

Exit codes: 0 done, 2 invalid input (problems printed to stderr, nothing written).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from analysis import config
from analysis.cli.common import EXIT_INVALID, open_store, print_problems
from analysis.errors import FileRejected, OmvendtError, WorkbookError
from analysis.i18n import has, t


def _labeller_or_none():
    """The fit model, or None (with a note on stderr) when it cannot be built."""
    try:
        from analysis.model.training import default_model

        return default_model()
    except (ImportError, OmvendtError, FileNotFoundError) as exc:
        print(f"note: questions are imported unlabelled ({exc}); "
              "they are labelled when the app starts", file=sys.stderr)
        return None




def cmd_import(args) -> int:
    from analysis.workbook.reading import Upload

    store = open_store(args)
    try:
        upload = Upload.from_path(args.file)
        result = store.import_upload(upload, None if args.no_label else _labeller_or_none())
    except FileRejected as exc:
        fix = t(f"fix.{exc.code}", args.lang) if has(f"fix.{exc.code}") else ""
        print(f"{args.file}: {t(f'problem.{exc.code}', args.lang, **exc.params)} {fix}".rstrip(),
              file=sys.stderr)
        return EXIT_INVALID
    except WorkbookError as exc:
        print_problems(exc.problems, args.lang)
        errors = sum(p.severity == "error" for p in exc.problems)
        print(t("cli.import_failed", args.lang, file=args.file, n=errors), file=sys.stderr)
        return EXIT_INVALID
    lang = args.lang
    print(t("cli.imported", lang, file=Path(args.file).name))
    for key in ("recruitments", "sessions", "questions", "ratings", "feedback"):
        print(f"  {key}: {result.counts.get(key, 0)}")
    if result.replaced_sessions:
        print("  " + t("cli.replaced", lang, sessions=", ".join(result.replaced_sessions)))
    if result.unchanged_sessions:
        print("  " + t("cli.unchanged", lang, n=len(result.unchanged_sessions)))
    if result.kept_app_ratings:
        print("  " + t("cli.kept_app_ratings", lang, ratings=", ".join(result.kept_app_ratings)))
    for p in result.warnings:
        where = t("cli.row", lang, row=p.row) if p.row else ""
        print(f"  {t('severity.warning', lang)}: {p.sheet} {where} {p.column}: {p.message(lang)}")
    return 0


def cmd_summary(args) -> int:
    counts = open_store(args).summary()
    if args.json:
        print(json.dumps(counts))
    else:
        for key, value in counts.items():
            print(f"{key}: {value}")
    return 0


def cmd_template(args) -> int:
    from analysis.workbook.writing import write_template

    write_template(args.out, args.lang)
    print(t("cli.wrote", args.lang, file=args.out))
    return 0


def holds_sessions(url: str) -> bool:
    """Whether a SQLite store already holds sessions, looked up without SQLAlchemy or pandas:
    every `make run` asks, and loading them first cost a second of the cold start."""
    if not url.startswith("sqlite:///"):
        return False
    import sqlite3

    path = Path(url.removeprefix("sqlite:///"))
    if not path.is_file():
        return False
    try:
        with sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True) as conn:
            return conn.execute("SELECT 1 FROM session LIMIT 1").fetchone() is not None
    except sqlite3.Error:  # no such table yet, or not a store: the full path decides
        return False


def cmd_seed(args) -> int:
    """Import the sample workbook when the store is empty (used by ``make run``)."""
    if holds_sessions(args.db or config.database_url()):
        print(t("cli.not_seeding", args.lang))
        return 0
    from analysis.sample import sample_upload

    store = open_store(args)
    if store.summary()["sessions"]:
        print(t("cli.not_seeding", args.lang))
        return 0
    # dated relative to today, so a newcomer's first page is not a retention warning
    result = store.import_upload(sample_upload(), _labeller_or_none())
    print(t("cli.seeded", args.lang, counts=result.counts))
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m analysis", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, func, help: str, db: bool = True) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=help)
        p.set_defaults(func=func)
        if db:
            p.add_argument("--db", default=None, help="store URL (default: OMVENDT_DATABASE_URL "
                                                      "or data/omvendt.sqlite)")
        p.add_argument("--lang", choices=("nb", "en"), default="en", help="message language")
        return p

    p = add("import", cmd_import, "validate and import a session-log workbook")
    p.add_argument("file")
    p.add_argument("--no-label", action="store_true",
                   help="import without labelling the questions (they are labelled later by "
                        "`train` or when the app starts)")
    p = add("summary", cmd_summary, "count what the store holds")
    p.add_argument("--json", action="store_true")
    p = add("template", cmd_template, "write an empty workbook to fill in", db=False)
    p.add_argument("out")
    add("seed", cmd_seed, "import the sample workbook when the store is empty")
    # further commands are registered below by `_register_more`
    _register_more(sub, add)
    return parser


def _register_more(sub, add) -> None:
    """Commands of the other modules (kept apart so each stays short)."""
    import importlib

    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(add)


#: Modules that add commands: each has ``register(add)`` (see `build_parser`).
_COMMAND_MODULES = ("analysis.cli.model", "analysis.cli.reports",
                    "analysis.cli.guide", "analysis.cli.trust")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # template's --lang is the workbook's language; it defaults to nb
    if args.command == "template" and "--lang" not in (argv or sys.argv):
        args.lang = "nb"
    try:
        return args.func(args)
    except OmvendtError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_INVALID


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
