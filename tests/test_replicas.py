"""Two app replicas on one PostgreSQL database, each driven in its own Chromium page, as two
people behind a load balancer with sticky sessions (deploy/): what one writes, the other shows
on its next run, and blind ratings stay blind on the other replica until all are in.

Each replica keeps its own in-process caches; they are keyed on the store's version, which
lives in the database, so a write on one replica makes the other's cached figures unreachable.
"""
from __future__ import annotations

import os
from contextlib import ExitStack

import pytest

from analysis import review_progress
from analysis.i18n import t
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import FixedLabeller, minimal_sheets
from tests.test_browser import (  # noqa: F401  (fixture)
    TIMEOUT_MS,
    _browser_or_skip,
    browser,
    serve_app,
)
from tests.test_browser import _settled as settled

pytestmark = [pytest.mark.browser, pytest.mark.postgres]


@pytest.fixture
def replicas(postgres_url, tmp_path):
    """One fresh PostgreSQL database with one held session (three questions, no ratings yet),
    and two app servers on it."""
    _browser_or_skip()
    import psycopg

    name = f"replicas_{os.getpid()}"
    dsn = postgres_url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    url = postgres_url.rsplit("/", 1)[0] + f"/{name}"
    sheets = minimal_sheets()
    sheets["Økter"] = sheets["Økter"].iloc[:1]  # A1 only: the ratings page opens on it
    del sheets["Vurderinger"]
    sheets["Tilbakemelding"] = sheets["Tilbakemelding"].iloc[1:]
    Store(url).import_upload(Upload("log.xlsx", workbook_bytes(sheets)), FixedLabeller())
    env = {"OMVENDT_DATABASE_URL": url, "OMVENDT_MODEL_PATH": str(tmp_path / "no-model.npz"),
           "OMVENDT_TEAM_MODE": None}
    with ExitStack() as stack:
        yield url, [stack.enter_context(serve_app(env, tmp_path / f"{replica}.log", timeout=90))
                    for replica in ("one", "two")]


def _settled(page) -> None:
    from playwright.sync_api import expect

    settled(page)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def _open(page, title_key: str) -> None:
    """Open a page through the sidebar, as a user would (the same session, warm caches)."""
    from playwright.sync_api import expect

    title = t(title_key, "nb")
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title, exact=True).click()
    expect(page.get_by_role("heading", level=1).first).to_have_text(title, timeout=TIMEOUT_MS)
    _settled(page)


def _hand_in(page, rater: str, role: str, note: str) -> None:
    page.locator(".st-key-ratings_rater input").fill(rater)
    page.locator(".st-key-ratings_role").get_by_text(t(f"role.{role}", "nb"), exact=True).click()
    page.locator(".st-key-ratings_note textarea").fill(note)
    page.get_by_role("button", name=t("ui.ratings.submit", "nb")).click()
    _settled(page)


def test_two_replicas_share_one_store(replicas, browser):
    from playwright.sync_api import expect

    url, (one, two) = replicas
    required = int(Store(url).recruitments()["required_raters"].iloc[0])
    assert required == 2
    page1, page2 = browser.new_page(), browser.new_page()
    for page, base in ((page1, one), (page2, two)):
        page.goto(base)
        expect(page.get_by_role("heading", level=1).first).to_have_text(
            t("ui.overview.title", "nb"), timeout=TIMEOUT_MS)
        _settled(page)

    # -- a correction on replica one shows on replica two --------------------------------------
    # both have the Questions page open (replica two's figures cached for this version)
    reviewed, total = review_progress(Store(url).questions())
    progress = lambda n: t("ui.review.progress", "nb", reviewed=n, total=total)  # noqa: E731
    for page in (page1, page2):
        _open(page, "ui.questions.title")
        expect(page.get_by_text(progress(reviewed), exact=True)).to_be_visible(timeout=TIMEOUT_MS)
    page1.locator(".st-key-questions_review_other button").click()
    _settled(page1)
    expect(page1.get_by_text(progress(reviewed + 1), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    # replica two, same session, next run: the store's version moved, so nothing stale
    _open(page2, "ui.overview.title")
    _open(page2, "ui.questions.title")
    expect(page2.get_by_text(progress(reviewed + 1), exact=True)).to_be_visible(
        timeout=TIMEOUT_MS)
    corrected = Store(url).questions()
    assert (corrected["fit_source"] == "correction").sum() == 1

    # -- a rating handed in on replica one is blind on replica two until all are in -----------
    secret = "Første notat, ikke for andre ennå"
    _open(page1, "ui.ratings.title")
    _hand_in(page1, "Per Leder", "manager", secret)
    handed = lambda n: t("ui.ratings.handed_in", "nb", n=n, required=required)  # noqa: E731
    expect(page1.get_by_role("heading", name=handed(1))).to_be_visible(timeout=TIMEOUT_MS)
    _open(page2, "ui.ratings.title")
    expect(page2.get_by_role("heading", name=handed(1))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page2.get_by_text(t("ui.ratings.closed", "nb", n=1, required=required))) \
        .to_be_visible(timeout=TIMEOUT_MS)
    expect(page2.get_by_text(secret)).to_have_count(0)
    expect(page2.get_by_role("heading", name=t("ui.ratings.side_by_side", "nb"))).to_have_count(0)

    # the second rater hands in on replica two: now both replicas show both notes side by side
    _hand_in(page2, "Olga Observatør", "observer", "Andre notat")
    expect(page2.get_by_role("heading", name=handed(2))).to_be_visible(timeout=TIMEOUT_MS)
    expect(page2.get_by_text(secret)).to_be_visible(timeout=TIMEOUT_MS)
    _open(page1, "ui.overview.title")
    _open(page1, "ui.ratings.title")
    expect(page1.get_by_role("heading", name=t("ui.ratings.side_by_side", "nb"))) \
        .to_be_visible(timeout=TIMEOUT_MS)
    expect(page1.get_by_text("Andre notat")).to_be_visible(timeout=TIMEOUT_MS)
