"""The finalists' comparison workbook and the ``metrics`` / ``compare`` commands."""
from __future__ import annotations

import datetime as dt
import io
import json

import pandas as pd
import pytest
from openpyxl import load_workbook

from analysis import FIGURE_COLUMNS, SCORES, Comparison, compare_finalists
from analysis.cli.main import main
from analysis.errors import PermissionDenied
from analysis.reports.comparison import (
    comparison_workbook,
    export_comparison,
    fairness_lines,
    headline_text,
    pseudonymise_comparison,
)
from analysis.store.auth import Actor
from tests.conftest import minimal_sheets
from tests.test_figures import questions_frame, sessions_frame


def comparison() -> Comparison:
    sessions = sessions_frame({"candidate": "Kari"},
                              {"candidate": "Ola", "end": dt.time(9, 45), "manager": "Pål"})
    q1 = questions_frame("S1", ["job", "job", "group"], [None, 1, None])
    q1.loc[2, "question"] = '=HYPERLINK("http://evil.example","klikk")'
    q2 = questions_frame("S2", ["organization", None])
    ratings = pd.DataFrame({"session_id": ["S1", "S1"], "rater": ["a", "b"],
                            **{s: [4, 3] for s in SCORES}})
    return compare_finalists("R", sessions, pd.concat([q1, q2]), ratings)


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    wb = load_workbook(io.BytesIO(data))
    return {ws.title: list(ws.iter_rows(values_only=True)) for ws in wb}


def test_comparison_workbook_has_figures_questions_and_fairness():
    data = comparison_workbook(comparison(), "nb")
    sheets = sheets_of(data)
    assert list(sheets) == ["Nøkkeltall", "Andel per fit", "Spørsmål", "Forhold", "Om tallene"]
    figures = sheets["Nøkkeltall"]
    header = figures[0]
    assert header[:4] == ("Finalist", "Spørsmål", "Fit dekket (av 4)", "Balanse (0–1)")
    kari = dict(zip(header, figures[1]))
    assert kari["Finalist"] == "Kari" and kari["Spørsmål"] == 3
    assert kari["Fit dekket (av 4)"] == 2 and kari["Andel oppfølgingsspørsmål (%)"] == 33
    assert kari["Minutter brukt"] == 35 and kari["Vurdering: snitt"] == 3.5
    assert [r[0] for r in figures[1:]] == ["Kari", "Ola"]

    questions = sheets["Spørsmål"]
    assert questions[0] == ("Finalist", "Fit", "Nr", "Minutt", "Oppfølging av nr", "Dybde",
                            "Spørsmål")
    rows = [(r[0], r[1], r[2], r[5]) for r in questions[1:]]
    assert rows == [("Kari", "Person–Jobb", 1, 0), ("Kari", "Person–Jobb", 2, 1),
                    ("Kari", "Person–Gruppe", 3, 0), ("Ola", "Person–Organisasjon", 1, 0),
                    ("Ola", "Uten fit", 2, 0)]
    shares = dict(zip(sheets["Andel per fit"][0], sheets["Andel per fit"][1]))
    assert shares["Person–Jobb (%)"] == 67
    notes = [r[0] for r in sheets["Forhold"][1:]]
    assert notes == ["Tiden finalistene fikk varierte med 10 minutter (35–45 min).",
                     "Finalistene møtte 2 ulike ledere (Per, Pål)."]
    wb = load_workbook(io.BytesIO(data))
    assert wb["Spørsmål"]["G3"].alignment.indent == 2  # the follow-up is indented


