"""The sample workbook, the real-spreadsheet fixtures and the import/summary commands."""
from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis.workbook.reading import Upload, validate_upload
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = ROOT / "sample_data" / "omvendt_sample.xlsx"


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    validated = validate_upload(Upload.from_path(SAMPLE))
    assert validated.ok, [p.message("en") for p in validated.errors]
    return validated.frames


def _depths(q: pd.DataFrame) -> pd.Series:
    """How deep each question sits in its follow-up chain (0 for a new topic)."""
    parent = {(s, int(n)): (s, int(p)) for s, n, p in
              zip(q["session_id"], q["seq"], q["follow_up_to"]) if pd.notna(p)}

    def depth(key):
        d = 0
        while key in parent:
            key, d = parent[key], d + 1
        return d
    return pd.Series([depth((s, int(n))) for s, n in zip(q["session_id"], q["seq"])],
                     index=q.index)


def test_sample_imports_with_only_the_intended_warning(store, sample_workbook):
    validated = store.validate(Upload.from_path(sample_workbook))
    assert validated.errors == []
    assert [(p.code, p.sheet, p.row) for p in validated.warnings] == [("duration", "Økter", 6)]
    store.import_upload(Upload.from_path(sample_workbook))
    assert store.summary() == {"recruitments": 3, "sessions": 8, "questions": 141,
                               "ratings": 14, "feedback": 15}
    sessions = store.sessions().set_index("session_id")
    assert sessions.loc["DB-03", "status"] == "declined"
    assert str(sessions.loc["AS-02", "end"])[:5] == "10:44"
    # a person's own labels come through; most questions are left for the model
    q = store.questions()
    assert 5 <= q["fit_workbook"].notna().sum() <= 20
    assert set(q["fit_workbook"].dropna()) == {"job", "group", "supervisor", "organization",
                                               "other"}


def test_sample_shape(frames):
    s, q, r, f = (frames[k] for k in ("sessions", "questions", "ratings", "feedback"))
    assert s["recruitment"].nunique() >= 3
    per_rec = s.groupby("recruitment").size()
    assert per_rec.between(2, 3).all()
    declined = s[s["status"] == "declined"]
    assert len(declined) == 1
    assert not q["session_id"].isin(declined["session_id"]).any()
    held = s[s["status"] == "held"]
    counts = q.groupby("session_id").size().reindex(held["session_id"], fill_value=0)
    assert counts.between(15, 30).all(), counts.to_dict()
    # follow-up chains reach three deep and no deeper
    assert _depths(q).max() == 3
    # minutes increase within each session and stay inside the candidate's part
    for sid, group in q.groupby("session_id"):
        assert group.sort_values("seq")["minute"].is_monotonic_increasing, sid
        row = held.set_index("session_id").loc[sid]
        length = (row["end"].hour * 60 + row["end"].minute) - (
            row["start"].hour * 60 + row["start"].minute)
        assert group["minute"].max() <= length
    # two raters per held session, a manager and an observer
    roles = r.groupby("session_id")["role"].apply(sorted)
    assert set(roles.index) == set(held["session_id"])
    assert all(v == ["manager", "observer"] for v in roles)
    assert r[list(("role_insight", "priorities", "conversation", "follow_up",
                   "composure"))].notna().all().all()
    # feedback: 4–8 answers per recruitment, some anonymous, some with comments
    assert f.groupby("recruitment").size().between(4, 8).all()
    assert f["session_id"].isna().sum() >= 3
    assert f["comment"].notna().sum() >= 8


def test_sample_has_an_english_recruitment(frames):
    s, q = frames["sessions"], frames["questions"]
    rec_of = s.set_index("session_id")["recruitment"]
    q = q.assign(recruitment=q["session_id"].map(rec_of))
    nb_words = r"\b(?:hva|hvordan|hvor|hvem|hvilke|når|er|det|dere|du|jeg|på|får|blir|kan|har)\b"
    norwegian = q["question"].str.contains(nb_words, case=False)
    by_rec = norwegian.groupby(q["recruitment"]).mean()
    assert (by_rec == 0).sum() == 1, by_rec.to_dict()  # one recruitment wholly in English
    assert (by_rec > 0.95).sum() >= 2


def test_sample_gives_the_process_checks_something_to_flag(frames):
    s, r = frames["sessions"], frames["ratings"]
    days = s.groupby("recruitment")["date"].nunique()
    assert (days > 1).sum() == 1  # one recruitment had a finalist on another day
    second = s.set_index("session_id")["second_interview"]
    late = r[r["submitted"] > r["session_id"].map(
        lambda k: dt.datetime.combine(second[k], dt.time()))]
    assert list(late["session_id"]) == ["AS-03"]
    # raters disagree on some scores, as independent raters do
    pivot = r.groupby("session_id")["role_insight"].agg(lambda x: x.nunique())
    assert (pivot > 1).any()


