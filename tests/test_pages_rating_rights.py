"""The Ratings page says who may rate (issue 10, defect 2): a rater sees only the sessions they may
rate, declined sessions are marked and offer no form, the role has no default, and the rater is
named by their display name."""
from __future__ import annotations

import pytest
from streamlit import config as st_config
from streamlit.testing.v1 import AppTest

import ui
from analysis.i18n import t
from analysis.store.auth import LOCAL, Actor
from analysis.store.core import Store
from analysis.store.models import Account, Assignment
from analysis.workbook.reading import Upload
from analysis.workbook.schema import SCORES
from analysis.workbook.writing import workbook_bytes
from tests.conftest import ROOT, FixedLabeller, minimal_sheets

PAGE = str(ROOT / "app_pages" / "ratings.py")


@pytest.fixture
def store(tmp_path, monkeypatch):
    """A1 (held, manager Per Leder) with Per's rating in, 1 of 2, and no assignments; A2
    declined. Accounts: per ("Per Leder"), olga ("Olga Observatør"), vic."""
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    st_config.set_option("client.showErrorDetails", "full")
    s = Store(url)
    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1]
    s.import_upload(Upload("log.xlsx", workbook_bytes(sheets)), FixedLabeller())
    with s.transaction() as db:
        for user, name in (("per", "Per Leder"), ("olga", "Olga Observatør"), ("vic", None)):
            db.add(Account(username=user, display_name=name, role="rater"))
    return s


def _run(actor: Actor, monkeypatch, session: str | None = None) -> AppTest:
    import ui.auth

    monkeypatch.setattr(ui.auth, "current_actor", lambda: actor)
    monkeypatch.setattr(ui, "current_actor", lambda: actor)
    at = AppTest.from_file(PAGE, default_timeout=60)
    at.run()
    if session is not None:
        at.selectbox(key="ratings_session").select(session).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _texts(at: AppTest) -> str:
    return "\n".join(str(e.value) for kind in ("info", "error", "caption", "subheader")
                     for e in getattr(at, kind))


def test_an_unrecorded_rater_is_offered_nothing_to_rate(store, monkeypatch):
    at = _run(Actor("vic", "rater"), monkeypatch)
    assert t("ui.ratings.none_to_rate", "nb") in _texts(at)
    assert not at.selectbox and not at.slider  # no session, no form


def test_a_rater_sees_the_sessions_they_may_rate_by_their_display_name(store, monkeypatch):
    at = _run(Actor("per", "rater"), monkeypatch)
    assert at.selectbox(key="ratings_session").options == [
        "Kari Nordmann · Driftssjef Bergen · 04.03.2026"]  # not the declined A2
    assert at.text_input(key="ratings_rater").value == "Per Leder"
    # the manager of A1 may rate it as manager only: the one role is his
    assert at.radio(key="ratings_role").options == [t("role.manager", "nb")]
    assert at.radio(key="ratings_role").value == "manager"


def test_an_assigned_rater_picks_a_role_there_is_no_default(store, monkeypatch):
    with store.transaction() as db:
        db.add(Assignment(username="olga", session_key="A1"))
    at = _run(Actor("olga", "rater"), monkeypatch)
    assert at.radio(key="ratings_role").value is None
    for score in SCORES:
        at.slider(key=f"ratings_score_{score}").set_value(2)
    submit = next(b for b in at.button if b.label == t("ui.ratings.submit", "nb"))
    submit.click().run()
    assert t("ui.ratings.pick_role", "nb") in _texts(at)
    assert store.summary()["ratings"] == 1  # nothing handed in
    at.radio(key="ratings_role").set_value("observer")
    submit = next(b for b in at.button if b.label == t("ui.ratings.submit", "nb"))
    submit.click().run()
    assert not at.exception
    assert store.summary()["ratings"] == 2


def test_declined_sessions_are_marked_and_not_rated(store, monkeypatch):
    at = _run(LOCAL, monkeypatch)
    options = at.selectbox(key="ratings_session").options
    assert any(o.endswith(" · " + t("ui.ratings.mark_declined", "nb")) for o in options)
    at.selectbox(key="ratings_session").select("A2").run()
    assert t("ratings.refused.declined", "nb") in _texts(at)
    assert not at.slider  # no form


def _frames_script():
    import streamlit as st

    import ui

    d = ui.data()
    st.text(f"questions {len(d.questions)}")
    st.text("ratings " + (",".join(sorted(d.ratings["rater"])) or "-"))


def test_people_of_one_role_share_the_frames_but_each_sees_only_their_own_closed_rating(
        store, monkeypatch):
    # team scale (issue 13): the frames are read once per role and store version, not once per
    # person; a closed session's ratings are still each person's own (Per's 1 of 2 is his)
    import ui.auth
    import ui.reads

    reads = []
    questions = Store.questions
    monkeypatch.setattr(Store, "questions",
                        lambda self: reads.append(self.actor.name) or questions(self))
    ui.clear_caches()
    shown = {}
    for actor in (Actor("per", "rater"), Actor("olga", "rater"), Actor("per", "rater")):
        monkeypatch.setattr(ui.auth, "current_actor", lambda actor=actor: actor)
        at = AppTest.from_function(_frames_script, default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
        shown[actor.name] = [str(e.value) for e in at.text]
    assert reads == [ui.auth.SHARED]  # one read for both raters
    assert shown["per"] == ["questions 3", "ratings Per Leder"]
    assert shown["olga"] == ["questions 3", "ratings -"]
    # an admin reads what a rater reads (the ratings aside): the same copy, no second read
    monkeypatch.setattr(ui.auth, "current_actor", lambda: LOCAL)
    at = AppTest.from_function(_frames_script, default_timeout=60)
    at.run()
    assert [str(e.value) for e in at.text] == ["questions 3", "ratings -"]  # closed: not hers
    assert reads == [ui.auth.SHARED]
    ui.clear_caches()


def test_the_launchers_warm_up_reads_the_frames_the_first_view_needs(store, monkeypatch):
    import ui.auth
    import ui.reads

    reads = []
    questions = Store.questions
    monkeypatch.setattr(Store, "questions",
                        lambda self: reads.append(self.actor.name) or questions(self))
    ui.clear_caches()
    ui.reads.warm()  # what ui.launch runs once the server listens
    assert len(reads) == 1
    for actor in (LOCAL, Actor("olga", "rater")):
        monkeypatch.setattr(ui.auth, "current_actor", lambda actor=actor: actor)
        at = AppTest.from_function(_frames_script, default_timeout=60)
        at.run()
        assert not at.exception, [e.value for e in at.exception]
    assert len(reads) == 1  # neither view read the store's questions again
    ui.clear_caches()
