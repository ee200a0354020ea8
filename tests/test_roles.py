"""Every store function checks the role: each call is made as each role, and what the role may not
do must raise `PermissionDenied` and change nothing."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from analysis import reveal, set_required_raters, submit_rating, visible_ratings
from analysis.errors import PermissionDenied
from analysis.store import accounts, audit, privacy
from analysis.store.auth import ROLES, Actor
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from tests.conftest import FixedLabeller, app_store_for, minimal_sheets, rendered

ALL = set(ROLES)
STAFF = {"admin", "recruiter"}
ADMIN = {"admin"}
SCORES = {"role_insight": 3, "priorities": 3, "conversation": 3, "follow_up": 3, "composure": 3}


def _upload() -> Upload:
    from analysis.workbook.writing import workbook_bytes

    sheets = minimal_sheets()
    sheets["Økter"].loc[1, "økt_id"] = "A3"  # a new session, so the import writes something
    return Upload("more.xlsx", workbook_bytes(sheets))


def _first_question(s) -> int:
    return int(s.as_actor(Actor("x", "admin")).questions()["id"].iloc[0])


#: (name, call, roles allowed). Each call gets the store seen by the role under test.
CALLS = [
    ("Store.summary", lambda s: s.summary(), ALL),
    ("Store.recruitments", lambda s: s.recruitments(), ALL),
    ("Store.sessions", lambda s: s.sessions(), ALL),
    ("Store.questions", lambda s: s.questions(), ALL),
    ("Store.feedback", lambda s: s.feedback(), ALL),
    ("Store.corrections", lambda s: s.corrections(), ALL),
    ("Store.import_log", lambda s: s.import_log(), ALL),
    ("Store.ratings (filtered by the blind rule)", lambda s: s.ratings(), ALL),
    ("Store.validate", lambda s: s.validate(_upload()), STAFF),
    ("Store.import_upload", lambda s: s.import_upload(_upload(), FixedLabeller()), STAFF),
    ("Store.correct", lambda s: s.correct(_first_question(s), "group"), STAFF),
    ("Store.relabel", lambda s: s.relabel(FixedLabeller()), STAFF),
    ("Store.label_missing", lambda s: s.label_missing(FixedLabeller()), STAFF),
    ("submit_rating",
     lambda s: submit_rating(s, "A1", s.actor.name, "observer", SCORES), STAFF | {"rater"}),
    ("reveal", lambda s: reveal(s, "A1"), STAFF),
    ("set_required_raters",
     lambda s: set_required_raters(s, "Driftssjef Bergen", 3), STAFF),
    ("visible_ratings", lambda s: visible_ratings(s), ALL),
    ("privacy.erase_candidate", lambda s: privacy.erase_candidate(s, "A1"), ADMIN),
    ("privacy.apply_retention", lambda s: privacy.apply_retention(s, 1), ADMIN),
    ("privacy.set_retention_months", lambda s: privacy.set_retention_months(s, 12), ADMIN),
    ("privacy.retention_due", lambda s: privacy.retention_due(s, 6), ALL),
    ("privacy.access_export", lambda s: privacy.access_export(s, "A1"), ADMIN),
    ("audit.audit_log", lambda s: audit.audit_log(s), ADMIN),
    ("audit.audit_export", lambda s: audit.audit_export(s), ADMIN),
    ("accounts.accounts", lambda s: accounts.accounts(s), ADMIN),
    ("accounts.create_account",
     lambda s: accounts.create_account(s, "newbie", "a long password", "viewer"), ADMIN),
    ("accounts.set_role", lambda s: accounts.set_role(s, "rita", "viewer"), ADMIN),
    ("accounts.set_active", lambda s: accounts.set_active(s, "rita", False), ADMIN),
    ("accounts.unlock", lambda s: accounts.unlock(s, "rita"), ADMIN),
    ("accounts.set_password (someone else's)",
     lambda s: accounts.set_password(s, "boss", "another long one"), ADMIN),
    ("accounts.assign", lambda s: accounts.assign(s, "rita", "A1"), ADMIN),
    ("accounts.unassign", lambda s: accounts.unassign(s, "rita", "A1"), ADMIN),
    ("accounts.assignments (all)", lambda s: accounts.assignments(s), ADMIN),
]


@pytest.fixture(scope="module")
def team_template(tmp_path_factory) -> Path:
    """The role matrix's store, built once: the minimal workbook, the first admin and a rater."""
    path = tmp_path_factory.mktemp("roles") / "template.sqlite"
    store = Store(f"sqlite:///{path}")
    store.import_upload(Upload("log.xlsx", _minimal_bytes()), FixedLabeller())
    accounts.create_first_admin(store, "boss", "correct horse battery")
    accounts.create_account(store, "rita", "rater password", "rater")
    accounts.assign(store, "rita", "A1")  # a rater rates only what is theirs to rate
    return path