def _parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as zf:
        return {name: zf.read(name) for name in zf.namelist()}


def test_sample_matches_its_build_script(tmp_path):
    """The committed workbook is what build_sample.py writes (part for part, so a different
    zlib cannot fail it): run the script after changing it."""
    out = tmp_path / "sample.xlsx"
    subprocess.run([sys.executable, str(ROOT / "sample_data" / "build_sample.py"), str(out)],
                   check=True, capture_output=True)
    assert _parts(out) == _parts(SAMPLE)


# -- files written by other programs ---------------------------------------------------------

@pytest.mark.parametrize("name, counts", [
    ("sample_libreoffice.xlsx", (3, 8, 141, 14, 15)),
    ("template_filled_libreoffice.xlsx", (1, 3, 10, 4, 3)),
    ("bare_inline_strings.xlsx", (1, 2, 5, 0, 0)),
])
def test_real_spreadsheet_files_import(store, name, counts):
    upload = Upload.from_path(FIXTURES / name)
    validated = store.validate(upload)
    assert validated.errors == []
    store.import_upload(upload)
    assert tuple(store.summary().values()) == counts


def test_hand_typed_values_in_a_libreoffice_file_are_read_right(sqlite_store):
    sqlite_store.import_upload(Upload.from_path(FIXTURES / "template_filled_libreoffice.xlsx"))
    s = sqlite_store.sessions().set_index("session_id")
    # "02.02.2026" typed as text and a real date cell give the same day
    assert {str(d) for d in s["date"]} == {"2026-02-02"}
    assert str(s.loc["HL-1", "start"])[:5] == "09:30"  # typed as text
    assert str(s.loc["HL-2", "end"])[:5] == "11:36"  # a time cell
    assert s.loc["HL-2", "manager_minutes"] == 27  # a number typed as text
    assert s.loc["HL-2", "status"] == "held"  # "gjennomført " with a trailing space
    q = sqlite_store.questions().set_index(["session_id", "seq"])
    assert q.loc[("HL-1", 2), "minute"] == 4.5  # decimal comma
    assert q.loc[("HL-1", 6), "fit_workbook"] == "organization"  # "Person–Organisasjon"
    r = sqlite_store.ratings().set_index(["session_id", "rater"])
    assert str(r.loc[("HL-1", "Per Strand"), "submitted"])[:16] == "2026-02-03 14:15"
    assert r.loc[("HL-2", "Mona Vik"), "role"] == "observer"  # "observator"


def test_bare_serial_numbers_are_read_as_dates_and_times(sqlite_store):
    sqlite_store.import_upload(Upload.from_path(FIXTURES / "bare_inline_strings.xlsx"))
    s = sqlite_store.sessions().set_index("session_id")
    assert list(s.index) == ["1001", "1002"]  # numeric ids become text ids
    assert str(s.loc["1001", "date"]) == "2026-05-06"
    assert str(s.loc["1001", "end"])[:5] == "09:35"


# -- the command line ------------------------------------------------------------------------

def _cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "analysis", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


def test_cli_imports_the_sample_and_summarises(tmp_path):
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    done = _cli("import", str(SAMPLE), "--db", db)
    assert done.returncode == 0, done.stderr
    assert "questions: 141" in done.stdout
    assert "44" in done.stdout  # the duration warning is shown
    summary = _cli("summary", "--db", db, "--json")
    assert summary.returncode == 0
    assert json.loads(summary.stdout) == {"recruitments": 3, "sessions": 8, "questions": 141,
                                          "ratings": 14, "feedback": 15}


def test_cli_refuses_a_broken_copy_and_writes_nothing(tmp_path):
    wb = load_workbook(SAMPLE)
    wb["Spørsmål"]["E3"] = 40  # a follow-up to a question that does not exist
    wb["Vurderinger"]["E2"] = 9  # a score out of range
    wb["Økter"]["D4"] = "31.02.2026"  # no such day
    broken = tmp_path / "broken.xlsx"
    wb.save(broken)
    db = f"sqlite:///{tmp_path / 'cli.sqlite'}"
    done = _cli("import", str(broken), "--db", db)
    assert done.returncode == 2
    assert done.stdout == ""
    err = done.stderr
    # each column as the sample's own header names it, with its letter
    assert "Spørsmål, row 3, oppfølging_av (E) [40]" in err
    assert "Vurderinger, row 2, rolleinnsikt (E) [9" in err
    assert "Økter, row 4, dato (D) [31.02.2026]" in err
    assert "3 errors; nothing was imported" in err
    summary = _cli("summary", "--db", db, "--json")
    assert json.loads(summary.stdout) == dict.fromkeys(
        ("recruitments", "sessions", "questions", "ratings", "feedback"), 0)
