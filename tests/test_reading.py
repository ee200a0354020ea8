"""Reading and validating workbooks: every problem reported with its place; hostile files refused."""
from __future__ import annotations

import datetime as dt
import io
import zipfile

import openpyxl
import pandas as pd
import pytest

from analysis import config
from analysis.errors import FileRejected
from analysis.workbook.reading import Upload, inspect_file, validate_upload
from analysis.workbook.schema import parse_date, parse_time, problems_frame
from analysis.workbook.writing import write_template
from tests.conftest import minimal_sheets


def _codes(validated):
    return [(p.sheet, p.row, p.column, p.code, p.severity) for p in validated.problems]


def test_minimal_workbook_is_valid(make_upload):
    v = validate_upload(make_upload())
    assert v.ok and v.problems == []
    sessions = v.frames["sessions"]
    assert list(sessions["status"]) == ["held", "declined"]
    assert sessions.loc[0, "date"] == dt.date(2026, 3, 4)
    assert sessions.loc[0, "start"] == dt.time(9, 0)
    assert list(v.frames["questions"]["fit"]) == [None, None, "supervisor"]


def test_headers_any_case_order_language_and_spacing(make_upload):
    sheets = minimal_sheets()
    s = sheets.pop("Økter")
    s.columns = ["  SESSION_ID ", "Rekruttering", "candidate", "Date", "START", "end",
                 "Manager minutes", "Status", "LEDER"]
    sheets["sessions"] = s[list(reversed(s.columns))]
    v = validate_upload(make_upload(sheets))
    assert v.ok, _codes(v)


def test_every_problem_is_reported_with_row_and_column(make_upload):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "dato"] = "31.02.2026"          # unreadable date
    sheets["Økter"].loc[1, "status"] = "maybe"             # unknown code
    q = sheets["Spørsmål"]
    q.loc[1, "nr"] = 1                                     # duplicate seq
    q.loc[2, "oppfølging_av"] = 7                          # points at a missing question
    q.loc[3] = ["ZZ", 4, 9, "Hva nå?", None, None]         # unknown session
    sheets["Vurderinger"].loc[1, "mestring"] = 6           # out of range
    sheets["Økter"]["ekstra"] = ["x", "y"]                 # extra column: a warning
    v = validate_upload(make_upload(sheets))
    found = {(p.sheet, p.row, p.column, p.code) for p in v.problems}
    assert ("Økter", 2, "date", "bad_value") in found
    assert ("Økter", 3, "status", "bad_code") in found
    assert ("Spørsmål", 3, "seq", "duplicate_seq") in found
    assert ("Spørsmål", 4, "follow_up_to", "follow_up_missing") in found
    assert ("Spørsmål", 5, "session_id", "unknown_session") in found
    assert ("Vurderinger", 3, "composure", "out_of_range") in found
    assert any(p.code == "extra_column" and p.severity == "warning" for p in v.problems)
    assert not v.ok
    table = problems_frame(v.problems, "en")
    assert list(table.columns) == ["file", "sheet", "row", "column", "value", "severity",
                                   "problem", "fix"]
    assert table["fix"].str.len().min() > 0


def test_follow_up_pointing_forward_is_an_error(make_upload):
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[0, "oppfølging_av"] = 3
    v = validate_upload(make_upload(sheets))
    assert ("Spørsmål", 2, "follow_up_to", "follow_up_forward", "error") in _codes(v)


def test_missing_required_sheet_and_column(make_upload):
    sheets = minimal_sheets()
    del sheets["Spørsmål"]
    sheets["Økter"] = sheets["Økter"].drop(columns=["kandidat"])
    v = validate_upload(make_upload(sheets))
    codes = {p.code for p in v.errors}
    assert {"missing_sheet", "missing_column"} <= codes


