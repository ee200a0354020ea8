"""Text hygiene (issue 10): control characters are decided once at import (dropped, with a warning
naming the row and column), identifiers are normalised (NFKC, no zero-width characters, one
space), and every writer survives any text a store already holds."""
from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from analysis import (
    access_export,
    audit_export,
    build_guide,
    export_comparison,
    guide_bytes,
    problems_to_bytes,
    safe_csv,
    workbook_bytes,
)
from analysis.cli.main import main as cli
from analysis.store.models import Question, Rating, Session
from analysis.text import export_text, identifier, show_controls, strip_controls
from analysis.workbook.reading import Upload
from analysis.workbook.schema import Problem
from tests.conftest import minimal_sheets
from tests.hostile import escaped_workbook

CONTROLS = "".join(map(chr, [*range(0, 9), 11, 12, *range(14, 32), 127, 0x85, 0x9F, 0xFFFE]))


# -- the rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, clean", [
    ("Hva\x0bnå?", "Hva\nnå?"),          # Word's manual line break becomes a line break
    ("a\x00b\x1bc\x7fd\x85e", "abcd\ne"),
    ("tab\tand\r\nlines", "tab\tand\r\nlines"),  # tab, CR and LF stay
    (CONTROLS, "\n\n\n"),
    ("ok", "ok"),
])
def test_strip_controls(raw, clean):
    assert strip_controls(raw) == clean
    assert export_text(raw) == clean


def test_show_controls_makes_them_visible():
    assert show_controls("a\x00b\x0bc\x1b\x7f\x85") == "a␀b␋c␛␡\\x85"


@pytest.mark.parametrize("raw, clean", [
    ("Ka\u200bri", "Kari"),                       # zero-width space
    ("Ka\u200d\u200cri\u2060\ufeff", "Kari"),     # joiners, word joiner, byte-order mark
    ("\u200fKari\u200e", "Kari"),                 # direction marks
    ("Ka\u00adri", "Kari"),                       # soft hyphen
    ("  Kari \t\n Nordmann  ", "Kari Nordmann"),  # white space collapsed
    ("Kari\u00a0Nordmann", "Kari Nordmann"),      # no-break space
    ("Ｋａｒｉ", "Kari"),                          # full-width letters (NFKC)
    ("A\u030a se", "Å se"),                       # combining ring (NFKC composes)
    ("Per\x00 Leder", "Per Leder"),
])
def test_identifier_normal_form(raw, clean):
    assert identifier(raw) == clean


# -- at import ------------------------------------------------------------------------------------


def test_import_drops_control_characters_with_a_warning_naming_row_and_column(store, labeller):
    """A vertical tab (``_x000B_``) and a NUL (``_x0000_``) import on SQLite and PostgreSQL alike,
    as line break and nothing, each with a warning naming the sheet, row and column."""
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[1, "spørsmål"] = "Hva skjedde{VT}med forgjengeren?"
    sheets["Vurderinger"].loc[0, "notat"] = "God{NUL} samtale"
    upload = Upload("ctl.xlsx", escaped_workbook(sheets))
    validated = store.validate(upload)
    assert validated.ok
    warned = {(p.sheet, p.row, p.column, p.value) for p in validated.warnings
              if p.code == "control_chars"}
    assert warned == {("Spørsmål", 3, "question", "Hva skjedde␋med forgjengeren?"),
                      ("Vurderinger", 2, "note", "God␀ samtale")}
    assert all(p.message("nb") and p.message("en") for p in validated.warnings)
    store.import_upload(upload, labeller)
    texts = store.questions().set_index("seq")["question"]
    assert texts[2] == "Hva skjedde\nmed forgjengeren?"
    assert store.ratings().set_index("rater").loc["Per Leder", "note"] == "God samtale"


def test_a_value_of_control_characters_only_is_an_empty_required_value(sqlite_store):
    sheets = minimal_sheets()
    sheets["Økter"].loc[1, "kandidat"] = "{NUL}{VT}"
    validated = sqlite_store.validate(Upload("x.xlsx", escaped_workbook(sheets)))
    assert ("Økter", 3, "candidate", "required") in {
        (p.sheet, p.row, p.column, p.code) for p in validated.errors}


def test_zero_width_characters_do_not_make_a_second_rater(sqlite_store):
    """``Ka\\u200bri`` is the rater ``Kari``: two rows for one session are a duplicate."""
    sheets = minimal_sheets()
    sheets["Vurderinger"]["vurderer"] = ["Kari", "Ka\u200bri"]
    validated = sqlite_store.validate(Upload("zw.xlsx", workbook_bytes(sheets)))
    assert [(p.row, p.column, p.code) for p in validated.errors] == [(3, "rater",
                                                                      "duplicate_rater")]


