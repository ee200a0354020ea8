"""AppTest tests of the Ratings, Planning and Guide pages: each renders for every role and on an
empty store; a rater cannot get at the others' scores through the page before reveal; handing in,
revealing, ticking the plan and downloading the guide work through the widgets."""
from __future__ import annotations

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

from analysis import RULES, plan_state, session_states, visible_ratings
from analysis.i18n import t
from analysis.store.auth import LOCAL, Actor
from analysis.store.core import Store
from analysis.store.models import Account, Assignment
from analysis.workbook.schema import SCORES
from tests.conftest import ROOT, FixedLabeller, minimal_sheets, rendered

PAGES = ["app_pages/ratings.py", "app_pages/planning.py", "app_pages/guide.py"]
TIMEOUT = 60
RECRUITER = Actor("rita", "recruiter")
PER = Actor("per", "rater")
OLGA = Actor("Olga Observatør", "rater")
VIEWER = Actor("vera", "viewer")
ACTORS = [LOCAL, RECRUITER, OLGA, VIEWER]


@pytest.fixture
def empty(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    st_config.set_option("client.showErrorDetails", "full")
    return Store(url)


@pytest.fixture
def closed(empty):
    """A1 has the manager's rating only (1 of 2): closed for everyone but Per."""
    from analysis.workbook.reading import Upload
    from analysis.workbook.writing import workbook_bytes

    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1].assign(notat="Hemmelig notat")
    empty.import_upload(Upload("log.xlsx", workbook_bytes(sheets)), FixedLabeller())
    with empty.transaction() as db:
        db.add(Account(username="per", display_name="Per Leder", role="rater"))
        # the two raters of A1 (without assignments only its recorded manager Per may rate it)
        db.add(Assignment(username="per", session_key="A1"))
        db.add(Assignment(username="Olga Observatør", session_key="A1"))
    return empty


def _act_as(actor: Actor, monkeypatch) -> None:
    """Every page and the store they read see ``actor`` (as if signed in)."""
    import ui.auth

    monkeypatch.setattr(ui.auth, "current_actor", lambda: actor)
    monkeypatch.setattr(ui, "current_actor", lambda: actor)


