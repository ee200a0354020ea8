"""The second-interview guide: its content in both languages, blind ratings, pseudonyms, and the
PDF (read back with pypdf), Word and Excel files; the ``guide`` command."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest
from docx import Document
from pypdf import PdfReader
from sqlalchemy import select

from analysis import (
    DEJAVU_DIR,
    build_guide,
    export_guide,
    guide_docx,
    guide_pdf,
    guide_xlsx,
)
from analysis.cli.main import main
from analysis.errors import NotFound, PermissionDenied
from analysis.store.auth import Actor
from analysis.store.models import AuditEvent
from analysis.store.ratings import reveal
from tests.conftest import minimal_sheets

RECRUITER = Actor("rita", "recruiter")
VIEWER = Actor("vera", "viewer")


def guide_sheets() -> dict[str, pd.DataFrame]:
    """Three finalists on one day; Kari (B1) asks about the job (a chain three deep), the manager
    and the organisation, not about the team; her ratings are one of two (closed)."""
    sheets = minimal_sheets()
    sheets["Økter"] = pd.DataFrame({
        "økt_id": ["B1", "B2", "B3"], "rekruttering": ["Økonomisjef Tromsø"] * 3,
        "kandidat": ["Kari Nordmann", "Åse Ødegård", "Ola Hansen"],
        "dato": ["04.03.2026"] * 3, "start": ["09:00", "11:00", "13:00"],
        "slutt": ["09:35", "11:38", "13:32"], "leder_minutter": [25, 22, 28],
        "status": ["gjennomført"] * 3, "andregangsintervju": ["10.03.2026"] * 3,
        "leder": ["Per Leder"] * 3,
    })
    sheets["Spørsmål"] = pd.DataFrame({
        "økt_id": ["B1"] * 6 + ["B2"] * 2 + ["B3"],
        "nr": [1, 2, 3, 4, 5, 6, 1, 2, 1],
        "spørsmål": ["Hvorfor er stillingen ledig?", "Hva skjedde med forgjengeren?",
                     "Hva lærte dere av det?", "Hvordan gir du tilbakemelding?",
                     "Hva er strategien for de neste fem årene?", "Når får jeg svar?",
                     "Hvordan er stemningen i teamet?", "Hva er budsjettet?",
                     "Hvordan måler dere suksess i rollen?"],
        "oppfølging_av": [None, 1, 2, None, None, None, None, None, None],
        "fit": ["jobb", "jobb", "leder", "leder", "organisasjon", "annet", "gruppe", "jobb",
                "jobb"],
    })
    sheets["Vurderinger"] = pd.DataFrame({
        "økt_id": ["B1", "B2", "B2"], "vurderer": ["Per Leder", "Per Leder", "Olga Observatør"],
        "rolle": ["leder", "leder", "observatør"], "levert": ["04.03.2026 12:00"] * 3,
        "rolleinnsikt": [4, 3, 5], "prioriteringer": [3, 3, 4], "samtale": [5, 2, 4],
        "oppfølging": [4, 4, 4], "mestring": [4, 3, 5],
        "notat": ["Hemmelig notat om Kari", "Ryddig", "Varm og nysgjerrig"],
    })
    sheets["Tilbakemelding"] = sheets["Tilbakemelding"].assign(
        rekruttering="Økonomisjef Tromsø", økt_id=["B1", None])
    return sheets


@pytest.fixture
def loaded(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(guide_sheets()), labeller)
    return sqlite_store


def pdf_text(data: bytes) -> str:
    reader = PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_questions_grouped_by_fit_with_follow_up_chains(loaded):
    guide = build_guide(loaded, "B1", "nb")
    assert guide.candidate == "Kari Nordmann" and guide.recruitment == "Økonomisjef Tromsø"
    assert [g.fit for g in guide.groups] == ["job", "supervisor", "organization", "other"]
    job = guide.groups[0]
    # the chain stays under the fit of its first question, each step one deeper
    assert [(q.seq, q.depth, q.fit) for q in job.questions] == [
        (1, 0, "job"), (2, 1, "job"), (3, 2, "supervisor")]
    assert job.fit_name == "Person–Jobb"
    assert guide.missing_fits == ["group"]
    assert guide.question_count == 6


def test_prompts_in_norwegian(loaded):
    prompts = build_guide(loaded, "B1", "nb").prompts
    assert prompts[0] == "Hvordan opplevde du det omvendte intervjuet?"
    assert ("Du spurte om selve jobben, blant annet «Hvorfor er stillingen ledig?» – hvorfor var "
            "det viktig for deg?") in prompts
    assert "Du spurte ikke om teamet – hva vil du vite?" in prompts
    assert "Du fulgte opp «Hvorfor er stillingen ledig?» 2 ganger – hva lette du etter?" in prompts
    assert prompts[-1] == "Hvorfor valgte du akkurat disse spørsmålene?"
    # the logistics question (fit "other") is no topic for a prompt
    assert not any("Når får jeg svar?" in p for p in prompts)


def test_prompts_in_english(loaded):
    prompts = build_guide(loaded, "B1", "en").prompts
    assert "You did not ask about the team – what do you want to know?" in prompts
    assert ("You asked about the manager, for example “Hvordan gir du tilbakemelding?” – why was "
            "that important to you?") in prompts
    b2 = build_guide(loaded, "B2", "en")
    assert "You did not ask about the manager – what do you want to know?" in b2.prompts
    assert "You did not ask about the organisation – what do you want to know?" in b2.prompts


def test_ratings_stay_out_of_the_guide_until_revealed(loaded):
    closed = build_guide(loaded, "B1", "nb")
    assert not closed.ratings_open and closed.ratings.empty and closed.notes == []
    assert closed.ratings_status.startswith("1 av 2 vurderinger levert")
    assert closed.handed_in == ["Per Leder (leder) leverte 04.03.2026 12:00"]
    for data in (guide_pdf(closed), guide_docx(closed), guide_xlsx(closed)):
        assert b"Hemmelig" not in data
    assert "Hemmelig" not in pdf_text(guide_pdf(closed))
    reveal(loaded.as_actor(RECRUITER), "B1")
    opened = build_guide(loaded, "B1", "nb")
    assert opened.ratings_open and opened.notes == [("Per Leder", "Hemmelig notat om Kari")]
    assert opened.ratings.loc["Samtale", "Per Leder (leder)"] == 5
    text = pdf_text(guide_pdf(opened))
    assert "Hemmelig notat om Kari" in text and "Vist av rekrutterer" in text
    # a viewer's guide shows the revealed scores but not the notes
    viewer = build_guide(loaded.as_actor(VIEWER), "B1", "nb")
    assert viewer.ratings_open and viewer.notes == []


def test_complete_ratings_side_by_side_with_difference(loaded):
    guide = build_guide(loaded, "B2", "en")
    assert guide.ratings_open
    table = guide.ratings
    assert list(table.columns) == ["Olga Observatør (observer)", "Per Leder (manager)",
                                   "Difference"]
    assert table.loc["Conversation", "Difference"] == 2
    assert ("Olga Observatør", "Varm og nysgjerrig") in guide.notes


def test_figures_next_to_the_other_finalists(loaded):
    guide = build_guide(loaded, "B1", "nb")
    assert list(guide.figures.columns) == ["Kari Nordmann", "Åse Ødegård", "Ola Hansen"]
    assert guide.figures.loc["Spørsmål"].tolist() == ["6", "2", "1"]
    assert guide.figures.loc["Fit dekket (av 4)"].tolist() == ["3", "2", "1"]
    assert guide.figures.loc["Minutter (kandidatens del)"].tolist() == ["35", "38", "32"]
    # only B2's ratings are open, so only B2 has a mean rating
    assert guide.figures.loc["Snitt av vurderingene (1–5)"].tolist() == ["–", "3,70", "–"]


def test_process_check_is_part_of_the_guide(loaded):
    guide = build_guide(loaded, "B1", "en")
    lines = {line.rule: line.status for line in guide.process}
    assert lines["same_day"] == "pass" and lines["candidate_time"] == "pass"
    assert lines["ratings_before_second"] == "warning"  # B1 and B3 lack ratings
    assert "Process check of the recruitment" in pdf_text(guide_pdf(guide))


def test_pseudonyms_hide_every_name(loaded):
    guide = build_guide(loaded, "B2", "nb", pseudonyms=True)
    assert guide.candidate == "Finalist B"
    assert list(guide.figures.columns) == ["Finalist B", "Finalist A", "Finalist C"]
    text = pdf_text(guide_pdf(guide))
    for name in ("Kari", "Åse", "Ødegård", "Ola Hansen"):
        assert name not in text
    assert "Guide til andregangsintervju: Finalist B" in text


def test_pdf_text_reads_back_with_norwegian_characters(loaded):
    nb = pdf_text(guide_pdf(build_guide(loaded, "B2", "nb")))
    assert "Guide til andregangsintervju: Åse Ødegård" in nb
    assert "Økonomisjef Tromsø" in nb
    assert "Du spurte ikke om lederen – hva vil du vite?" in nb
    assert "Hvordan er stemningen i teamet?" in nb
    assert "Person–Gruppe" in nb
    en = pdf_text(guide_pdf(build_guide(loaded, "B2", "en")))
    assert "Second-interview guide: Åse Ødegård" in en
    assert "You did not ask about the organisation – what do you want to know?" in en
    assert "Figures next to the other finalists" in en


def test_pdf_without_the_unicode_font_falls_back_to_latin1(loaded, tmp_path):
    guide = build_guide(loaded, "B2", "nb")
    text = pdf_text(guide_pdf(guide, font_dir=tmp_path))  # an empty folder: no DejaVu
    assert "Åse Ødegård" in text and "Økonomisjef Tromsø" in text  # latin-1 has æøå
    assert "Du spurte ikke om lederen - hva vil du vite?" in text


@pytest.mark.skipif(not (DEJAVU_DIR / "DejaVuSans.ttf").exists(),
                    reason="fonts-dejavu-core is not installed (.ci/run installs it)")
def test_pdf_embeds_the_unicode_font(loaded):
    data = guide_pdf(build_guide(loaded, "B1", "nb"))
    assert data.startswith(b"%PDF") and b"DejaVuSans" in data


def test_docx_and_xlsx(loaded):
    guide = build_guide(loaded, "B1", "nb")
    doc = Document(io.BytesIO(guide_docx(guide)))
    paragraphs = [p.text for p in doc.paragraphs]
    assert "Guide til andregangsintervju: Kari Nordmann" in paragraphs
    assert "Du spurte ikke om teamet – hva vil du vite?" in paragraphs
    assert "↳ 3. Hva lærte dere av det? [Person–Leder]" in paragraphs
    figures = next(t for t in doc.tables if len(t.columns) > 1)
    assert figures.cell(0, 1).text == "Kari Nordmann"
    sheets = pd.read_excel(io.BytesIO(guide_xlsx(guide)), sheet_name=None)
    assert list(sheets) == ["Guide", "Forslag til spørsmål", "Spørsmål", "Tall", "Prosessjekk"]
    questions = sheets["Spørsmål"]
    assert questions["Dybde"].tolist() == [0, 1, 2, 0, 0, 0]
    assert "Du spurte ikke om teamet – hva vil du vite?" in sheets[
        "Forslag til spørsmål"]["Forslag"].tolist()
    assert list(sheets["Forslag til spørsmål"].columns) == ["Forslag", "Notater"]


# ------------------------------------------------------------------------------------------------
# Room for the interviewer's notes under each prompt


def _ruled_lines(data: bytes) -> int:
    """How many straight lines the PDF draws (``x y m x y l S``) indented from the left margin:
    the notes' rules, not the running head's line (from the margin) nor text or tables."""
    reader = PdfReader(io.BytesIO(data))
    ops = b"".join(page.get_contents().get_data() for page in reader.pages)
    margin = 15 * 72 / 25.4  # 15 mm in points
    return sum(float(x) > margin + 1
               for x in re.findall(rb"([\d.]+) [\d.]+ m [\d.]+ [\d.]+ l S", ops))


@pytest.mark.parametrize("lang, label", [("nb", "Notater"), ("en", "Notes")])
def test_pdf_leaves_ruled_room_for_notes_under_each_prompt(loaded, monkeypatch, lang, label):
    from analysis.reports import guide_files

    guide = build_guide(loaded, "B1", lang)
    data = guide_pdf(guide)
    text = pdf_text(data)
    assert text.count(label) == len(guide.prompts) >= 4
    # each prompt is followed by its notes label before the next prompt begins
    at = 0
    for prompt in guide.prompts:
        start = text.index(prompt.split(" ")[0] + " " + prompt.split(" ")[1], at)
        at = text.index(label, start)
    monkeypatch.setattr(guide_files, "NOTE_LINES", 0)
    bare = guide_pdf(guide)
    assert _ruled_lines(data) - _ruled_lines(bare) == 4 * len(guide.prompts)
    assert len(PdfReader(io.BytesIO(data)).pages) > len(PdfReader(io.BytesIO(bare)).pages)


def test_every_pdf_page_is_numbered(loaded):
    reader = PdfReader(io.BytesIO(guide_pdf(build_guide(loaded, "B1", "nb"))))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        assert f"Side {number} av {pages}" in page.extract_text()


@pytest.mark.parametrize("lang, label", [("nb", "Notater"), ("en", "Notes")])
def test_docx_has_a_notes_box_after_each_prompt(loaded, lang, label):
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    guide = build_guide(loaded, "B1", lang)
    doc = Document(io.BytesIO(guide_docx(guide)))
    body = list(doc.iter_inner_content())
    for prompt in guide.prompts:
        i = next(i for i, part in enumerate(body)
                 if isinstance(part, Paragraph) and part.text == prompt)
        box = body[i + 1]
        assert isinstance(box, Table) and len(box.rows) == len(box.columns) == 1
        cell = box.cell(0, 0)
        assert cell.paragraphs[0].text == label
        assert len(cell.paragraphs) >= 4 and not "".join(p.text for p in cell.paragraphs[1:])
    assert sum(isinstance(p, Table) and len(p.columns) == 1 for p in body) == len(guide.prompts)


def test_declined_session_and_unknown_session(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    guide = build_guide(sqlite_store, "A2", "en")
    assert guide.groups == [] and guide.missing_fits == []
    assert guide.prompts[0].startswith("The candidate declined the reverse interview")
    assert "declined" in pdf_text(guide_pdf(guide))
    with pytest.raises(NotFound):
        build_guide(sqlite_store, "NOPE", "nb")


def test_export_needs_permission_and_is_audited(loaded):
    with pytest.raises(PermissionDenied):
        export_guide(loaded.as_actor(VIEWER), "B1", "pdf")
    data, name, mime = export_guide(loaded.as_actor(RECRUITER), "B1", "docx", "en")
    assert name == "guide_B1_en.docx" and mime.endswith("document") and data[:2] == b"PK"
    with loaded.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.actor, AuditEvent.target, AuditEvent.detail)
                              .where(AuditEvent.action == "export_guide")).all()
    assert [(e.actor, e.target, e.detail["format"]) for e in events] == [("rita", "B1", "docx")]


# ------------------------------------------------------------------------------------------------
# The command line


def test_cli_writes_pdf_docx_and_xlsx(loaded, tmp_path, capsys):
    pdf = tmp_path / "guide.pdf"
    assert main(["guide", "B1", "--db", loaded.url, "-o", str(pdf)]) == 0
    text = pdf_text(pdf.read_bytes())
    assert "Guide til andregangsintervju: Kari Nordmann" in text  # nb by default
    assert main(["guide", "B1", "--db", loaded.url, "--lang", "en", "--pseudonyms",
                 "-o", str(tmp_path / "g.docx")]) == 0
    paragraphs = [p.text for p in Document(str(tmp_path / "g.docx")).paragraphs]
    assert "Second-interview guide: Finalist A" in paragraphs
    assert main(["guide", "B3", "--db", loaded.url, "-o", str(tmp_path / "g.xlsx")]) == 0
    assert "Spørsmål" in pd.read_excel(tmp_path / "g.xlsx", sheet_name=None)
    assert "Wrote" in capsys.readouterr().out


def test_cli_unknown_session_and_bad_name_exit_2(loaded, tmp_path, capsys):
    assert main(["guide", "NOPE", "--db", loaded.url, "-o", str(tmp_path / "g.pdf")]) == 2
    assert "no session 'NOPE'" in capsys.readouterr().err
    assert not (tmp_path / "g.pdf").exists()
    assert main(["guide", "B1", "--db", loaded.url, "-o", str(tmp_path / "g.txt")]) == 2
    assert ".pdf, .docx, .xlsx" in capsys.readouterr().err