def test_identifiers_are_stored_in_normal_form(sqlite_store, labeller):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "økt_id"] = "A\u200b1"
    sheets["Økter"].loc[0, "kandidat"] = " Kari\u00a0 Nord\u00admann "
    sheets["Økter"]["rekruttering"] = "Driftssjef\u200b  Bergen"
    sheets["Vurderinger"]["vurderer"] = ["Per\u2060 Leder", "Ｏｌｇａ Observatør"]
    sheets["Tilbakemelding"]["rekruttering"] = "Driftssjef Bergen"  # matches after normalising
    sqlite_store.import_upload(Upload("n.xlsx", workbook_bytes(sheets)), labeller)
    sessions = sqlite_store.sessions().set_index("session_id")
    assert sessions.loc["A1", "candidate"] == "Kari Nordmann"
    assert set(sessions["recruitment"]) == {"Driftssjef Bergen"}
    assert len(sqlite_store.questions()) == 3  # the questions found their session
    assert sorted(sqlite_store.ratings()["rater"]) == ["Olga Observatør", "Per Leder"]


# -- every writer survives what a store holds -------------------------------------------------------


@pytest.fixture
def dirty(store, labeller):
    """A store whose text holds control characters written before the import dropped them (on
    PostgreSQL, which refuses NUL, every other control character)."""
    store.import_upload(Upload("log.xlsx", workbook_bytes(minimal_sheets())), labeller)
    nul = "" if store.engine.dialect.name == "postgresql" else "\x00"
    junk = f"\x0b{nul}\x01\x1b\x7f"
    with store.transaction() as db:
        db.execute(update(Question).values(text=Question.text + junk))
        db.execute(update(Rating).values(note=f"Notat{junk}"))
        db.execute(update(Session).where(Session.key == "A1").values(
            candidate=f"Kari{junk} Nordmann"))
    return store


def _xlsx_text(data: bytes) -> str:
    wb = load_workbook(io.BytesIO(data))
    return "\n".join(str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row)


def test_every_export_survives_control_characters_in_the_store(dirty, tmp_path):
    """The exports the issue names (access export, comparison workbook, guide in docx, xlsx and
    pdf, the audit trail) all work, and none of their files holds a control character."""
    files = {
        "access.xlsx": access_export(dirty, "A1"),
        "compare.xlsx": export_comparison(dirty, "Driftssjef Bergen"),
        "audit.xlsx": audit_export(dirty, "xlsx"),
        "audit.csv": audit_export(dirty, "csv"),
        "problems.xlsx": problems_to_bytes([Problem("f\x00", "s", 2, "c", "v\x0b\x00", "warning",
                                                    "control_chars")], "nb"),
        "frame.csv": safe_csv(dirty.questions()),
    }
    for lang in ("nb", "en"):
        guide = build_guide(dirty, "A1", lang)
        for fmt in ("pdf", "docx", "xlsx"):
            files[f"guide_{lang}.{fmt}"] = guide_bytes(guide, fmt)
    assert "Kari\n Nordmann" in _xlsx_text(files["access.xlsx"])  # the vertical tab: a break
    for name, data in files.items():
        assert data, name
        if name.endswith((".xlsx", ".docx")):
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                for part in (n for n in zf.namelist() if n.endswith((".xml", ".rels"))):
                    xml = zf.read(part).decode("utf-8")
                    assert not any(ch in xml for ch in "\x00\x01\x0b\x1b"), (name, part)
        elif name.endswith(".csv"):
            assert not any(ch in data.decode("utf-8-sig") for ch in "\x00\x01\x0b\x1b"), name
    # the command line's exports too
    for argv in (["compare", "Driftssjef Bergen", "-o", str(tmp_path / "c.xlsx")],
                 ["guide", "A1", "-o", str(tmp_path / "g.docx")],
                 ["guide", "A1", "-o", str(tmp_path / "g.xlsx")],
                 ["guide", "A1", "-o", str(tmp_path / "g.pdf")],
                 ["access-export", "A1", "-o", str(tmp_path / "a.xlsx")]):
        assert cli([*argv, "--db", dirty.url]) == 0, argv
    assert (tmp_path / "g.docx").stat().st_size > 0


def test_writers_keep_text_without_control_characters_unchanged():
    frame = pd.DataFrame({"q": ["Hvorfor?\nFordi.", "Tab\there", "æøå – “sitat”"]})
    back = load_workbook(io.BytesIO(workbook_bytes({"s": frame})))["s"]
    assert [c.value for c in back["A"]][1:] == frame["q"].tolist()
