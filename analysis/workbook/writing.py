"""Writing workbooks and CSV files: the template, exports, and problem reports, all formula-safe.
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import IO

import pandas as pd

from analysis.i18n import t
from analysis.text import CONTROL, export_text
from analysis.workbook.schema import (
    CODE_CHOICES,
    SHEETS,
    Problem,
)
from analysis.workbook.reading import _col_letter

_DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """Make text that a spreadsheet would run as a formula inert, by prefixing an apostrophe."""
    if isinstance(value, str) and value.startswith(_DANGEROUS):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` with every text cell (and header) neutralised for export and without
    control characters (`analysis.text.export_text`): openpyxl refuses most of them, and a store
    may hold text from before the import dropped them."""
    out = frame.copy()
    out.columns = [neutralise(export_text(str(c))) for c in out.columns]
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col]):
            # vectorised `neutralise` (a per-cell map costs seconds on 100,000-row exports)
            values = out[col].astype(object)
            try:
                dirty = values.str.contains(CONTROL, na=False).astype(bool)
            except AttributeError:  # no text in the column (e.g. dates): nothing to neutralise
                continue
            if dirty.any():
                values = values.where(~dirty, values[dirty].map(export_text))
            risky = values.str.startswith(_DANGEROUS, na=False).astype(bool)
            out[col] = values.where(~risky, "'" + values[risky].astype(str))
    return out


def write_workbook(sheets: dict[str, pd.DataFrame], target: str | Path | IO[bytes]) -> None:
    """Write frames as sheets of an .xlsx, neutralised, with readable column widths."""
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        for name, frame in sheets.items():
            safe = safe_frame(frame)
            safe.to_excel(writer, sheet_name=name[:31], index=False)
            ws = writer.sheets[name[:31]]
            for i, col in enumerate(safe.columns, start=1):
                width = max([len(str(col))] + [len(str(v)) for v in safe[col].head(200)])
                ws.column_dimensions[_col_letter(i - 1)].width = min(max(10, width + 2), 80)
            ws.freeze_panes = "A2"


def workbook_bytes(sheets: dict[str, pd.DataFrame]) -> bytes:
    buf = io.BytesIO()
    write_workbook(sheets, buf)
    return buf.getvalue()


def safe_csv(frame: pd.DataFrame, lang: str | None = None) -> bytes:
    """CSV bytes (UTF-8 with BOM, so Excel shows æøå) with every text cell neutralised.

    With ``lang`` the file is written for people in that language's spreadsheet: numbers
    rounded (`analysis.format.rounded`) and, in Norwegian, ``;`` between fields and a decimal
    comma (`analysis.format.csv_dialect`). Without it: plain ``,`` and ``.``, unrounded."""
    from analysis.format import csv_dialect, rounded

    dialect = {} if lang is None else csv_dialect(lang)
    if lang is not None:
        frame = rounded(frame)
    # CRLF rows (RFC 4180) make the writer quote any field holding a CR or LF: with bare LF rows
    # a CR inside a field went out unquoted, and a spreadsheet split the row there, starting a
    # fresh cell with whatever followed (e.g. "=1+1") un-neutralised
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n",
                                    **dialect).encode("utf-8-sig")


def write_template(target: str | Path | IO[bytes], lang: str = "nb") -> None:
    """An empty session-log workbook: the four sheets with headers in ``lang``, dropdowns for the
    coded columns, and an instructions sheet."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    wb = Workbook()
    info = wb.active
    info.title = t("sheet.instructions", lang)
    info.column_dimensions["A"].width = 28
    info.column_dimensions["B"].width = 16
    info.column_dimensions["C"].width = 60
    info.append([t("template.title", lang)])
    info["A1"].font = Font(bold=True, size=14)
    for line in t("template.intro", lang).split("\n"):
        info.append([line])
    info.append([])
    info.append([t("template.col_sheet", lang), t("template.col_column", lang),
                 t("template.col_expected", lang)])
    for cell in info[info.max_row]:
        cell.font = Font(bold=True)
    bold = Font(bold=True, color="FFFFFF")
    fill = PatternFill("solid", fgColor="1F4E79")
    for schema in SHEETS:
        ws = wb.create_sheet(schema.nb if lang == "nb" else schema.name)
        headers = [c.nb if lang == "nb" else c.name for c in schema.columns]
        ws.append(headers)
        for i, col in enumerate(schema.columns):
            cell = ws.cell(row=1, column=i + 1)
            cell.font, cell.fill = bold, fill
            ws.column_dimensions[_col_letter(i)].width = max(14, len(headers[i]) + 4)
            required = {True: t("template.required", lang), "held": t("template.when_held", lang),
                        False: ""}[col.required]
            info.append([ws.title, headers[i],
                         f"{col.expected(lang)}{'; ' + required if required else ''}"])
            if col.kind == "code":
                choices = CODE_CHOICES[col.codes][lang]
                dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"',
                                    allow_blank=not col.required)
                dv.error = t("kind.code", lang, codes=", ".join(choices))
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{_col_letter(i)}2:{_col_letter(i)}5000")
            elif col.kind == "score":
                dv = DataValidation(type="whole", operator="between", formula1=str(int(col.lo)),
                                    formula2=str(int(col.hi)), allow_blank=True)
                dv.error = col.expected(lang)
                dv.showErrorMessage = True
                ws.add_data_validation(dv)
                dv.add(f"{_col_letter(i)}2:{_col_letter(i)}5000")
            elif col.kind in ("date", "datetime", "time"):
                fmt = {"date": "DD.MM.YYYY", "datetime": "DD.MM.YYYY HH:MM", "time": "HH:MM"}
                for row in range(2, 501):
                    ws.cell(row=row, column=i + 1).number_format = fmt[col.kind]
        ws.freeze_panes = "A2"
    wb.save(target)


def problems_to_bytes(problems: list[Problem], lang: str) -> bytes:
    """The validation report as an .xlsx for download, with headers in ``lang``."""
    from analysis.workbook.schema import problems_frame

    return workbook_bytes({t("import.report_sheet", lang): problems_frame(
        problems, lang, translated=True)})


def problems_to_csv(problems: list[Problem], lang: str) -> bytes:
    """The validation report as a CSV for download, with headers in ``lang`` and written for
    that language's spreadsheet (`safe_csv`: ``;`` between fields in Norwegian)."""
    from analysis.workbook.schema import problems_frame

    return safe_csv(problems_frame(problems, lang, translated=True), lang)