@pytest.fixture
def team(team_template, tmp_path) -> Store:
    """A copy of the shared store for one case: what one role may do (erase, retrain...) never
    changes what the next case sees. SQLite's backup copies the write-ahead log as well."""
    path = tmp_path / "store.sqlite"
    with sqlite3.connect(team_template) as source, sqlite3.connect(path) as copy:
        source.backup(copy)
    return Store(f"sqlite:///{path}")


def _minimal_bytes() -> bytes:
    from analysis.workbook.writing import workbook_bytes

    return workbook_bytes(minimal_sheets())


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name, call, allowed", CALLS, ids=[c[0] for c in CALLS])
def test_role_is_checked(team, role, name, call, allowed):
    # a rater rates as themselves, so the rater's actor is the account "rita"
    actor = Actor("rita" if role == "rater" else f"a-{role}", role)
    as_role = team.as_actor(actor)
    if role in allowed:
        call(as_role)
        return
    version = team.version()
    with pytest.raises(PermissionDenied):
        call(as_role)
    # refused means nothing was written (an audit event of the refusal is not a data write)
    assert team.version() == version


def test_refusals_of_trust_functions_are_audited(team):
    viewer = team.as_actor(Actor("vic", "viewer"))
    with pytest.raises(PermissionDenied):
        privacy.erase_candidate(viewer, "A1")
    with pytest.raises(PermissionDenied):
        audit.audit_log(viewer)
    log = audit.audit_log(team, action="refused")
    assert list(log["actor"]) == ["vic", "vic"]
    assert [d["permission"] for d in log["detail"]] == ["audit", "erase"]


def test_viewer_and_rater_never_get_notes_before_reveal(team):
    set_required_raters(team, "Driftssjef Bergen", 3)  # 2 of 3 in: still closed
    for role in ("viewer", "rater"):
        seen = visible_ratings(team.as_actor(Actor(f"x-{role}", role)))
        assert "God samtale" not in set(seen.get("note", []))


# -- pages: team mode signs everyone in, and each page checks the role --------------------------

APP_TIMEOUT = 120


@pytest.fixture
def app_store(tmp_path, monkeypatch):
    """An app environment: a store with the minimal workbook and three accounts."""
    store = app_store_for(tmp_path, monkeypatch)
    store.import_upload(Upload("log.xlsx", _minimal_bytes()), FixedLabeller())
    accounts.create_first_admin(store, "boss", "correct horse battery")
    accounts.create_account(store, "vic", "viewer password", "viewer")
    return store


def _app(team: bool, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from tests.conftest import ROOT

    if team:
        monkeypatch.setenv("OMVENDT_TEAM_MODE", "1")
    else:
        monkeypatch.delenv("OMVENDT_TEAM_MODE", raising=False)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=APP_TIMEOUT)
    at.run()
    return at


def _sign_in(at, username: str, password: str):
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()  # the form's only button
    return at


def _texts(at) -> str:
    return rendered("\n".join(str(e.value) for kind in (
        "title", "markdown", "caption", "warning", "error", "info", "success")
        for e in getattr(at, kind)))


def test_local_mode_has_no_sign_in_and_opens_the_admin_page(app_store, monkeypatch):
    from analysis.i18n import t

    at = _app(False, monkeypatch)
    assert not at.exception
    assert t("trust.signin.title", "nb") not in _texts(at)
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("trust.admin.title", "nb")
    assert "boss" in at.dataframe[0].value.astype(str).to_string()


def test_team_mode_shows_nothing_before_sign_in(app_store, monkeypatch):
    from analysis.i18n import t

    at = _app(True, monkeypatch)
    assert not at.exception
    assert [e.value for e in at.title] == [t("trust.signin.title", "nb")]
    assert not at.dataframe and "Kari Nordmann" not in _texts(at)
    _sign_in(at, "vic", "wrong password")
    assert t("trust.signin.bad_credentials", "nb") in _texts(at)
    assert [e.value for e in at.title] == [t("trust.signin.title", "nb")]


