"""No export lets a spreadsheet run a formula from user text: every Excel and CSV export path is
read back and no cell is a formula or starts with = + - @ tab or CR."""
from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from analysis.store import audit, privacy
from analysis.store.models import Feedback, Question, Rating, Recruitment, Session
from analysis.workbook.reading import Upload
from analysis.workbook.schema import Problem
from analysis.workbook.writing import (
    neutralise,
    problems_to_bytes,
    safe_csv,
    safe_frame,
    workbook_bytes,
)
from tests.conftest import FixedLabeller, minimal_sheets

PAYLOADS = ['=HYPERLINK("http://evil.invalid","klikk")', "+1+cmd|' /C calc'!A0", "-2+3",
            "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1", "=1+1"]
DANGEROUS = ("=", "+", "-", "@", "\t", "\r")


def assert_inert_xlsx(data: bytes) -> int:
    """Every cell of every sheet is inert; returns how many text cells were checked."""
    wb = load_workbook(io.BytesIO(data))
    checked = 0
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                if isinstance(cell.value, str):
                    checked += 1
                    assert not cell.value.startswith(DANGEROUS), (ws.title, cell.value)
    return checked


def assert_inert_csv(data: bytes) -> int:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    for row in rows:
        for field in row:
            assert not field.startswith(DANGEROUS), field
    return sum(len(r) for r in rows)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_neutralise_prefixes_an_apostrophe(payload):
    assert neutralise(payload) == "'" + payload
    assert neutralise("Hvorfor er stillingen ledig?") == "Hvorfor er stillingen ledig?"
    assert neutralise(-3) == -3  # numbers stay numbers


@pytest.mark.parametrize("dtype", [object, "string", "category"])
def test_safe_frame_neutralises_every_text_column_and_header(dtype):
    frame = pd.DataFrame({"=bad header": pd.Series(PAYLOADS, dtype=dtype),
                          "n": range(len(PAYLOADS))})
    safe = safe_frame(frame)
    assert list(safe.columns) == ["'=bad header", "n"]
    assert all(v.startswith("'") for v in safe.iloc[:, 0])
    assert list(safe["n"]) == list(range(len(PAYLOADS)))
    assert_inert_xlsx(workbook_bytes({"x": frame}))
    assert_inert_csv(safe_csv(frame))


def test_validation_report_is_inert():
    problems = [Problem(file="=evil.xlsx", sheet="+Økter", row=2, column="kandidat", value=p,
                        severity="error", code="bad_value") for p in PAYLOADS]
    for lang in ("nb", "en"):
        assert assert_inert_xlsx(problems_to_bytes(problems, lang)) > len(PAYLOADS)


@pytest.fixture
def hostile(sqlite_store):
    """A store whose every text field holds a formula-like payload (as if typed by a user)."""
    store = sqlite_store
    store.import_upload(Upload("=cmd|' /C calc'!A0.xlsx", workbook_bytes(minimal_sheets())),
                        FixedLabeller())
    with store.transaction() as db:
        db.execute(update(Session).where(Session.key == "A1").values(
            candidate=PAYLOADS[0], manager=PAYLOADS[1]))
        db.execute(update(Question).values(text=PAYLOADS[2]))
        db.execute(update(Rating).where(Rating.rater == "Per Leder").values(
            note=PAYLOADS[3], rater="@rater"))
        db.execute(update(Feedback).values(comment=PAYLOADS[4]))
        db.execute(update(Recruitment).values(name="=Driftssjef"))
    store.correct(int(store.questions()["id"].iloc[0]), "group")
    return store


def test_access_export_is_inert(hostile):
    assert assert_inert_xlsx(privacy.access_export(hostile, "A1")) > 20


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_audit_export_is_inert(hostile, fmt):
    data = audit.audit_export(hostile, fmt)
    checked = assert_inert_xlsx(data) if fmt == "xlsx" else assert_inert_csv(data)
    assert checked > 5
    text = data.decode("utf-8-sig") if fmt == "csv" else ""
    if fmt == "csv":
        assert "'=cmd" in text  # the hostile file name is there, neutralised


def test_store_frames_downloaded_as_csv_are_inert(hostile):
    # the pages' CSV downloads go through `safe_csv` (ui.download_csv)
    for frame in (hostile.sessions(), hostile.questions(), hostile.feedback(),
                  hostile.corrections(), hostile.ratings(), hostile.import_log()):
        assert_inert_csv(safe_csv(frame))
        assert_inert_xlsx(workbook_bytes({"x": frame}))


def test_comparison_workbook_is_inert(hostile):
    reports = pytest.importorskip("analysis.reports.comparison")
    data = reports.export_comparison(hostile, "=Driftssjef", "en")
    assert assert_inert_xlsx(data) > 10


def test_guide_workbook_is_inert(hostile):
    guide = pytest.importorskip("analysis.reports.guide")
    data, _name, _mime = guide.export_guide(hostile, "A1", "xlsx", "nb")
    assert assert_inert_xlsx(data) > 5


def test_pseudonymised_export_is_inert(hostile):
    frame = privacy.pseudonymise(hostile.sessions(), hostile.sessions(), "en")
    assert "Finalist A" in set(frame["candidate"])
    assert_inert_xlsx(workbook_bytes({"x": frame}))
