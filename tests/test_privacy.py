"""Erasure keeps the anonymous figures and removes the person; retention; access requests."""
from __future__ import annotations

import io
import os

import pandas as pd
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from analysis import (
    ERASED_NAME,
    access_export,
    apply_retention,
    erase_candidate,
    pseudonym_map,
    retention_due,
    retention_months,
    session_figures,
    set_retention_months,
)
from analysis.errors import NotFound
from analysis.store.accounts import assign, create_account
from analysis.store.audit import audit_log
from analysis.store.models import Base
from analysis.store.ratings import set_required_raters
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import minimal_sheets

PERSONAL = ["Kari Nordmann", "Hvorfor er stillingen ledig?", "Hva skjedde med forgjengeren?",
            "Hvordan gir du tilbakemelding?", "God samtale", "Trygg"]


def _all_text(store) -> str:
    """Every value of every table of the store, as one string."""
    parts = []
    with store.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for row in conn.execute(select(table)):
                parts.append(repr(tuple(row)))
    return "\n".join(parts)


@pytest.fixture
def loaded(store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    question = store.questions().query("seq == 3").iloc[0]
    store.correct(int(question["id"]), "group")
    return store


def test_erase_removes_the_person_from_every_table_and_keeps_the_figures(loaded):
    before = session_figures(loaded.sessions(), loaded.questions())
    before_q = loaded.questions()[["session_id", "seq", "minute", "follow_up_to", "fit",
                                   "fit_source"]]
    text = _all_text(loaded)
    assert all(p in text for p in PERSONAL)  # the scan would see them

    counts = erase_candidate(loaded, "A1")

    assert counts == {"questions": 3, "notes": 2, "feedback_links": 1, "comments": 0,
                      "corrections": 1, "scrubbed": 0}
    text = _all_text(loaded)
    for personal in PERSONAL:
        assert personal not in text
    after_q = loaded.questions()[before_q.columns]
    pd.testing.assert_frame_equal(after_q, before_q)  # fits, seq, follow-ups, corrections stay
    after = session_figures(loaded.sessions(), loaded.questions())
    fig_cols = [c for c in before.columns if c.startswith("n_")] + [
        "questions", "fits_covered", "follow_up_share", "max_depth"]
    pd.testing.assert_frame_equal(after[fig_cols], before[fig_cols])
    assert after.loc[0, "candidate"] == ERASED_NAME
    sessions = loaded.sessions().set_index("session_id")
    assert pd.notna(sessions.loc["A1", "erased_at"])
    assert pd.isna(sessions.loc["A2", "erased_at"])
    assert sessions.loc["A2", "candidate"] == "Ola Hansen"  # others untouched
    assert loaded.ratings()["note"].isna().all()
    assert loaded.ratings()["role_insight"].notna().all()  # scores stay
    assert len(loaded.feedback()) == 2 and loaded.feedback()["session_id"].isna().all()
    assert loaded.corrections().empty  # an erased session feeds no retraining


def test_erasure_audit_says_that_not_what(loaded):
    erase_candidate(loaded, "A1")
    log = audit_log(loaded, action="erase")
    assert len(log) == 1 and log.iloc[0]["target"] == "A1"
    assert log.iloc[0]["actor"] == "local"
    assert not any(p in log.astype(str).to_string() for p in PERSONAL)


def test_the_audit_trail_is_append_only_in_the_database(loaded):
    from sqlalchemy import delete, update
    from sqlalchemy.exc import DBAPIError

    from analysis.store.models import AuditEvent

    n = len(audit_log(loaded))
    for statement in (update(AuditEvent).values(actor="someone else"), delete(AuditEvent)):
        with pytest.raises(DBAPIError, match="append-only"):
            with loaded.transaction() as db:
                db.execute(statement)
    log = audit_log(loaded)
    assert len(log) == n and "someone else" not in set(log["actor"])


def test_erase_unknown_session_changes_nothing(loaded):
    version = loaded.version()
    with pytest.raises(NotFound):
        erase_candidate(loaded, "NOPE")
    assert loaded.version() == version


def test_erasure_is_one_transaction(loaded, monkeypatch):
    """A failure half-way leaves the session exactly as it was."""
    from analysis.store import privacy as mod

    real_update = mod.update
    calls = {"n": 0}

    def failing_update(model):
        calls["n"] += 1
        if calls["n"] == 4:  # after the name, the questions and the notes
            raise RuntimeError("disk full")
        return real_update(model)

    monkeypatch.setattr(mod, "update", failing_update)
    with pytest.raises(RuntimeError):
        erase_candidate(loaded, "A1")
    assert "Kari Nordmann" in set(loaded.sessions()["candidate"])
    assert "God samtale" in set(loaded.ratings()["note"])
    assert "Hvorfor er stillingen ledig?" in set(loaded.questions()["question"])


def test_reimport_does_not_bring_erased_data_back(loaded, make_upload, labeller):
    erase_candidate(loaded, "A1")
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[0, "spørsmål"] = "Hvorfor er stillingen ledig nå?"  # a changed file
    loaded.import_upload(make_upload(sheets), labeller)
    loaded.import_upload(make_upload(), labeller)
    assert "Kari Nordmann" not in _all_text(loaded)
    assert "Hvorfor er stillingen ledig" not in _all_text(loaded)


def test_retention_due_and_apply(store, make_upload, labeller):
    sheets = minimal_sheets()
    sheets["Økter"] = pd.concat([sheets["Økter"], pd.DataFrame({
        "økt_id": ["B1"], "rekruttering": ["Rektor Tromsø"], "kandidat": ["Nils Nilsen"],
        "dato": ["2026-09-01"], "start": ["10:00"], "slutt": ["10:35"],
        "leder_minutter": [25], "status": ["gjennomført"], "leder": ["Siv Sjef"]})],
        ignore_index=True)
    store.import_upload(make_upload(sheets), labeller)
    # 2026-03-04 + 6 months is 2026-09-04: due from that day on
    assert retention_due(store, 6, today=pd.Timestamp("2026-09-03")).empty
    due = retention_due(store, 6, today=pd.Timestamp("2026-09-04"))
    assert sorted(due["session_id"]) == ["A1", "A2"]
    assert set(due["due"].astype(str)) == {"2026-09-04"}
    erased = apply_retention(store, 6, today=pd.Timestamp("2026-09-05"))
    assert sorted(erased) == ["A1", "A2"]
    names = store.sessions().set_index("session_id")["candidate"]
    assert names["B1"] == "Nils Nilsen" and names["A1"] == ERASED_NAME
    assert retention_due(store, 6, today=pd.Timestamp("2026-09-05")).empty
    assert apply_retention(store, 6, today=pd.Timestamp("2026-09-05")) == []


def test_retention_counts_from_the_second_interview(store, make_upload, labeller):
    sheets = minimal_sheets()
    sheets["Økter"]["andregangsintervju"] = ["2026-05-01", None]
    store.import_upload(make_upload(sheets), labeller)
    assert retention_due(store, 6, today=pd.Timestamp("2026-10-01")).empty
    assert len(retention_due(store, 6, today=pd.Timestamp("2026-11-02"))) == 2


def test_retention_setting(store):
    assert retention_months(store) == 6
    set_retention_months(store, 12)
    assert retention_months(store) == 12
    with pytest.raises(Exception, match="1 to 120"):
        set_retention_months(store, 0)


def test_access_export_holds_everything_about_one_candidate(loaded):
    create_account(loaded, "rita", "rater password", "rater")
    assign(loaded, "rita", "A1")
    set_required_raters(loaded, "Driftssjef Bergen", 3)  # blind to raters, not to the candidate
    data = access_export(loaded, "kari nordmann")
    wb = load_workbook(io.BytesIO(data))
    assert {"sessions", "questions", "ratings", "feedback", "corrections", "assignments",
            "audit"} <= set(wb.sheetnames)
    cells = {str(c.value) for ws in wb for row in ws.iter_rows() for c in row}
    assert {"Kari Nordmann", "Hvorfor er stillingen ledig?", "God samtale", "rita"} <= cells
    assert "Ola Hansen" not in cells  # nobody else's data
    assert len(audit_log(loaded, action="access_export")) == 1
    # by session key too
    assert load_workbook(io.BytesIO(access_export(loaded, "A1")))["sessions"].max_row == 2
    with pytest.raises(NotFound):
        access_export(loaded, "Nobody Atall")


def test_access_export_neutralises_formulas(store, labeller):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "kandidat"] = "=HYPERLINK(\"http://evil\",\"x\")"
    sheets["Vurderinger"].loc[0, "notat"] = "+1+cmd"
    store.import_upload(Upload("f.xlsx", workbook_bytes(sheets)), labeller)
    wb = load_workbook(io.BytesIO(access_export(store, "A1")))
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (ws.title, cell.coordinate, cell.value)
                if isinstance(cell.value, str):
                    assert not cell.value.startswith(("=", "+", "-", "@")), cell.value