def test_duration_outside_30_40_is_a_warning(make_upload):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "slutt"] = "09:50"
    v = validate_upload(make_upload(sheets))
    assert v.ok
    [warning] = v.warnings
    assert (warning.code, warning.row, warning.params["minutes"]) == ("duration", 2, 50)
    assert "50" in warning.message("nb")


def test_held_session_needs_times(make_upload):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "start"] = None
    v = validate_upload(make_upload(sheets))
    assert ("Økter", 2, "start", "required", "error") in _codes(v)


def test_unknown_sheet_warns_and_optional_sheets_may_be_absent(make_upload):
    sheets = minimal_sheets()
    del sheets["Vurderinger"], sheets["Tilbakemelding"]
    sheets["Notater"] = pd.DataFrame({"a": [1]})
    v = validate_upload(make_upload(sheets))
    assert v.ok
    assert [(p.sheet, p.code) for p in v.problems] == [("Notater", "unknown_sheet")]


@pytest.mark.parametrize("value, expected", [
    ("04.03.2026", dt.date(2026, 3, 4)), ("4.3.2026", dt.date(2026, 3, 4)),
    ("2026-03-04", dt.date(2026, 3, 4)), (dt.datetime(2026, 3, 4, 0, 0), dt.date(2026, 3, 4)),
    (46085, dt.date(2026, 3, 4)),  # an Excel serial number in a cell without date format
])
def test_dates(value, expected):
    assert parse_date(value) == expected


@pytest.mark.parametrize("value, expected", [
    ("09:30", dt.time(9, 30)), ("9.30", dt.time(9, 30)), (dt.time(9, 30), dt.time(9, 30)),
    (0.5, dt.time(12, 0)), (dt.datetime(2026, 1, 1, 14, 5), dt.time(14, 5)),
])
def test_times(value, expected):
    assert parse_time(value) == expected


@pytest.mark.parametrize("value", ["31.02.2026", "tomorrow", "2026-13-01"])
def test_bad_dates_raise(value):
    with pytest.raises(ValueError):
        parse_date(value)


def test_real_date_and_time_cells(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws.append(["session_id", "recruitment", "candidate", "date", "start", "end", "status"])
    ws.append(["S1", "R", "C", dt.date(2026, 5, 6), dt.time(10, 0), dt.time(10, 35), "held"])
    q = wb.create_sheet("Questions")
    q.append(["session_id", "seq", "question"])
    q.append(["S1", 1, "Hvorfor er stillingen ledig?"])
    path = tmp_path / "cells.xlsx"
    wb.save(path)
    v = validate_upload(Upload.from_path(path))
    assert v.ok, _codes(v)
    assert v.frames["sessions"].loc[0, "end"] == dt.time(10, 35)


def test_template_roundtrip_is_valid_and_has_dropdowns(tmp_path):
    for lang in ("nb", "en"):
        path = tmp_path / f"template_{lang}.xlsx"
        write_template(path, lang)
        v = validate_upload(Upload.from_path(path))
        assert v.ok and v.warnings == []
        wb = openpyxl.load_workbook(path)
        sheet = wb["Økter" if lang == "nb" else "Sessions"]
        formulas = [dv.formula1 for dv in sheet.data_validations.dataValidation]
        assert any(("gjennomført" if lang == "nb" else "held") in f for f in formulas)


# -- hostile and broken files ----------------------------------------------------------------

def _xlsx_zip(parts: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in parts.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_empty_file_refused():
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("empty.xlsx", b""))
    assert info.value.code == "empty_file"


def test_not_a_workbook_refused():
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("notes.xlsx", b"session_id,question\nA,B\n"))
    assert info.value.code == "not_xlsx"


def test_other_zip_refused():
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("photos.xlsx", _xlsx_zip({"a.txt": b"hello"})))
    assert info.value.code == "not_xlsx"


