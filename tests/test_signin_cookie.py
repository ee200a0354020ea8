"""Team mode keeps a local account signed in across a reload (issue 10, defect 11): the sign-in
writes a signed cookie, a new page load with it is signed in, a sign-out revokes it. AppTest cannot
send cookies, so a reload is a new AppTest whose request cookie is the one the page wrote; the
browser test (tests/test_browser_signin.py) does the same in Chromium."""
from __future__ import annotations

import re

import pytest
from streamlit.testing.v1 import AppTest

from analysis import create_account, create_first_admin, set_password
from analysis.i18n import t
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import ROOT, FixedLabeller, app_store_for, minimal_sheets

SIGN_IN = t("trust.signin.title", "nb")


@pytest.fixture
def team(tmp_path, monkeypatch):
    store = app_store_for(tmp_path, monkeypatch)
    store.import_upload(Upload("log.xlsx", workbook_bytes(minimal_sheets())), FixedLabeller())
    create_first_admin(store, "boss", "correct horse battery")
    create_account(store, "vic", "viewer password", "viewer", "Vic Viewer")
    monkeypatch.setenv("OMVENDT_TEAM_MODE", "1")
    return store


def _load(monkeypatch, cookie: str | None = None) -> AppTest:
    """A page load (a reload, a bookmark, a new tab) whose request carries ``cookie``."""
    import ui.remember

    monkeypatch.setattr(ui.remember, "request_token", lambda: cookie)
    at = AppTest.from_file(str(ROOT / "app.py"), default_timeout=120)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def _titles(at: AppTest) -> list[str]:
    return [e.value for e in at.title]


def _written_cookie(at: AppTest) -> str | None:
    """The value the page's script writes into the sign-in cookie, if it writes one."""
    for element in at.get("html"):
        found = re.search(r"omvendt_session=([^;]*); Max-Age=(\d+)", element.proto.body)
        if found:
            return found.group(1) if int(found.group(2)) else ""
    return None


def _sign_in(at: AppTest, username: str, password: str) -> AppTest:
    at.text_input(key="signin_username").input(username)
    at.text_input(key="signin_password").input(password)
    at.button[0].click().run()
    return at


def test_a_reload_keeps_the_sign_in_and_sign_out_ends_it(team, monkeypatch):
    at = _sign_in(_load(monkeypatch), "vic", "viewer password")
    assert SIGN_IN not in _titles(at)
    cookie = _written_cookie(at)
    assert cookie, "the sign-in wrote no cookie"
    assert "Vic Viewer" in "\n".join(e.value for e in at.caption)  # the display name

    reloaded = _load(monkeypatch, cookie)  # F5, a bookmark, a new tab
    assert SIGN_IN not in _titles(reloaded)
    assert reloaded.session_state["signed_in_actor"].name == "vic"

    reloaded.button(key="signout").click().run()
    assert _titles(reloaded) == [SIGN_IN]
    assert _written_cookie(reloaded) == ""  # the browser's cookie is cleared
    # and the old cookie, if a copy survives anywhere, signs nobody in
    assert _titles(_load(monkeypatch, cookie)) == [SIGN_IN]
    # nor does the first tab, still open, stay signed in after its next click
    at.run()
    assert _titles(at) == [SIGN_IN]


def test_a_forged_or_stale_cookie_shows_the_sign_in_form(team, monkeypatch):
    at = _sign_in(_load(monkeypatch), "vic", "viewer password")
    cookie = _written_cookie(at)
    assert _titles(_load(monkeypatch, cookie[:-3] + "AAA")) == [SIGN_IN]
    assert _titles(_load(monkeypatch, "garbage")) == [SIGN_IN]
    set_password(team, "vic", "a brand new password")  # an admin reset it: signed out
    assert _titles(_load(monkeypatch, cookie)) == [SIGN_IN]