def _run(page: str, actor: Actor, monkeypatch, session: str | None = "A1",
         lang: str = "nb") -> AppTest:
    _act_as(actor, monkeypatch)
    at = AppTest.from_file(str(ROOT / page), default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    prefix = page.split("/")[1].removesuffix(".py")
    key = f"{prefix}_session"
    if session and not at.exception and any(s.key == key for s in at.selectbox):
        at.selectbox(key=key).select(session).run()
    return at


def _texts(at: AppTest) -> str:
    parts = [e.value for kind in ("title", "subheader", "markdown", "caption", "info", "warning",
                                  "error", "success", "code") for e in getattr(at, kind)]
    return rendered("\n".join(str(p) for p in parts))


def _cells(at: AppTest) -> str:
    out = []
    for df in list(at.dataframe) + list(at.table):
        frame = df.value
        frame = frame.data if hasattr(frame, "data") else frame  # a Styler
        out.append(" | ".join(map(str, frame.columns)) + "\n" + frame.astype(str).to_csv())
    return "\n".join(out)


def _side_by_side(at: AppTest, lang: str = "nb") -> bool:
    return t("ui.ratings.side_by_side", lang) in [e.value for e in at.subheader]


def _ok(at: AppTest) -> None:
    assert not at.exception, [e.value for e in at.exception]


@pytest.mark.parametrize("actor", ACTORS, ids=lambda a: a.role)
@pytest.mark.parametrize("page", PAGES)
def test_page_renders_for_every_role(closed, monkeypatch, page, actor):
    at = _run(page, actor, monkeypatch)
    _ok(at)
    title = {"ratings": "ui.ratings.title", "planning": "ui.planning.title",
             "guide": "ui.guide.title"}[page.split("/")[1][:-3]]
    assert at.title[0].value == t(title, "nb")


@pytest.mark.parametrize("page", PAGES)
def test_page_on_an_empty_store_says_what_to_do(empty, monkeypatch, page):
    at = _run(page, LOCAL, monkeypatch, session=None, lang="en")
    _ok(at)
    assert "Import a workbook first." in at.info[0].value


@pytest.mark.parametrize("actor", [LOCAL, RECRUITER, OLGA, VIEWER], ids=lambda a: a.role)
def test_ratings_page_is_blind_before_complete(closed, monkeypatch, actor):
    at = _run("app_pages/ratings.py", actor, monkeypatch)
    _ok(at)
    everything = _texts(at) + _cells(at)
    assert "Hemmelig notat" not in everything
    assert not _side_by_side(at)
    assert "Per Leder" in _cells(at)  # who has handed in is public
    assert t("ui.ratings.closed", "nb", n=1, required=2) in _texts(at)


def test_rater_sees_own_rating_and_hands_in_through_the_form(closed, monkeypatch):
    per = _run("app_pages/ratings.py", PER, monkeypatch)
    _ok(per)
    assert t("ui.ratings.your_rating", "nb") in _texts(per)  # Per's own scores
    own = next(df.value for df in per.dataframe if "Per Leder" in df.value.columns)
    assert own["Per Leder"].tolist() == [4, 3, 5, 4, 4]
    at = _run("app_pages/ratings.py", OLGA, monkeypatch)
    assert at.text_input(key="ratings_rater").disabled  # a rater rates as themselves
    at.radio(key="ratings_role").set_value("observer")
    for score, value in zip(SCORES, (2, 3, 4, 5, 1)):
        at.slider(key=f"ratings_score_{score}").set_value(value)
    at.text_area(key="ratings_note").input("Nysgjerrig og varm")
    next(b for b in at.button if b.label == t("ui.ratings.submit", "nb")).click().run()
    _ok(at)
    stored = visible_ratings(closed, "A1").set_index("rater")
    assert stored.loc["Olga Observatør", [*SCORES]].tolist() == [2, 3, 4, 5, 1]
    assert stored.loc["Olga Observatør", "source"] == "app"
    # complete now: side by side, the difference highlighted, the other's note still hidden
    assert _side_by_side(at)
    table = next(df.value for df in at.dataframe if "Olga Observatør" in df.value.columns)
    assert list(table.columns) == ["Olga Observatør", "Per Leder", "Forskjell"]
    assert table["Forskjell"].tolist() == [2, 0, 1, 1, 3]
    assert "Hemmelig notat" not in _texts(at)
    assert "Nysgjerrig og varm" in _texts(at)
    assert t("ui.ratings.locked", "nb") in _texts(at)  # and no longer editable


def test_recruiter_reveals_and_sees_notes(closed, monkeypatch):
    viewer = _run("app_pages/ratings.py", VIEWER, monkeypatch)
    assert not any(b.key == "ratings_reveal" for b in viewer.button)
    assert not any(f for f in viewer.slider)  # a viewer does not rate
    at = _run("app_pages/ratings.py", RECRUITER, monkeypatch)
    at.button(key="ratings_reveal").click().run()
    _ok(at)
    assert session_states(closed, "A1").iloc[0]["revealed_by"] == "rita"
    assert _side_by_side(at)
    assert "Hemmelig notat" in _texts(at)
    viewer = _run("app_pages/ratings.py", VIEWER, monkeypatch)
    assert _side_by_side(viewer)
    assert "Hemmelig notat" not in _texts(viewer)


def test_required_raters_setting_on_the_page(closed, monkeypatch):
    at = _run("app_pages/ratings.py", RECRUITER, monkeypatch, lang="en")
    at.number_input(key="ratings_required").set_value(1)
    at.button(key="ratings_required_save").click().run()
    _ok(at)
    assert closed.recruitments().loc[0, "required_raters"] == 1
    assert _side_by_side(at, "en")
    # the chosen session's recruitment's agreement, a whole table
    agreement = next(tb.value for tb in at.table
                     if any("Alpha" in str(c) for c in tb.value.columns))
    assert "Too few sessions to say" in agreement.to_csv()


def test_planning_checklist_is_saved(closed, monkeypatch):
    at = _run("app_pages/planning.py", RECRUITER, monkeypatch)
    at.checkbox(key="planning_item_room").check()
    at.checkbox(key="planning_item_manager_agreed").check()
    next(b for b in at.button if b.label == t("ui.planning.save", "nb")).click().run()
    _ok(at)
    plan = plan_state(closed, "Driftssjef Bergen")
    assert {k for k, v in plan.items() if v} == {"room", "manager_agreed"}
    assert t("ui.planning.progress", "nb", done=2, total=9) in at.get("progress")[0].proto.text
    viewer = _run("app_pages/planning.py", VIEWER, monkeypatch)
    assert viewer.checkbox(key="planning_item_room").value is True
    assert viewer.checkbox(key="planning_item_room").disabled
    assert t("ui.planning.read_only", "nb") in _texts(viewer)


def test_planning_shows_the_process_check_and_the_invitation(closed, monkeypatch):
    at = _run("app_pages/planning.py", VIEWER, monkeypatch, lang="en")
    _ok(at)
    text = _texts(at)
    for rule in RULES:
        assert t(f"process.rule.{rule}", "en") in text
    assert "Ratings missing (handed in/required): A1 (1/2)." in text
    # a viewer reads the invitation but cannot download it
    at.selectbox(key="planning_invitation_finalist").select("A1").run()
    assert at.text_area(key="planning_invitation_text").value.startswith("To Kari Nordmann")
    assert not at.get("download_button")
    assert t("ui.planning.invitation_no_export", "en") in text


def test_guide_page_renders_the_guide_and_offers_downloads(closed, monkeypatch):
    at = _run("app_pages/guide.py", LOCAL, monkeypatch)
    _ok(at)
    text = _texts(at)
    assert "Guide til andregangsintervju: Kari Nordmann" in text
    assert "Du spurte ikke om teamet – hva vil du vite?" in text
    assert "Hemmelig notat" not in text + _cells(at)
    downloads = at.get("download_button")
    assert len(downloads) == 3
    at.radio(key="guide_lang").set_value("en").run()
    assert "Second-interview guide: Kari Nordmann" in _texts(at)


def test_guide_page_for_a_viewer_has_no_downloads_and_honours_pseudonyms(closed, monkeypatch):
    _act_as(VIEWER, monkeypatch)
    at = AppTest.from_file(str(ROOT / "app_pages/guide.py"), default_timeout=TIMEOUT)
    at.session_state["pseudonyms"] = True
    at.run()
    at.selectbox(key="guide_session").select("A1").run()
    _ok(at)
    assert not at.get("download_button")
    assert t("ui.guide.no_export", "nb") in _texts(at)
    assert "Finalist A" in _texts(at) and "Kari" not in _texts(at) + _cells(at)
