"""The import preview: a checked sheet as the user reads it, before anything is stored.

Codes are shown in the reader's language ("gjennomført", not ``held``), dates, times and numbers
as `analysis.format` writes them, empty cells as empty, and the columns under the headers the
user's file gives them.
"""
from __future__ import annotations

import datetime as dt

import pandas as pd

from analysis.format import date_text, datetime_text, fit_name, is_missing, number_text
from analysis.i18n import t
from analysis.workbook.schema import SHEETS, Column


def _cell_text(col: Column, value: object, lang: str) -> str:
    """One typed cell as text; an empty cell as ""."""
    if is_missing(value):
        return ""
    if col.kind == "code":
        return fit_name(value, lang) if col.codes == "fit" else t(f"{col.codes}.{value}", lang)
    if col.kind == "date":
        return date_text(value)
    if col.kind == "datetime":
        return datetime_text(value)
    if col.kind == "time":
        return value.strftime("%H:%M") if isinstance(value, dt.time) else str(value)
    if col.kind in ("number", "int", "score"):
        return number_text(value, lang, 1, whole=True)
    return str(value)


def preview_frame(frame: pd.DataFrame, key: str, lang: str = "nb",
                  headers: dict[str, str] | None = None) -> pd.DataFrame:
    """A checked sheet's rows as display text.

    Parameters
    ----------
    frame : DataFrame
        One of `Validated.frames` (typed values, schema column names; ``_row`` is dropped).
        Columns that are not the schema's (e.g. a candidate already pseudonymised) are kept as
        text.
    key : str
        The sheet's key (``sessions``, ``questions``, ``ratings``, ``feedback``).
    lang : {"nb", "en"}
    headers : dict, optional
        Column name -> the header as the file writes it (`Validated.headers`). Given, only
        those columns are shown; without it every column is, under the template's name in
        ``lang``.

    Returns
    -------
    DataFrame
        Text only, no None: the columns the file has, under its headers.

    Examples
    --------
    >>> rows = pd.DataFrame({"_row": [2], "status": ["held"], "manager": [None]})
    >>> preview_frame(rows, "sessions", "nb").to_dict("records")
    [{'status': 'gjennomført', 'leder': ''}]
    >>> preview_frame(rows, "sessions", "en", {"status": "Status"}).to_dict("records")
    [{'Status': 'held'}]
    """
    schema = next(s for s in SHEETS if s.key == key)
    headers = headers or {}
    columns = {c.name: c for c in schema.columns}
    out = {}
    for name in frame.columns:
        if name == "_row":
            continue
        col = columns.get(name)
        if col is None:
            values = ["" if is_missing(v) else str(v) for v in frame[name]]
            out[name] = values
            continue
        if headers and name not in headers:
            continue  # not in the file: the checker added it empty
        shown = headers.get(name) or (col.nb if lang == "nb" else col.name)
        out[shown] = [_cell_text(col, v, lang) for v in frame[name]]
    return pd.DataFrame(out, index=frame.index)
