"""Reading a workbook: guard the file before any parser sees it, read its sheets, validate them.

Every upload is inspected first (size, zip structure, encryption, inflate budget, XML
prolog via defusedxml, cell extent), so a hostile file is refused before calamine lays it out.
"""
from __future__ import annotations

import hashlib
import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable
from xml.etree.ElementTree import ParseError

import pandas as pd
from defusedxml import DefusedXmlException
from defusedxml.ElementTree import XMLParser as DefusedXMLParser

from analysis import config
from analysis.errors import FileRejected
from analysis.text import show_controls
from analysis.workbook.schema import (
    SHEETS,
    SheetSchema,
    Validated,
    _Collector,
    blank_to_none,
    check_rules,
    column_for,
    sheet_for,
    validate_sheet,
)

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_ENCRYPTION_INFO = "EncryptionInfo".encode("utf-16-le")
_CHUNK = 1 << 20
#: A megabyte as the upload limit counts it (Streamlit's too): 50 MB is 50 × 2^20 bytes.
_MB = 1 << 20


def _megabytes(size: int) -> int:
    """A size over the limit in whole MB, rounded up: never the limit itself."""
    return -(-size // _MB)
#: The template's own instructions sheet, skipped without a warning.
_INSTRUCTION_SHEETS = {"instructions", "veiledning"}


@dataclass(frozen=True)
class Upload:
    """A file as it arrived: its name and its bytes."""

    name: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @classmethod
    def from_path(cls, path: str | Path) -> "Upload":
        path = Path(path)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise FileRejected("corrupt", path.name, detail=exc.strerror or str(exc)) from exc
        if size > config.MAX_FILE_BYTES:  # refuse before reading it into memory
            raise FileRejected("too_large", path.name, size=_megabytes(size),
                               limit=config.MAX_FILE_BYTES // _MB)
        return cls(path.name, path.read_bytes())


class _StopAtRoot(Exception):
    pass


class _RootTarget:
    """A parser target that stops at the root element: all a DTD attack needs is the prolog."""

    def start(self, tag, attrib):
        raise _StopAtRoot

    def end(self, tag):  # pragma: no cover - never reached
        pass

    def data(self, data):
        pass

    def close(self):
        return None


def inspect_file(upload: Upload) -> None:
    """Refuse a file that is not a safe, readable .xlsx workbook.

    Raises
    ------
    FileRejected
        With ``code`` empty_file, too_large, legacy_xls, encrypted, not_xlsx, corrupt, zip_bomb or
        xml_attack.
    """
    data, name = upload.data, upload.name
    if not data:
        raise FileRejected("empty_file", name)
    if len(data) > config.MAX_FILE_BYTES:
        raise FileRejected("too_large", name, size=_megabytes(len(data)),
                           limit=config.MAX_FILE_BYTES // _MB)
    if data.startswith(_OLE_MAGIC):
        # Excel wraps a password-protected .xlsx in an OLE container with an EncryptionInfo stream
        raise FileRejected("encrypted" if _ENCRYPTION_INFO in data else "legacy_xls", name)
    if not data.startswith(b"PK"):
        raise FileRejected("not_xlsx", name)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
            if "[Content_Types].xml" not in names or not any(
                    n.startswith("xl/") for n in names):
                raise FileRejected("not_xlsx", name)
            total = 0
            limit = config.MAX_INFLATED_BYTES
            for info in zf.infolist():
                if info.flag_bits & 0x1:
                    raise FileRejected("encrypted", name)
                total += _inflate_part(zf, info, name, limit - total)
    except FileRejected:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, ValueError,
            NotImplementedError, RuntimeError) as exc:
        raise FileRejected("corrupt", name, detail=type(exc).__name__) from exc


_CELL_REF = re.compile(rb"""\sr=["']([A-Z]+)(\d+)["']""")


class _Extent:
    """The furthest row and column a worksheet part's cell references reach.

    calamine lays a sheet out as a dense grid from A1 to its furthest cell, so two cells far
    apart in a 10 kB file would make it allocate gigabytes (and abort the process); the extent
    is measured from the XML before calamine sees the file.
    """

    def __init__(self) -> None:
        self.rows = 0
        self.cols = 0
        self._tail = b""

    def feed(self, chunk: bytes) -> None:
        data = self._tail + chunk
        self._tail = chunk[-64:]  # a reference split across two chunks is still seen
        refs = _CELL_REF.findall(data)
        if not refs:
            return
        letters = {c for c, _ in refs}
        widest = max(letters, key=lambda c: (len(c), c))
        col = 0
        for ch in widest:
            col = col * 26 + ch - 64
        self.cols = max(self.cols, col)
        self.rows = max(self.rows, max(int(r) for r in {r for _, r in refs}))


def _inflate_part(zf: zipfile.ZipFile, info: zipfile.ZipInfo, name: str, budget: int) -> int:
    """Inflate one part chunk by chunk, stopping as soon as it passes the budget or the ratio cap;
    check an XML part's prolog with defusedxml and a worksheet's extent. Returns the inflated
    size."""
    size = 0
    is_xml = info.filename.endswith((".xml", ".rels", ".vml"))
    parser = DefusedXMLParser(target=_RootTarget(), forbid_dtd=True) if is_xml else None
    extent = _Extent() if info.filename.startswith("xl/worksheets/") and is_xml else None
    limit_mb = round(config.MAX_INFLATED_BYTES / 1e6)
    with zf.open(info) as part:
        while chunk := part.read(_CHUNK):
            size += len(chunk)
            if size > budget:
                raise FileRejected("zip_bomb", name, limit=limit_mb)
            if size > 10 * _CHUNK and size > config.MAX_COMPRESSION_RATIO * max(
                    info.compress_size, 1):
                raise FileRejected("zip_bomb", name, limit=limit_mb)
            if extent is not None:
                extent.feed(chunk)
            if parser is not None:
                try:
                    parser.feed(chunk)
                except _StopAtRoot:
                    parser = None
                except DefusedXmlException as exc:
                    raise FileRejected("xml_attack", name, detail=type(exc).__name__) from exc
                except ParseError as exc:
                    raise FileRejected("corrupt", name, detail=f"{info.filename}: {exc}") from exc
    if extent is not None:
        if extent.rows > config.MAX_ROWS:
            raise FileRejected("too_many_rows", name, rows=extent.rows, limit=config.MAX_ROWS)
        if extent.rows * extent.cols > config.MAX_CELLS:
            raise FileRejected("too_many_cells", name, rows=extent.rows, cols=extent.cols,
                               limit=config.MAX_CELLS)
    return size


def read_sheets(upload: Upload) -> dict[str, pd.DataFrame]:
    """Every worksheet of a workbook as raw cells (no header interpretation), keyed by name.

    python-calamine (Rust) reads the cells; we hand its Python values straight to pandas rather
    than through ``pandas.read_excel``, whose per-cell conversion we would undo anyway.
    Row 1 of the sheet is index 0 (empty leading rows are kept, so row numbers match Excel).

    Raises
    ------
    FileRejected
        When the file is refused (see `inspect_file`) or has more rows than `config.MAX_ROWS`.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum

    inspect_file(upload)
    sheets: dict[str, pd.DataFrame] = {}
    rows_left = config.MAX_ROWS
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(upload.data))
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue
            cells = book.get_sheet_by_name(meta.name).to_python(
                skip_empty_area=False, nrows=rows_left + 1)
            rows_left -= len(cells)
            if rows_left < 0:
                raise FileRejected("too_many_rows", upload.name,
                                   rows=f"> {config.MAX_ROWS}", limit=config.MAX_ROWS)
            sheets[meta.name] = pd.DataFrame(cells, dtype=object)
    except FileRejected:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged parts
        raise FileRejected("corrupt", upload.name, detail=str(exc)[:200]) from exc
    return sheets


def _header_row(raw: pd.DataFrame, schema: SheetSchema) -> int | None:
    """Index of the header row: the first of the top ten rows that names a known column."""
    for i in range(min(10, len(raw))):
        if any(column_for(schema, v) for v in raw.iloc[i] if isinstance(v, str)):
            return i
    return None


def _frame_for(schema: SheetSchema, raw: pd.DataFrame, sheet_label: str,
               out: _Collector) -> pd.DataFrame | None:
    """Canonical columns, data rows only, with ``_row`` the Excel row number."""
    header = _header_row(raw, schema)
    if header is None:
        out.add(sheet_label, None, "", None, "error", "no_header")
        return None
    picked: dict[str, int] = {}
    for pos, value in enumerate(raw.iloc[header]):
        if value is None or (isinstance(value, float) and pd.isna(value)):
            continue
        col = column_for(schema, value)
        letter = _col_letter(pos)
        written = _header_text(value)
        if col is None:
            out.add(sheet_label, header + 1, str(value), None, "warning", "extra_column",
                    f"{written} ({letter})", name=written, letter=letter)
        elif col.name in picked:
            out.add(sheet_label, header + 1, col.name, None, "error", "duplicate_column",
                    f"{written} ({letter})", name=written, letter=letter,
                    first=_col_letter(picked[col.name]))
        else:
            picked[col.name] = pos
            out.headers[(sheet_label, col.name)] = (written, letter)
    for col in schema.columns:
        if col.required is True and col.name not in picked:
            out.add(sheet_label, header + 1, col.name, None, "error", "missing_column",
                    column={"nb": f"{col.nb} / {col.name}", "en": f"{col.name} / {col.nb}"})
    body = raw.iloc[header + 1:, list(picked.values())]
    body.columns = list(picked)
    body = pd.DataFrame({c: blank_to_none(body[c]) for c in picked}, index=body.index)
    body["_row"] = body.index + 1
    if picked:
        body = body[~body[list(picked)].isna().all(axis=1).to_numpy()]
    return body.reset_index(drop=True)


def _header_text(value: object) -> str:
    """A header cell as the report quotes it: stripped, control characters shown, at most 60
    characters."""
    text = show_controls(str(value).strip())
    return text if len(text) <= 60 else text[:59] + "…"


def _col_letter(pos: int) -> str:
    letters = ""
    pos += 1
    while pos:
        pos, rem = divmod(pos - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def validate_upload(upload: Upload, known_recruitments: Iterable[str] = ()) -> Validated:
    """Read and validate a workbook; never raises for bad content, only collects problems.

    Raises
    ------
    FileRejected
        When the file itself is refused (see `inspect_file`).
    """
    sheets = read_sheets(upload)
    out = _Collector(upload.name)
    frames: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    headers: dict[str, dict[str, str]] = {}
    for sheet_name, raw in sheets.items():
        schema = sheet_for(sheet_name)
        if schema is None and str(sheet_name).strip().lower() in _INSTRUCTION_SHEETS:
            continue
        if schema is None or schema.key in frames:
            out.add(sheet_name, None, "", None, "warning", "unknown_sheet")
            continue
        body = _frame_for(schema, raw, sheet_name, out)
        if body is None:
            continue
        frames[schema.key] = validate_sheet(schema, body, out, sheet_name)
        labels[schema.key] = sheet_name
        headers[schema.key] = {name: out.headers[(sheet_name, name)][0]
                               for name in body.columns if (sheet_name, name) in out.headers}
    for schema in SHEETS:
        if schema.required and schema.key not in frames and not any(
                p.code == "no_header" and sheet_for(p.sheet) is schema for p in out.problems):
            out.add(f"{schema.name} / {schema.nb}", None, "", None, "error", "missing_sheet",
                    sheet={"nb": f"{schema.nb} / {schema.name}",
                           "en": f"{schema.name} / {schema.nb}"})
    if "sessions" in frames and "questions" in frames:
        check_rules(frames, labels, out, set(known_recruitments))
    return Validated(upload.name, frames, out.finish(), headers)


# --------------------------------------------------------------------------------------------
# Writing