def test_comparison_workbook_neutralises_formulas():
    wb = load_workbook(io.BytesIO(comparison_workbook(comparison(), "en")))
    cells = [c for row in wb["Questions"].iter_rows(min_row=2) for c in row]
    evil = [c for c in cells if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert len(evil) == 1
    assert evil[0].value.startswith("'=") and evil[0].data_type == "s"
    assert not any(c.data_type == "f" for ws in wb for row in ws.iter_rows() for c in row)


def test_comparison_workbook_in_english_and_without_scores():
    c = comparison()
    c = Comparison(c.figures.drop(columns=[x for x in c.figures if x.startswith("score_")]),
                     c.shares, [], c.questions, "R")
    sheets = sheets_of(comparison_workbook(c, "en"))
    assert list(sheets) == ["Key figures", "Fit shares", "Questions", "Conditions",
                            "About the figures"]
    assert not any("Rating" in str(h) for h in sheets["Key figures"][0])
    assert sheets["Conditions"][1][0].startswith("The finalists had the same conditions")
    assert dict(sheets["About the figures"][1:])["Recruitment"] == "R"


def test_texts_for_flags_and_headlines():
    minutes = {"kind": "minutes", "low": 30.0, "high": 35.5, "difference": 5.5}
    assert fairness_lines([minutes], "nb") == [
        "Tiden finalistene fikk varierte med 5,5 minutter (30–35,5 min)."]
    assert fairness_lines([{"kind": "day", "count": 2, "dates": "04.03.2026, 05.03.2026"}],
                          "en") == ["The finalists were interviewed on 2 different days "
                                    "(04.03.2026, 05.03.2026)."]
    text = headline_text({"kind": "coverage", "fit": "job", "share": 0.6, "candidate": "Kari",
                          "follow_ups": 1}, "en")
    assert text == ("Most questions about Person–Job (60%). "
                    "Kari asked the most follow-ups (1).")
    assert headline_text({"kind": "no_questions"}, "nb") == "Ingen spørsmål registrert ennå."


def test_pseudonymised_comparison_hides_names():
    sessions = sessions_frame({"candidate": "Kari"}, {"candidate": "Ola"})
    c = pseudonymise_comparison(comparison(), sessions, "nb")
    assert c.figures["candidate"].tolist() == ["Finalist A", "Finalist B"]
    assert set(c.shares["candidate"]) == {"Finalist A", "Finalist B"}
    data = comparison_workbook(c, "nb")
    assert b"Kari" not in data and "Kari" not in str(sheets_of(data))


# --------------------------------------------------------------------------------------------
# against a store


@pytest.fixture
def db(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    return sqlite_store


def test_cli_metrics_json(db, capsys):
    assert main(["metrics", "--db", db.url, "--json"]) == 0
    records = json.loads(capsys.readouterr().out)
    assert len(records) == 1  # A2 was declined
    rec = records[0]
    assert list(rec) == FIGURE_COLUMNS
    # the labeller says job; question 3 has "leder" (supervisor) in the workbook
    assert rec == {
        "session_id": "A1", "recruitment": "Driftssjef Bergen", "candidate": "Kari Nordmann",
        "questions": 3, "fit_counts": {"job": 2, "group": 0, "supervisor": 1,
                                       "organization": 0, "other": 0},
        "fits_covered": 2, "balance": 0.4591, "follow_up_share": 0.3333, "threads": 2,
        "max_depth": 1, "mean_thread_depth": 0.5, "minutes": 35.0}


def test_cli_metrics_filters_by_recruitment(db, capsys):
    assert main(["metrics", "--db", db.url, "--json", "--recruitment", "Driftssjef Bergen"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 1
    assert main(["metrics", "--db", db.url, "--json", "--recruitment", "Nope"]) == 2
    err = capsys.readouterr().err
    assert "Nope" in err and "Driftssjef Bergen" in err
    assert main(["metrics", "--db", db.url]) == 0
    assert "Kari Nordmann" in capsys.readouterr().out


def test_cli_metrics_on_an_empty_store(sqlite_store, capsys):
    assert main(["metrics", "--db", sqlite_store.url, "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_cli_compare_writes_the_workbook(db, tmp_path, capsys):
    out = tmp_path / "compare.xlsx"
    assert main(["compare", "Driftssjef Bergen", "--db", db.url, "-o", str(out)]) == 0
    sheets = sheets_of(out.read_bytes())
    assert "Nøkkeltall" in sheets  # Norwegian unless --lang en
    kari = dict(zip(sheets["Nøkkeltall"][0], sheets["Nøkkeltall"][1]))
    assert kari["Finalist"] == "Kari Nordmann" and kari["Spørsmål"] == 3
    # both ratings are in, so the scores show: role insight (4 + 3) / 2
    assert kari["Vurdering: rolleinnsikt"] == 3.5
    texts = [r[6] for r in sheets["Spørsmål"][1:]]
    assert texts == ["Hvorfor er stillingen ledig?", "Hva skjedde med forgjengeren?",
                     "Hvordan gir du tilbakemelding?"]
    events = db.frame(__import__("sqlalchemy").text(
        "select action, target from audit_event where action = 'export'"))
    assert events.values.tolist() == [["export", "Driftssjef Bergen"]]

    en = tmp_path / "en.xlsx"
    assert main(["compare", "Driftssjef Bergen", "--db", db.url, "-o", str(en), "--lang", "en",
                 "--pseudonyms"]) == 0
    sheets = sheets_of(en.read_bytes())
    assert sheets["Key figures"][1][0] == "Finalist A"


def test_cli_compare_unknown_recruitment(db, tmp_path, capsys):
    out = tmp_path / "x.xlsx"
    assert main(["compare", "Nope", "--db", db.url, "-o", str(out), "--lang", "en"]) == 2
    assert "Unknown recruitment: 'Nope'" in capsys.readouterr().err
    assert not out.exists()


def test_export_hides_scores_until_all_ratings_are_in(sqlite_store, make_upload, labeller):
    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1]  # only the manager has rated
    sqlite_store.import_upload(make_upload(sheets), labeller)
    data = export_comparison(sqlite_store, "Driftssjef Bergen", "en")
    header, kari = sheets_of(data)["Key figures"][:2]
    row = dict(zip(header, kari))
    assert row["Rating: role insight"] is None and row["Rating: mean"] is None


def test_export_requires_the_export_permission(db):
    with pytest.raises(PermissionDenied):
        export_comparison(db.as_actor(Actor("v", "viewer")), "Driftssjef Bergen")
