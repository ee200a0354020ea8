"""AppTest tests of the Planning page's checklist evidence and invitation letter: items the data
shows as met are marked so (apart from the user's tick), the letter is written from the
recruitment's data and the details typed on the page, the user's edit survives reruns and a
change of finalist or language, resets on request, and downloads as .txt and .docx."""
from __future__ import annotations

import io

import pytest
from streamlit.testing.v1 import AppTest

from analysis import set_plan
from analysis.i18n import t
from analysis.store.auth import Actor
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import ROOT, FixedLabeller, app_store_for, minimal_sheets, rendered

PAGE = "app_pages/planning.py"
TIMEOUT = 60
RECRUITER = Actor("rita", "recruiter")
TEXT = "planning_invitation_text"


@pytest.fixture
def store(tmp_path, monkeypatch):
    """The minimal workbook: A1 (Kari) held on 04.03.2026 09:00–09:35 with Per Leder, A2 (Ola)
    declined; A1 has both ratings."""
    store = app_store_for(tmp_path, monkeypatch)
    sheets = minimal_sheets()
    sheets["Økter"]["andregangsintervju"] = ["10.03.2026", None]
    store.import_upload(Upload("log.xlsx", workbook_bytes(sheets)), FixedLabeller())
    return store


@pytest.fixture
def downloads(monkeypatch):
    """The bytes and file name of every download button the page draws, by key."""
    from streamlit.delta_generator import DeltaGenerator

    seen: dict[str, tuple[bytes, str]] = {}
    original = DeltaGenerator.download_button

    def recording(self, label, data, *args, **kwargs):
        seen[kwargs.get("key")] = (data() if callable(data) else data, kwargs.get("file_name"))
        return original(self, label, data, *args, **kwargs)

    monkeypatch.setattr(DeltaGenerator, "download_button", recording)
    return seen


def _open(monkeypatch, actor: Actor = RECRUITER, lang: str = "nb") -> AppTest:
    import ui
    import ui.auth

    monkeypatch.setattr(ui.auth, "current_actor", lambda: actor)
    monkeypatch.setattr(ui, "current_actor", lambda: actor)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    _ok(at)
    return at


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


def _captions(at: AppTest) -> list[str]:
    return [rendered(c.value) for c in at.caption]


def _evidence(at: AppTest, lang: str = "nb") -> dict[str, str]:
    """The caption under each checklist item, by item (they follow the items in order)."""
    statuses = [t(f"plan.evidence.{s}", lang) for s in ("met", "not_met", "unknown",
                                                       "not_in_data")]
    lines = [c for c in _captions(at) if any(f"**{s}**" in c for s in statuses)]
    items = [k.key.removeprefix("planning_item_") for k in at.checkbox]
    assert len(lines) == len(items) == 9
    return dict(zip(items, lines))


def test_items_the_data_shows_are_marked_met_apart_from_the_tick(store, monkeypatch):
    at = _open(monkeypatch)
    evidence = _evidence(at)
    met, not_in_data = t("plan.evidence.met", "nb"), t("plan.evidence.not_in_data", "nb")
    for item in ("offered", "finalists_only", "time", "same_day", "independent_notes"):
        assert f"**{met}**" in evidence[item], item
    for item in ("invitation", "room", "manager_agreed", "second_interview_opening"):
        assert f"**{not_in_data}**" in evidence[item], item
    # which data: the rule and its reason
    assert "04.03.2026" in evidence["same_day"]
    assert t("process.rule.candidate_time", "nb") in evidence["time"]
    assert t("ui.planning.evidence_summary", "nb", met=5, total=9) in " ".join(_captions(at))
    # the user's own ticks are untouched by what the data shows
    assert not any(box.value for box in at.checkbox)


def test_a_tick_the_data_contradicts_is_pointed_out(store, monkeypatch):
    from analysis import set_max_finalists

    set_max_finalists(store, "Driftssjef Bergen", 1)
    set_plan(store, "Driftssjef Bergen", {"finalists_only": True})
    at = _open(monkeypatch, lang="en")
    evidence = _evidence(at, "en")
    assert f"**{t('plan.evidence.not_met', 'en')}**" in evidence["finalists_only"]
    assert "2 finalists" in evidence["finalists_only"]
    assert t("ui.planning.evidence_disagrees", "en") in evidence["finalists_only"]
    assert at.checkbox(key="planning_item_finalists_only").value is True


def test_the_letter_is_written_from_the_data_and_the_details(store, monkeypatch):
    at = _open(monkeypatch)
    text = at.text_area(key=TEXT).value
    assert "du intervjuer Per Leder" in text and "onsdag 4. mars 2026" in text
    assert "[sted]" in text and "[avsender]" in text
    # the page says which fields to fill in
    assert "sted, avsender" in rendered(at.warning[0].value)
    at.text_input(key="planning_invitation_place").input("Bryggen 3, møterom Fløyen")
    at.text_input(key="planning_invitation_sender").input("Rita Rekrutterer")
    next(b for b in at.button if b.label == t("ui.planning.invitation_save", "nb")).click().run()
    _ok(at)
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    text = at.text_area(key=TEXT).value
    assert text.startswith("Til Kari Nordmann\n")
    assert "Tid: onsdag 4. mars 2026 kl. 09.00\nSted: Bryggen 3, møterom Fløyen" in text
    assert "Andregangsintervjuet er tirsdag 10. mars 2026." in text
    assert text.endswith("Rita Rekrutterer")
    assert not at.warning
    # the details are stored with the recruitment: a new session sees them
    again = _open(monkeypatch)
    assert again.text_input(key="planning_invitation_place").value == "Bryggen 3, møterom Fløyen"