def test_pseudonyms_letter_finalists_per_recruitment(loaded):
    names = pseudonym_map(loaded.sessions(), "en")
    assert names == {"A1": "Finalist A", "A2": "Finalist B"}


def test_trust_commands(tmp_path, monkeypatch, capsys, make_upload, labeller):
    """create-admin, retention, access-export, erase and audit from the command line."""
    from analysis.cli.main import main
    from analysis.store.accounts import authenticate
    from analysis.store.core import Store

    url = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    store = Store(url)
    store.import_upload(make_upload(), labeller)
    monkeypatch.setattr("sys.stdin", io.StringIO("correct horse battery\n"))
    assert main(["create-admin", "boss", "--password-stdin", "--db", url]) == 0
    assert authenticate(store, "boss", "correct horse battery").role == "admin"
    monkeypatch.setattr("sys.stdin", io.StringIO("another password!\n"))
    assert main(["create-admin", "boss2", "--password-stdin", "--db", url]) == 2
    assert "exists already" in capsys.readouterr().err

    assert main(["retention", "--months", "1", "--db", url]) == 0
    out = capsys.readouterr().out
    assert "A1" in out and "--apply" in out
    assert store.sessions()["erased_at"].isna().all()  # listing erases nothing

    target = tmp_path / "access.xlsx"
    assert main(["access-export", "A1", "-o", str(target), "--db", url]) == 0
    assert "Kari Nordmann" in {c.value for ws in load_workbook(target) for row in ws.iter_rows()
                               for c in row}
    assert main(["access-export", "NOPE", "-o", str(tmp_path / "x.xlsx"), "--db", url]) == 2

    assert main(["erase", "A1", "--db", url]) == 0
    assert main(["retention", "--months", "1", "--apply", "--db", url]) == 0
    assert set(store.sessions()["candidate"]) == {ERASED_NAME}

    csv_out = tmp_path / "audit.csv"
    assert main(["audit", "--csv", str(csv_out), "--db", url]) == 0
    text = csv_out.read_text(encoding="utf-8-sig")
    assert "access_export" in text and "erase" in text and "Kari" not in text
    capsys.readouterr()
    assert main(["audit", "--db", url]) == 0
    assert "erase" in capsys.readouterr().out


