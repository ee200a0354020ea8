"""The workbook's schema checks what the store can hold, the same on SQLite and PostgreSQL
(issue 10, defects 6 and 8): text longer than the database's column and NUL bytes are found by
the validator with their row and column, and dates outside a plausible window are refused."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import String

from analysis.errors import WorkbookError
from analysis.store.models import Rating, Recruitment, Session
from analysis.workbook.reading import Upload
from analysis.workbook.schema import FEEDBACK, QUESTIONS, RATINGS, SESSIONS, SHEETS
from analysis.workbook.writing import workbook_bytes
from tests.conftest import minimal_sheets
from tests.hostile import escaped_workbook

#: Where each sheet's text column is stored.
STORED_IN = {
    (SESSIONS, "session_id"): Session.key, (SESSIONS, "recruitment"): Recruitment.name,
    (SESSIONS, "candidate"): Session.candidate, (SESSIONS, "manager"): Session.manager,
    (QUESTIONS, "session_id"): Session.key, (RATINGS, "session_id"): Session.key,
    (RATINGS, "rater"): Rating.rater, (FEEDBACK, "recruitment"): Recruitment.name,
    (FEEDBACK, "session_id"): Session.key,
}


def test_every_limited_column_is_checked_at_its_database_length():
    for (sheet, name), column in STORED_IN.items():
        kind = column.property.columns[0].type
        assert isinstance(kind, String) and kind.length
        assert sheet.column(name).max_len == kind.length, (sheet.key, name)
    # and every other text column goes to an unlimited Text column
    limited = {(s.key, c) for s, c in STORED_IN}
    for sheet in SHEETS:
        for col in sheet.columns:
            if col.kind == "text" and (sheet.key, col.name) not in limited:
                assert col.max_len is None, (sheet.key, col.name)
                assert col.name in ("question", "note", "comment")


def test_too_long_text_and_nul_bytes_are_found_with_row_and_column(store, labeller):
    """What crashed PostgreSQL after "no problems found": a 301-character candidate, a
    201-character session_id and rater, and a NUL byte. Both databases now refuse the same file
    with the same problems, and write nothing."""
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "kandidat"] = "K" * 301
    sheets["Økter"].loc[1, "økt_id"] = "S" * 201
    sheets["Vurderinger"].loc[1, "vurderer"] = "R" * 201
    sheets["Spørsmål"].loc[0, "spørsmål"] = "Hvorfor{NUL}?"
    upload = Upload("long.xlsx", escaped_workbook(sheets))
    validated = store.validate(upload)
    found = {(p.sheet, p.row, p.column, p.code, p.severity) for p in validated.problems}
    assert found == {("Økter", 2, "candidate", "too_long", "error"),
                     ("Økter", 3, "session_id", "too_long", "error"),
                     ("Vurderinger", 3, "rater", "too_long", "error"),
                     ("Spørsmål", 2, "question", "control_chars", "warning")}
    long = next(p for p in validated.problems if p.column == "candidate")
    assert long.params == {"limit": 300, "length": 301}
    assert "300" in long.message("nb") and "300" in long.fix("en")
    with pytest.raises(WorkbookError):
        store.import_upload(upload, labeller)
    assert store.summary()["sessions"] == 0
    # at the limits exactly, and with the NUL, it imports on both databases
    sheets["Økter"].loc[0, "kandidat"] = "K" * 300
    sheets["Økter"].loc[1, "økt_id"] = "S" * 200
    sheets["Vurderinger"].loc[1, "vurderer"] = "R" * 200
    store.import_upload(Upload("limit.xlsx", escaped_workbook(sheets)), labeller)
    assert store.summary()["sessions"] == 2
    assert "Hvorfor?" in set(store.questions()["question"])


# -- dates (defect 8) -------------------------------------------------------------------------------


@pytest.mark.parametrize("sheet, column, value", [
    ("Økter", "dato", "01.01.1900"),
    ("Økter", "dato", 45),                       # a number typed in a date column: 1900-02-13
    ("Økter", "andregangsintervju", "2100-12-31"),
    ("Vurderinger", "levert", "31.12.2999 12:00"),
    ("Tilbakemelding", "levert", "1999-12-31"),
])
def test_implausible_dates_are_errors_with_row_and_column(sqlite_store, sheet, column, value):
    sheets = minimal_sheets()
    frame = sheets[sheet]
    frame[column] = frame[column].astype(object) if column in frame else None
    frame.loc[0, column] = value
    validated = sqlite_store.validate(Upload("dates.xlsx", workbook_bytes(sheets)))
    problems = [(p.sheet, p.row, p.code) for p in validated.errors]
    assert problems == [(sheet, 2, "implausible_date")]
    problem = validated.errors[0]
    assert "2000" in problem.message("nb") and problem.fix("en")


def test_the_plausible_window_ends_a_year_from_today(sqlite_store):
    sheets = minimal_sheets()
    soon = dt.date.today() + dt.timedelta(days=300)  # a second interview already planned
    sheets["Økter"]["andregangsintervju"] = [soon.isoformat(), "2000-01-01"]
    assert sqlite_store.validate(Upload("ok.xlsx", workbook_bytes(sheets))).ok


def test_headers_written_with_hyphens_or_spaces_are_the_template_columns():
    from analysis.workbook.schema import QUESTIONS, SESSIONS, code_of, column_for, sheet_for

    for header in ("Økt-ID", "økt id", "Session-ID", "SESSION_ID", "økt\u2013id"):
        assert column_for(SESSIONS, header).name == "session_id", header
    assert column_for(SESSIONS, "Leder-minutter").name == "manager_minutes"
    assert column_for(QUESTIONS, "Økt-ID").name == "session_id"
    assert sheet_for("Økter").key == "sessions" and sheet_for("Spørsmål-ark") is None
    # codes keep their hyphen: the fit codes are written with one
    assert code_of("fit", "Person-Job") == "job"
