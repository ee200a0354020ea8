"""Hostile text end to end (issue 10): control characters, NUL, over-long fields, Markdown and
HTML, zero-width characters go through import, every page (AppTest) and every export and command
line, on SQLite and on PostgreSQL, and nothing raises. (That user text renders as text, not markup,
is checked where it is rendered: tests/test_format.py and the browser tests.)"""
from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from streamlit.testing.v1 import AppTest

from analysis import (
    access_export,
    audit_export,
    build_guide,
    export_comparison,
    guide_bytes,
    problems_to_bytes,
    safe_csv,
)
from analysis.cli.main import main as cli
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from tests.conftest import ROOT, FixedLabeller
from tests.hostile import ZERO_WIDTH, escaped_workbook, hostile_sheets

PAGES = sorted(p.name for p in (ROOT / "app_pages").glob("*.py"))
CONTROL = "\x00\x01\x07\x0b\x1b"


def _hostile_workbook() -> bytes:
    sheets = hostile_sheets()
    feedback = sheets["Tilbakemelding"]
    # a third answer, so the experience page shows the recruitment's feedback (privacy minimum)
    sheets["Tilbakemelding"] = pd.concat([feedback, feedback.iloc[[1]].assign(
        kommentar="<b>tredje</b>{VT} svar")], ignore_index=True)
    return escaped_workbook(sheets)


@pytest.fixture(scope="module", params=["sqlite",
                                        pytest.param("postgresql", marks=pytest.mark.postgres)])
def hostile(request, tmp_path_factory):
    """A store holding the hostile workbook, once per database for the whole module."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('hostile') / 'store.sqlite'}"
    else:
        import psycopg

        base = request.getfixturevalue("postgres_url")
        with psycopg.connect(base.replace("postgresql+psycopg://", "postgresql://"),
                             autocommit=True) as conn:
            conn.execute('CREATE DATABASE "hostile"')
        url = base.rsplit("/", 1)[0] + "/hostile"
    store = Store(url)
    upload = Upload("hostile.xlsx", _hostile_workbook())
    validated = store.validate(upload)
    assert validated.ok, [(p.sheet, p.row, p.column, p.code) for p in validated.errors]
    assert {p.code for p in validated.warnings} <= {"control_chars", "duration"}
    store.import_upload(upload, FixedLabeller())
    return store


def test_the_store_holds_the_text_cleaned_and_named_once(hostile):
    sessions = hostile.sessions().set_index("session_id")
    assert sorted(sessions.index) == ["A1", "A2"]  # "A1\u200b" is A1
    assert sessions.loc["A1", "candidate"].startswith("Kari Nordmann ![n]")  # zero-width gone
    assert ZERO_WIDTH not in sessions.loc["A1", "candidate"]
    texts = "\n".join(map(str, [*sessions.astype(str).to_numpy().ravel(),
                               *hostile.questions()["question"], *hostile.feedback()["comment"]]))
    assert not any(ch in texts for ch in CONTROL)
    assert len(hostile.questions()) == 3 and len(hostile.ratings()) == 2


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders_the_hostile_store(hostile, page, monkeypatch, tmp_path):
    from streamlit import config as st_config

    monkeypatch.setenv("OMVENDT_DATABASE_URL", hostile.url)
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(tmp_path / "no-model.npz"))
    monkeypatch.delenv("OMVENDT_TEAM_MODE", raising=False)
    st_config.set_option("client.showErrorDetails", "full")
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    if page != "overview.py":
        at.switch_page(f"app_pages/{page}").run()
    assert not at.exception, [e.value for e in at.exception]
    for toggle in at.toggle:  # and with pseudonyms on
        if toggle.key == "pseudonyms":
            toggle.set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    if page == "import_data.py":  # the validation report of the hostile file, as uploaded
        at.file_uploader(key="import_files").upload("hostile.xlsx", _hostile_workbook()).run()
        assert not at.exception, [e.value for e in at.exception]


def _no_control_characters(name: str, data: bytes) -> None:
    assert data, name
    if data[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            for part in (n for n in zf.namelist() if n.endswith((".xml", ".rels"))):
                xml = zf.read(part).decode("utf-8")
                assert not any(ch in xml for ch in CONTROL), (name, part)
    elif not data.startswith(b"%PDF"):
        assert not any(ch in data.decode("utf-8-sig") for ch in CONTROL), name


def test_every_export_survives_the_hostile_store(hostile, tmp_path):
    recruitment = hostile.sessions()["recruitment"].iloc[0]
    candidate = hostile.sessions().set_index("session_id").loc["A1", "candidate"]
    files = {
        "access_by_key.xlsx": access_export(hostile, "A1"),
        "access_by_name.xlsx": access_export(hostile, candidate),
        "compare.xlsx": export_comparison(hostile, recruitment),
        "compare_pseudonyms.xlsx": export_comparison(hostile, recruitment, "en", True),
        "audit.xlsx": audit_export(hostile, "xlsx"),
        "audit.csv": audit_export(hostile, "csv"),
        "problems.xlsx": problems_to_bytes(
            hostile.validate(Upload("h.xlsx", _hostile_workbook())).problems, "nb"),
    }
    for name, frame in (("sessions", hostile.sessions()), ("questions", hostile.questions()),
                        ("ratings", hostile.ratings()), ("feedback", hostile.feedback())):
        files[f"{name}.csv"] = safe_csv(frame)
    for session in ("A1", "A2"):
        for lang in ("nb", "en"):
            for pseudonyms in (False, True):
                guide = build_guide(hostile, session, lang, pseudonyms)
                for fmt in ("pdf", "docx", "xlsx"):
                    files[f"guide_{session}_{lang}_{pseudonyms}.{fmt}"] = guide_bytes(guide, fmt)
    for name, data in files.items():
        _no_control_characters(name, data)
        if name.endswith(".xlsx"):
            load_workbook(io.BytesIO(data))  # opens
    # the command line's reports and exports, with the hostile names as arguments
    for argv in (["compare", recruitment, "-o", str(tmp_path / "c.xlsx")],
                 ["guide", "A1", "-o", str(tmp_path / "g.pdf")],
                 ["guide", "A2", "--lang", "en", "-o", str(tmp_path / "g.docx")],
                 ["guide", "A1", "--pseudonyms", "-o", str(tmp_path / "g.xlsx")],
                 ["access-export", "A1", "-o", str(tmp_path / "a.xlsx")],
                 ["audit", "--csv", str(tmp_path / "audit.csv")],
                 ["summary", "--json"], ["metrics", "--json"]):
        assert cli([*argv, "--db", hostile.url]) == 0, argv


def test_over_long_fields_are_refused_the_same_on_both_databases(hostile):
    sheets = hostile_sheets()
    sheets["Økter"].loc[1, "kandidat"] = "z" * 301
    validated = hostile.validate(Upload("long.xlsx", escaped_workbook(sheets)))
    assert [(p.sheet, p.row, p.column, p.code) for p in validated.errors] == [
        ("Økter", 3, "candidate", "too_long")]
