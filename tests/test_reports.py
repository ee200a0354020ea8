"""The finalists' comparison workbook and PDF, and the ``metrics`` / ``compare`` commands."""
from __future__ import annotations

import datetime as dt
import io
import json
import unicodedata

import pandas as pd
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from analysis import FIGURE_COLUMNS, SCORES, Comparison, compare_finalists
from analysis.cli.main import main
from analysis.errors import InputError, PermissionDenied
from analysis.reports.comparison import (
    comparison_bytes,
    comparison_pdf,
    comparison_workbook,
    export_comparison,
    fairness_lines,
    headline_text,
    pseudonymise_comparison,
)
from analysis.reports.pdf import DEJAVU_DIR, ReportPDF
from analysis.store.auth import Actor
from tests.conftest import minimal_sheets
from tests.hostile import MARKUP, ZERO_WIDTH
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


# --------------------------------------------------------------------------------------------
# the comparison as a PDF


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_comparison_pdf_in_norwegian_has_the_workbooks_content():
    c = comparison()
    data = comparison_pdf(c, "nb", exported=dt.datetime(2026, 3, 5, 14, 30),
                          declined=["Åse Ødegård"])
    assert data.startswith(b"%PDF")
    text = pdf_text(data)
    for part in ("Sammenligning av finalistene", "R", "Laget 05.03.2026 14:30",
                 "2 finalister gjennomførte det omvendte intervjuet",
                 "Kari", "Ola", "Nøkkeltall", "Person–Jobb", "Person–Gruppe",
                 "Person–Leder", "Person–Organisasjon", "Uten fit",
                 # numbers as Norwegians write them: the page's formats
                 "33 %", "67 %", "100 %", "0,46", "3,5",
                 # the conditions, the follow-up chain, the definitions, the caveat
                 "Tiden finalistene fikk varierte med 10 minutter (35–45 min).",
                 "↳ 2. q2 (oppfølging av nr. 1)", "Om tallene",
                 "Den sier aldri om et spørsmål var riktig eller galt",
                 "Takket nei til det omvendte intervjuet (det er lov): Åse Ødegård."):
        assert part in text, part
    assert "0.46" not in text and "33%" not in text
    assert "Side 1 av " in text and "Inneholder personopplysninger" in text
    # Ola's ratings are not visible: a dash and the rule, never a number
    assert "– betyr at vurderingene for økten ennå ikke er vist" in text
    # the formula a candidate typed is printed as text
    assert '=HYPERLINK("http://evil.example","klikk")' in text.replace("\n", "")


def test_comparison_pdf_in_english():
    text = pdf_text(comparison_pdf(comparison(), "en"))
    for part in ("Comparison of the finalists", "Key figures", "Person–Job", "33%", "67%",
                 "0.46", "3.5", "Rating: mean", "How to read the comparison",
                 "(follow-up to no. 1)", "Page 1 of "):
        assert part in text, part
    assert "0,46" not in text and "Takket" not in text


def test_comparison_pdf_without_visible_ratings_shows_no_scores():
    c = comparison()
    c = Comparison(c.figures.drop(columns=[x for x in c.figures if x.startswith("score_")]),
                   c.shares, [], c.questions, "R")
    text = pdf_text(comparison_pdf(c, "nb"))
    assert "Vurdering: rolleinnsikt" not in text
    assert "Vurderernes snitt vises når alle vurderinger for en økt er levert" in text
    assert "Finalistene fikk like forhold" in text


def test_comparison_pdf_is_pseudonymised_like_the_workbook():
    sessions = sessions_frame({"candidate": "Kari"}, {"candidate": "Ola"})
    c = pseudonymise_comparison(comparison(), sessions, "nb")
    data = comparison_pdf(c, "nb")
    text = pdf_text(data)
    assert "Finalist A" in text and "Finalist B" in text
    assert "Kari" not in text and b"Kari" not in data


LONG_WORD = "Rekrutteringsprosessevalueringsrapport" * 40
HOSTILE = [LONG_WORD, "שלום, מה שלומך? مرحبا كيف حالك", "Takk 😀👍🏽🇳🇴 for sist",
           "Ctrl\x00\x07\x1b[31m\x0bbreak\u202eevil", ZERO_WIDTH, *MARKUP]


@pytest.mark.parametrize("font_dir", ["dejavu", "none"])
def test_comparison_pdf_prints_hostile_text_as_text(tmp_path, font_dir):
    recruitment = "R <script>alert(1)</script> " + LONG_WORD[:300]
    sessions = sessions_frame(
        {"candidate": "**Kari** <b>Nord</b> 😀 " + LONG_WORD, "recruitment": recruitment},
        {"candidate": "مريم הכהן", "recruitment": recruitment})
    q1 = questions_frame("S1", ["job"] * len(HOSTILE), [None] + [1] * (len(HOSTILE) - 1))
    q1["question"] = HOSTILE
    q2 = questions_frame("S2", ["group"])
    c = compare_finalists(recruitment, sessions, pd.concat([q1, q2]))
    fonts = DEJAVU_DIR if font_dir == "dejavu" else tmp_path  # tmp_path: no DejaVu, Helvetica
    data = comparison_pdf(c, "nb", declined=["# Overskrift " + LONG_WORD], font_dir=fonts)
    reader = PdfReader(io.BytesIO(data))
    text = "\n".join(page.extract_text() for page in reader.pages)
    flat = text.replace("\n", "").replace(" ", "")
    assert len(reader.pages) >= 2
    assert LONG_WORD in flat  # broken over lines, never cut or overflowing into nothing
    assert "<script>alert(1)</script>" in text.replace("\n", " ")
    assert "![n](http://127.0.0.1:9911/x.png)" in flat
    assert not any(ch in text for ch in "\x00\x07\x1b\x0b")
    if font_dir == "dejavu":
        # DejaVu draws 😀; the emoji it has no glyph for become a visible square each (the
        # skin tone joins its hand, a flag is two letters)
        assert "Takk 😀□□□ for sist" in text
        # right-to-left text prints (in logical order: fpdf2 reorders only with uharfbuzz)
        assert set("הכהן مريم") <= set(text)
        # zero-width characters stay invisible
        assert "Kari Nordmann" in "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
        assert "**Kari** <b>Nord</b> 😀" in text