def test_an_edit_survives_reruns_and_other_finalists_and_languages(store, monkeypatch):
    at = _open(monkeypatch)
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    generated = at.text_area(key=TEXT).value
    edited = generated.replace("Vennlig hilsen", "Med vennlig hilsen fra oss alle")
    at.text_area(key=TEXT).input(edited).run()
    _ok(at)
    assert at.text_area(key=TEXT).value == edited
    at.run()  # a plain rerun
    assert at.text_area(key=TEXT).value == edited
    # another finalist, the other language, and back
    at.selectbox(key="planning_invitation_finalist").select("A2").run()
    assert at.text_area(key=TEXT).value.startswith("Til Ola Hansen")
    at.radio(key="planning_invitation_lang").set_value("en").run()
    assert at.text_area(key=TEXT).value.startswith("To Ola Hansen")
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    assert at.text_area(key=TEXT).value.startswith("To Kari Nordmann")
    at.radio(key="planning_invitation_lang").set_value("nb").run()
    assert at.text_area(key=TEXT).value == edited
    # a change of details afterwards does not overwrite the edit, but the page says so
    at.text_input(key="planning_invitation_place").input("Rom 2")
    next(b for b in at.button if b.label == t("ui.planning.invitation_save", "nb")).click().run()
    assert at.text_area(key=TEXT).value == edited
    assert t("ui.planning.invitation_stale", "nb") in [i.value for i in at.info]
    # reset: the letter as generated now
    reset = at.button(key="planning_invitation_reset")
    assert not reset.disabled
    reset.click().run()
    _ok(at)
    text = at.text_area(key=TEXT).value
    assert "Sted: Rom 2" in text and "Med vennlig hilsen fra oss alle" not in text
    assert at.button(key="planning_invitation_reset").disabled


def test_downloads_carry_the_edited_letter(store, monkeypatch, downloads):
    from docx import Document

    at = _open(monkeypatch, lang="en")
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    edited = at.text_area(key=TEXT).value + "\nP.S. Parkering i bakgården."
    at.text_area(key=TEXT).input(edited).run()
    _ok(at)
    data, name = downloads["planning_invitation_txt"]
    assert data.decode("utf-8") == edited and name == "invitation_Kari_Nordmann_en.txt"
    data, name = downloads["planning_invitation_docx"]
    assert name == "invitation_Kari_Nordmann_en.docx"
    paragraphs = [p.text for p in Document(io.BytesIO(data)).paragraphs]
    assert paragraphs[0] == "To Kari Nordmann"
    assert any("P.S. Parkering i bakgården." in p for p in paragraphs)
    # the copy box shows the same text
    assert at.code[0].value == edited


def test_a_viewer_reads_but_cannot_change_or_download(store, monkeypatch, downloads):
    at = _open(monkeypatch, actor=Actor("vera", "viewer"))
    assert not downloads and not at.code
    assert not any(i.key == "planning_invitation_place" for i in at.text_input)
    assert t("ui.planning.invitation_no_export", "nb") in _captions(at)
    assert at.text_area(key=TEXT).value  # the letter itself is there to read


def test_pseudonyms_reach_the_letter_and_the_picker(store, monkeypatch, downloads):
    import ui
    import ui.auth

    monkeypatch.setattr(ui.auth, "current_actor", lambda: RECRUITER)
    monkeypatch.setattr(ui, "current_actor", lambda: RECRUITER)
    at = AppTest.from_file(str(ROOT / PAGE), default_timeout=TIMEOUT)
    at.session_state["pseudonyms"] = True
    at.run()
    _ok(at)
    picker = at.selectbox(key="planning_invitation_finalist")
    assert not any("Kari" in str(o) or "Ola" in str(o) for o in picker.options)
    text = at.text_area(key=TEXT).value
    assert "Kari" not in text and "Ola" not in text and text.startswith("Til Finalist ")
    assert not any(name and "Kari" in name for _, name in downloads.values())


def test_hostile_names_stay_text_in_the_letter_and_out_of_the_markdown(tmp_path, monkeypatch):
    from tests.hostile import MARKUP

    store = app_store_for(tmp_path, monkeypatch)
    sheets = minimal_sheets()
    sheets["Økter"]["kandidat"] = [MARKUP[0], MARKUP[2]]
    sheets["Økter"]["leder"] = [MARKUP[3], MARKUP[3]]
    store.import_upload(Upload("log.xlsx", workbook_bytes(sheets)), FixedLabeller())
    at = _open(monkeypatch)
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    _ok(at)
    text = at.text_area(key=TEXT).value
    assert text.startswith(f"Til {MARKUP[0]}\n") and f"du intervjuer {MARKUP[3]}" in text
    # every Markdown place that quotes data escapes it (here: the process check's reasons)
    for element in list(at.markdown) + list(at.caption) + list(at.warning) + list(at.info):
        for markup in (MARKUP[0], MARKUP[2], MARKUP[3]):
            assert markup not in element.value