def _with_comments(make_upload, name: str = "log.xlsx"):
    """The minimal workbook with the candidate's name in free text: her own feedback comment, an
    anonymous one, the other finalist's question and the observer's note on him."""
    sheets = minimal_sheets()
    sheets["Tilbakemelding"]["kommentar"] = ["Takk for sist! Hilsen Kari Nordmann",
                                             "Jeg møtte KARI  nordmann i gangen"]
    sheets["Økter"].loc[1, "status"] = "gjennomført"
    sheets["Økter"].loc[1, ["start", "slutt"]] = ["10:00", "10:35"]
    sheets["Spørsmål"] = pd.concat([sheets["Spørsmål"], pd.DataFrame({
        "økt_id": ["A2"], "nr": [1], "minutt": [2],
        "spørsmål": ["Hvordan gikk det med Kari Nordmann sitt intervju?"]})], ignore_index=True)
    return make_upload(sheets, name=name)


def test_erasure_scrubs_the_name_from_free_text(store, labeller, make_upload):
    """Issue 10, defect 7: free text linked to the candidate is erased (her feedback comment),
    and her name is scrubbed from the rest of the recruitment's free text and file names."""
    store.import_upload(_with_comments(make_upload, "Kari Nordmann.xlsx"), labeller)
    assert "Kari Nordmann" in _all_text(store)
    counts = erase_candidate(store, "A1")
    assert counts["comments"] == 1 and counts["scrubbed"] == 3
    # what remains is documented (docs/SECURITY.md): the append-only audit trail keeps the name
    # of the imported file
    text = _all_text(store).replace("'import', 'Kari Nordmann.xlsx'", "")
    assert "kari nordmann" not in text.casefold().replace("  ", " ")
    comments = store.feedback()["comment"]
    assert comments.isna().sum() == 1  # her own comment is gone
    assert f"Jeg møtte {ERASED_NAME} i gangen" in set(comments)
    other = store.questions().query("session_id == 'A2'")["question"].iloc[0]
    assert other == f"Hvordan gikk det med {ERASED_NAME} sitt intervju?"
    assert set(store.import_log()["file_name"]) == {f"{ERASED_NAME}.xlsx"}