def test_team_mode_viewer_is_refused_the_admin_and_import_pages(app_store, monkeypatch):
    from streamlit.testing.v1 import AppTest

    from analysis.i18n import t
    from tests.conftest import ROOT

    at = _sign_in(_app(True, monkeypatch), "vic", "viewer password")
    assert not at.exception, [e.value for e in at.exception]
    assert t("trust.signin.title", "nb") not in [e.value for e in at.title]
    assert "vic" in _texts(at)  # the sidebar says who is signed in
    refusal = t("trust.refused", "nb", role=t("trust.role.viewer", "nb"))
    for page in ("app_pages/admin.py", "app_pages/import_data.py"):
        with pytest.raises(ValueError, match="Could not find a navigation page"):
            at.switch_page(page)  # not in the viewer's menu at all
        # and the page itself refuses, however it is reached
        alone = AppTest.from_file(str(ROOT / page), default_timeout=APP_TIMEOUT)
        alone.session_state["signed_in_actor"] = Actor("vic", "viewer")
        alone.run()
        assert not alone.exception, [e.value for e in alone.exception]
        assert refusal in _texts(alone)
        assert not alone.dataframe  # nothing of the page rendered
    log = audit.audit_log(app_store)
    assert {"accounts", "import"} <= {d.get("permission") for d in
                                      log[log["action"] == "refused"]["detail"]}
    assert "sign_in" in set(log["action"])


def test_team_mode_viewer_on_an_empty_store_gets_words_not_a_traceback(tmp_path, monkeypatch):
    # the empty state linked to the Import page, which a viewer's menu does not have
    from analysis.i18n import t

    store = app_store_for(tmp_path, monkeypatch)
    accounts.create_first_admin(store, "boss", "correct horse battery")
    accounts.create_account(store, "vic", "viewer password", "viewer")
    at = _sign_in(_app(True, monkeypatch), "vic", "viewer password")
    assert not at.exception, [e.value for e in at.exception]
    assert t("ui.common.no_data", "nb")[:20] in _texts(at)


def test_team_mode_admin_signs_in_and_out(app_store, monkeypatch):
    from analysis.i18n import t

    at = _sign_in(_app(True, monkeypatch), "boss", "correct horse battery")
    at.switch_page("app_pages/admin.py").run()
    assert not at.exception, [e.value for e in at.exception]
    assert at.title[0].value == t("trust.admin.title", "nb")
    at.button(key="signout").click().run()
    assert [e.value for e in at.title] == [t("trust.signin.title", "nb")]


def test_a_deactivated_account_is_signed_out_on_the_next_click(app_store, monkeypatch):
    from analysis.i18n import t

    at = _sign_in(_app(True, monkeypatch), "vic", "viewer password")
    accounts.set_active(app_store, "vic", False)
    at.run()
    assert [e.value for e in at.title] == [t("trust.signin.title", "nb")]


def test_admin_page_creates_an_account_and_erases_a_candidate(app_store, monkeypatch):
    from analysis.i18n import t

    at = _app(False, monkeypatch)
    at.switch_page("app_pages/admin.py").run()
    at.text_input(key="admin_new_username").input("rita")
    at.selectbox(key="admin_new_role").select("rater")
    at.text_input(key="admin_new_pw").input("rater password")
    at.text_input(key="admin_new_pw2").input("rater password")
    next(b for b in at.button if b.label == t("trust.admin.create_button", "nb")).click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("trust.admin.created", "nb", username="rita") in _texts(at)
    assert accounts.authenticate(app_store, "rita", "rater password").role == "rater"

    at.selectbox(key="admin_erase_pick").select("A1")
    assert at.button(key="admin_erase").disabled  # not before the id is typed
    at.text_input(key="admin_erase_typed").input("A1").run()
    at.button(key="admin_erase").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert t("trust.admin.erased", "nb", session="A1") in _texts(at)
    names = app_store.sessions().set_index("session_id")["candidate"]
    assert names["A1"] == privacy.ERASED_NAME and names["A2"] == "Ola Hansen"