def test_truncated_workbook_is_corrupt(make_upload):
    data = make_upload().data
    with pytest.raises(FileRejected) as info:
        validate_upload(Upload("cut.xlsx", data[: len(data) // 2]))
    assert info.value.code == "corrupt"


def test_encrypted_workbook_refused():
    # The OLE container Excel writes for a password-protected .xlsx, reduced to what we look at
    data = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 504
            + "EncryptionInfo".encode("utf-16-le") + b"\0" * 64)
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("secret.xlsx", data))
    assert info.value.code == "encrypted"


def test_legacy_xls_refused():
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600))
    assert info.value.code == "legacy_xls"


def test_zip_bomb_refused_while_inflating(monkeypatch):
    # 200 MB of zeros in a part whose declared size we cannot trust
    monkeypatch.setattr(config, "MAX_INFLATED_BYTES", 50 * 1024 * 1024)
    bomb = _xlsx_zip({"[Content_Types].xml": b"<Types/>",
                      "xl/worksheets/sheet1.xml": b"<worksheet>" + b"0" * (200 * 1024 * 1024)})
    assert len(bomb) < 1024 * 1024
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("bomb.xlsx", bomb))
    assert info.value.code == "zip_bomb"


def test_xml_entity_bomb_refused():
    billion = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
               b'<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><workbook>&lol2;</workbook>')
    data = _xlsx_zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": billion})
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload("lol.xlsx", data))
    assert info.value.code == "xml_attack"


def test_too_large_refused(monkeypatch, make_upload):
    monkeypatch.setattr(config, "MAX_FILE_BYTES", 1000)
    with pytest.raises(FileRejected) as info:
        inspect_file(make_upload())
    assert info.value.code == "too_large"
    assert "MB" in __import__("analysis.i18n", fromlist=["t"]).t(
        "problem.too_large", "en", **info.value.params)


def test_too_many_rows_refused(monkeypatch, make_upload):
    monkeypatch.setattr(config, "MAX_ROWS", 5)
    with pytest.raises(FileRejected) as info:
        validate_upload(make_upload())
    assert info.value.code == "too_many_rows"


def test_formula_cells_without_cached_values_do_not_crash(tmp_path):
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Økter"
    ws.append(["økt_id", "rekruttering", "kandidat", "dato", "start", "slutt", "status"])
    ws.append(["S1", "=A1", "C", "01.02.2026", "09:00", "09:35", "gjennomført"])
    q = wb.create_sheet("Spørsmål")
    q.append(["økt_id", "nr", "spørsmål"])
    q.append(["S1", 1, "=HYPERLINK(\"http://x\")"])
    path = tmp_path / "formulas.xlsx"
    wb.save(path)
    v = validate_upload(Upload.from_path(path))
    assert not v.ok  # openpyxl stores no cached value: the cells read as empty and are required
    assert {p.code for p in v.errors} == {"required"}


def test_two_far_apart_cells_are_refused_before_the_reader_allocates_the_grid(tmp_path):
    # 10 kB on disk, but a dense A1:GJ200000 grid would need about 30 GB in the reader
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sessions"
    ws["A1"] = "session_id"
    ws.cell(row=200_000, column=5_000, value="x")
    path = tmp_path / "sparse.xlsx"
    wb.save(path)
    assert path.stat().st_size < 20_000
    with pytest.raises(FileRejected) as info:
        validate_upload(Upload.from_path(path))
    assert info.value.code == "too_many_cells"
    assert info.value.params == {"rows": 200_000, "cols": 5_000, "limit": config.MAX_CELLS}


def test_a_cell_beyond_the_row_limit_is_refused(tmp_path, monkeypatch):
    monkeypatch.setattr(config, "MAX_ROWS", 1000)
    wb = openpyxl.Workbook()
    wb.active["A1"] = "session_id"
    wb.active["A5000"] = "x"
    path = tmp_path / "long.xlsx"
    wb.save(path)
    with pytest.raises(FileRejected) as info:
        inspect_file(Upload.from_path(path))
    assert (info.value.code, info.value.params["rows"]) == ("too_many_rows", 5000)