def test_report_pdf_keeps_a_long_title_on_one_line_in_the_running_head():
    pdf = ReportPDF("Tittel " + LONG_WORD, "en")
    pdf.add_page()
    for _ in range(80):
        pdf.paragraph("line")
    text = pdf_text(pdf.to_bytes())
    assert "Page 2 of 2" in text and "…" in text


def test_cli_compare_writes_a_pdf(db, tmp_path, capsys):
    out = tmp_path / "compare.pdf"
    assert main(["compare", "Driftssjef Bergen", "--db", db.url, "-o", str(out)]) == 0
    text = pdf_text(out.read_bytes())
    assert "Sammenligning av finalistene" in text and "Kari Nordmann" in text
    assert "Hvorfor er stillingen ledig?" in text
    # A2 (Ola Hansen) declined: named as declined, not left out
    assert "Takket nei til det omvendte intervjuet (det er lov): Ola Hansen." in text
    events = db.frame(__import__("sqlalchemy").text(
        "select action, detail from audit_event where action = 'export'"))
    detail = events["detail"].iloc[-1]
    detail = json.loads(detail) if isinstance(detail, str) else detail
    assert detail["format"] == "pdf" and detail["kind"] == "comparison"

    assert main(["compare", "Driftssjef Bergen", "--db", db.url, "-o", str(out), "--lang",
                 "en", "--pseudonyms"]) == 0
    text = pdf_text(out.read_bytes())
    assert "Finalist A" in text and "Kari" not in text
    assert "Declined the reverse interview (which is allowed): Finalist B." in text


def test_cli_compare_refuses_an_unknown_format(db, tmp_path, capsys):
    out = tmp_path / "compare.docx"
    assert main(["compare", "Driftssjef Bergen", "--db", db.url, "-o", str(out)]) == 2
    assert ".xlsx eller .pdf" in capsys.readouterr().err
    assert not out.exists()


def test_workbook_names_the_declined_finalist(db):
    sheets = sheets_of(export_comparison(db, "Driftssjef Bergen", "nb"))
    about = dict(r[:2] for r in sheets["Om tallene"][1:])
    assert about["Takket nei"] == "Ola Hansen"


def test_pdf_export_hides_scores_until_all_ratings_are_in(sqlite_store, make_upload, labeller):
    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1]  # only the manager has rated
    sqlite_store.import_upload(make_upload(sheets), labeller)
    text = pdf_text(export_comparison(sqlite_store, "Driftssjef Bergen", "nb", fmt="pdf"))
    assert "Kari Nordmann" in text
    assert "Vurdering: rolleinnsikt" not in text and "Vurdering: snitt" in text  # definitions
    assert "Vurderernes snitt vises når alle vurderinger for en økt er levert" in text


def test_export_refuses_an_unknown_format(db):
    with pytest.raises(InputError, match="unknown format"):
        export_comparison(db, "Driftssjef Bergen", "nb", fmt="docx")
    with pytest.raises(InputError, match="unknown format"):
        comparison_bytes(comparison(), "csv")


@pytest.mark.parametrize("lang, pseudonyms", [("nb", False), ("en", True)])
def test_comparison_pdf_from_the_hostile_store(sqlite_store, labeller, lang, pseudonyms):
    """The issue-10 hostile workbook (control characters, markup, zero-width characters, fields
    at the database's limits) imported, then exported as a PDF: it opens, and prints the text."""
    from analysis.text import CONTROL
    from analysis.workbook.reading import Upload
    from tests.hostile import escaped_workbook, hostile_sheets

    sqlite_store.import_upload(Upload("hostile.xlsx", escaped_workbook(hostile_sheets())),
                               labeller)
    recruitment = sqlite_store.sessions()["recruitment"].iloc[0]
    data = export_comparison(sqlite_store, recruitment, lang, pseudonyms, fmt="pdf")
    text = pdf_text(data)
    assert not CONTROL.search(text)
    flat = "".join(text.split())  # lines wrap anywhere in these long fields

    def shown(part: str) -> bool:
        return "".join(part.split()) in flat

    assert shown("Driftssjef Bergen <b>")  # the recruitment's markup printed as text
    if pseudonyms:
        assert "Finalist A" in text and "Kari" not in text and "Ola" not in text
    else:
        assert shown("**Ola** <i>Hansen</i>")  # declined, named as typed
        assert shown("![n](http://127.0.0.1:9911/x.png)")
