"""What every command shares: the exit codes, the store opener and how problems are printed."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from analysis.i18n import t

if TYPE_CHECKING:  # pragma: no cover
    from analysis.store.core import Store

#: Exit code of a command whose input was refused (the problems are on stderr; nothing written).
EXIT_INVALID = 2


def open_store(args) -> "Store":
    """The store named by ``--db`` (default: OMVENDT_DATABASE_URL or data/omvendt.sqlite)."""
    from analysis.store.core import Store

    return Store(args.db)


def print_problems(problems, lang: str) -> None:
    """One line per problem on stderr: severity, where (file, sheet, row, column), the value as
    typed, what is wrong and how to fix it."""
    for p in problems:
        where = ", ".join(x for x in (
            p.file, p.sheet, t("cli.row", lang, row=p.row) if p.row else "", p.column_text(lang)) if x)
        value = f" [{p.value}]" if p.value not in (None, "") else ""
        print(f"{t(f'severity.{p.severity}', lang)}: {where}{value}: {p.message(lang)} "
              f"{p.fix(lang)}", file=sys.stderr)
