"""Team mode in Chromium (issue 10, defect 11): a reload and a new tab keep a local account
signed in (the signed cookie), and signing out ends it, also for a reload afterwards."""
from __future__ import annotations

import time

import pytest

from analysis import create_account, create_first_admin
from analysis.i18n import t
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import FixedLabeller, minimal_sheets
from tests.test_browser import TIMEOUT_MS, _browser_or_skip, _settled, serve_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def team_server(tmp_path_factory):
    """The app in team mode on a free port, over a store with a viewer account."""
    _browser_or_skip()
    tmp = tmp_path_factory.mktemp("signin")
    url_db = f"sqlite:///{tmp / 'store.sqlite'}"
    store = Store(url_db)
    store.import_upload(Upload("log.xlsx", workbook_bytes(minimal_sheets())), FixedLabeller())
    create_first_admin(store, "boss", "correct horse battery")
    create_account(store, "vic", "viewer password", "viewer", "Vic Viewer")
    env = {"OMVENDT_DATABASE_URL": url_db, "OMVENDT_TEAM_MODE": "1",
           "OMVENDT_MODEL_PATH": str(tmp / "no-model.npz")}
    with serve_app(env, tmp / "server.log") as url:
        yield url


def _signed_in(page) -> None:
    """The app's page for Vic: his name in the sidebar, no sign-in form."""
    from playwright.sync_api import expect

    expect(page.get_by_text("Vic Viewer")).to_be_visible(timeout=TIMEOUT_MS)
    _settled(page)
    expect(page.get_by_label(t("trust.signin.password", "nb"))).to_have_count(0)


def _signed_out(page) -> None:
    """The sign-in form and nothing else."""
    from playwright.sync_api import expect

    expect(page.get_by_label(t("trust.signin.password", "nb"))).to_be_visible(
        timeout=TIMEOUT_MS)
    _settled(page)
    expect(page.get_by_text("Vic Viewer")).to_have_count(0)


def test_reload_and_new_tab_keep_the_sign_in_and_sign_out_ends_it(team_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context()
        page = context.new_page()
        page.goto(team_server, timeout=TIMEOUT_MS)
        _signed_out(page)
        page.get_by_label(t("trust.signin.username", "nb")).fill("vic")
        page.get_by_label(t("trust.signin.password", "nb")).fill("viewer password")
        page.get_by_role("button", name=t("trust.signin.button", "nb")).click()
        _signed_in(page)
        page.wait_for_function("document.cookie.includes('omvendt_session=')",
                               timeout=TIMEOUT_MS)
        cookie = next(c for c in context.cookies() if c["name"] == "omvendt_session")
        assert cookie["sameSite"] == "Strict" and cookie["expires"] > time.time() + 3600

        page.reload()  # F5
        _signed_in(page)
        tab = context.new_page()  # a new tab, or a bookmark
        tab.goto(team_server, timeout=TIMEOUT_MS)
        _signed_in(tab)

        page.get_by_role("button", name=t("trust.signin.signout", "nb")).click()
        _signed_out(page)
        page.wait_for_function("!document.cookie.includes('omvendt_session=')",
                               timeout=TIMEOUT_MS)
        page.reload()
        _signed_out(page)
        tab.reload()  # the other tab's cookie is gone too, and was revoked anyway
        _signed_out(tab)
        browser.close()