def test_erased_data_does_not_linger_in_the_sqlite_files(sqlite_store, labeller, make_upload):
    """The name, the questions and the notes are gone from the database file and its write-ahead
    log, not only from the tables (``secure_delete`` and a WAL checkpoint)."""
    sqlite_store.import_upload(_with_comments(make_upload), labeller)
    path = sqlite_store.url.removeprefix("sqlite:///")
    before = b"".join(open(f, "rb").read() for f in (path, path + "-wal") if os.path.exists(f))
    assert "Kari Nordmann".encode() in before
    erase_candidate(sqlite_store, "A1")
    raw = b"".join(open(f, "rb").read() for f in (path, path + "-wal") if os.path.exists(f))
    for secret in ("Kari Nordmann", "KARI  nordmann", "Hvorfor er stillingen ledig?",
                   "God samtale", "Takk for sist"):
        assert secret.encode() not in raw, secret


def test_one_implausible_date_does_not_defeat_retention(store, make_upload, labeller):
    """Issue 10, defect 8: a second interview stored as 2100-12-31 (from before the import
    refused such dates) does not keep the recruitment forever; a recruitment whose every date is
    implausible counts from the day it was imported."""
    from sqlalchemy import update

    from analysis.store.models import Session

    store.import_upload(make_upload(), labeller)
    with store.transaction() as db:
        db.execute(update(Session).where(Session.key == "A2")
                   .values(second_interview=pd.Timestamp("2100-12-31").date()))
    due = retention_due(store, 6, today=pd.Timestamp("2026-09-04"))
    assert sorted(due["session_id"]) == ["A1", "A2"]
    assert set(due["last_date"].astype(str)) == {"2026-03-04"}
    with store.transaction() as db:
        db.execute(update(Session).values(date=pd.Timestamp("1900-01-01").date(),
                                          second_interview=None))
    imported = pd.Timestamp.now().normalize()  # the recruitment was created just now
    assert retention_due(store, 6, today=imported + pd.DateOffset(months=5)).empty
    assert len(retention_due(store, 6, today=imported + pd.DateOffset(months=6, days=1))) == 2
