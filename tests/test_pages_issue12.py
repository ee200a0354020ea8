"""AppTest tests of issue 12's behaviour: plural forms on the pages, Norwegian-Excel CSV
downloads, statistics that say how sure they are, and attention counts that link to the page
that resolves them."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from analysis import MIN_READING_SESSIONS, NPS_MIN_ANSWERS, escape_markdown
from analysis.i18n import t
from analysis.workbook.writing import workbook_bytes
from tests.conftest import minimal_sheets
from tests.test_pages import (  # noqa: F401  (fixtures)
    _assert_ok,
    _open,
    _texts,
    app_env,
    model_file,
    sample_store,
)


def test_the_import_button_counts_files_with_the_right_plural(app_env):
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("logg.xlsx",
                                                workbook_bytes(minimal_sheets())).run()
    _assert_ok(at)
    assert at.button(key="import_button").label == "Importer 1 fil"


def test_an_invalid_file_reports_its_counts_without_parentheses(app_env):
    sheets = minimal_sheets()
    sheets["Økter"].loc[0, "status"] = "kanskje"
    at = _open("app_pages/import_data.py")
    at.file_uploader(key="import_files").upload("feil.xlsx", workbook_bytes(sheets)).run()
    _assert_ok(at)
    assert at.error[0].value.startswith("1 feil og ")
    assert "(er)" not in _texts(at)


@pytest.mark.parametrize(("lang", "sep", "decimal"), [("nb", ";", ","), ("en", ",", ".")])
def test_coverage_csv_is_written_for_the_users_spreadsheet(sample_store, downloads, lang, sep,
                                                           decimal):
    at = _open("app_pages/coverage.py")
    if lang == "en":
        at.session_state["lang"] = "en"
        at.run()
    _assert_ok(at)
    text = downloads["coverage_figures_csv"].decode("utf-8-sig")
    header, *rows = text.strip().splitlines()
    assert header.split(sep)[0] == t("ui.common.candidate", lang)
    frame = pd.read_csv(io.StringIO(text), sep=sep, decimal=decimal)
    balance = frame[t("report.figure.balance", lang)]
    assert balance.dtype.kind == "f" and balance.between(0, 1).all()  # numbers, not text
    # rounded: no float noise such as 0.9904129681145392
    assert not re.search(r"\d[.,]\d{4,}", text)


def test_agreement_from_few_sessions_shows_n_an_interval_and_too_little_data(sample_store):
    at = _open("app_pages/ratings.py")
    _assert_ok(at)
    # every recruitment's agreement is made only when its expander is opened (seconds on a
    # large store): closed, there is no such grid
    assert not [d for d in at.dataframe if t("ui.ratings.col_interval", "nb") in d.value.columns]
    at.session_state["ratings_agreement_open"] = True
    at.run()
    _assert_ok(at)
    table = next(d.value for d in at.dataframe
                 if t("ui.ratings.col_interval", "nb") in d.value.columns)
    assert table[t("ui.ratings.col_recruitment", "nb")].nunique() == 3  # the sample's three
    shown = table[table[t("ui.ratings.col_alpha", "nb")] != "–"]
    assert len(shown), "the sample has sessions with visible ratings"
    # a figure from under MIN_READING_SESSIONS sessions is never read as good or low agreement
    assert (shown[t("ui.ratings.col_sessions", "nb")] < MIN_READING_SESSIONS).all()
    assert shown[t("ui.ratings.col_reading", "nb")].str.startswith("For lite data").all()
    assert not shown[t("ui.ratings.col_reading", "nb")].str.contains("God enighet").any()
    # alpha and its interval with a decimal comma
    assert shown[t("ui.ratings.col_alpha", "nb")].str.match(r"^−?-?\d,\d\d$").all()
    assert shown[t("ui.ratings.col_interval", "nb")].str.contains(",").all()


def test_cnps_has_an_interval_and_says_when_n_is_small(sample_store):
    at = _open("app_pages/experience.py")
    _assert_ok(at)
    captions = [c.value for c in at.caption]
    assert any(c.startswith("95 % KI: ") for c in captions)
    assert t("ui.experience.nps_little_data", "nb", min=NPS_MIN_ANSWERS) in captions


class _UnsureLabeller:
    """Labels every question ``job`` with confidence 0.3: all of them need a look."""

    version = "unsure-test"

    def label(self, texts):
        import numpy as np

        return np.array(["job"] * len(texts), dtype=object), np.full(len(texts), 0.3)


def test_uncertain_labels_link_to_the_questions_review_queue(app_env):
    from analysis import config
    from analysis.workbook.reading import Upload

    app_env.import_upload(Upload.from_path(config.SAMPLE_WORKBOOK), _UnsureLabeller())
    at = _open("app_pages/overview.py")
    _assert_ok(at)
    at.button(key="overview_go_low_confidence").click().run()
    _assert_ok(at)
    assert at.session_state["questions_sort"] == "confidence"
    # the Questions page is open, with its review queue of uncertain labels on top
    assert at.title[0].value.endswith(t("ui.questions.title", "nb"))
    assert any(t("ui.review.title", "nb") in s.value for s in at.subheader)


def test_missing_ratings_link_to_ratings_with_the_session_picked(app_env):
    from analysis.workbook.reading import Upload
    from tests.conftest import FixedLabeller

    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1]  # the observer has not handed in
    app_env.import_upload(Upload("logg.xlsx", workbook_bytes(sheets)), FixedLabeller())
    at = _open("app_pages/overview.py")
    _assert_ok(at)
    at.button(key="overview_go_missing_ratings").click().run()
    _assert_ok(at)
    assert at.title[0].value.endswith(t("ui.ratings.title", "nb"))
    assert at.selectbox(key="ratings_session").value == "A1"


def test_compare_shows_grouped_bars_and_a_finalist_who_declined(app_env):
    from analysis.workbook.reading import Upload
    from tests.conftest import FixedLabeller

    app_env.import_upload(Upload("logg.xlsx", workbook_bytes(minimal_sheets())), FixedLabeller())
    at = _open("app_pages/compare.py")
    _assert_ok(at)
    chart = at.get("plotly_chart")[0].proto.spec
    assert '"type":"bar"' in chart.replace(" ", "") and "scatterpolar" not in chart
    assert any("Ola Hansen" in c.value and c.value.startswith("Takket nei") for c in at.caption)


def test_the_audit_trail_speaks_words_in_oslo_time(app_env):
    from analysis.workbook.reading import Upload
    from tests.conftest import FixedLabeller

    app_env.import_upload(Upload("logg.xlsx", workbook_bytes(minimal_sheets())), FixedLabeller())
    at = _open("app_pages/admin.py")
    _assert_ok(at)
    table = next(d.value for d in at.dataframe
                 if t("trust.col.action", "nb") in d.value.columns)
    assert t("audit.action.import", "nb") in set(table[t("trust.col.action", "nb")])
    assert table[t("trust.col.at", "nb")].str.match(r"^\d\d\.\d\d\.\d{4} \d\d:\d\d$").all()
    assert not table[t("trust.col.detail", "nb")].str.contains("=").any()


def test_a_link_with_lang_en_starts_the_session_in_english(app_env):
    from streamlit.testing.v1 import AppTest

    from tests.test_pages import APP, TIMEOUT

    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.query_params["lang"] = "en"
    at.run()
    _assert_ok(at)
    assert at.session_state["lang"] == "en"
    assert at.radio(key="lang").value == "en"
    assert t("ui.overview.m_recruitments", "en") in [m.label for m in at.metric] or \
        t("ui.common.no_data", "en") in _texts(at)
    # an unknown language is ignored: Norwegian, the default
    other = AppTest.from_file(APP, default_timeout=TIMEOUT)
    other.query_params["lang"] = "xx"
    other.run()
    assert other.session_state["lang"] == "nb"


def test_the_overview_shows_a_short_recruitment_table_whole_with_dates_written_out(sample_store):
    at = _open("app_pages/overview.py")
    _assert_ok(at)
    table = at.table[0].value
    assert list(table.columns)[:2] == [t("ui.common.recruitment", "nb"),
                                       t("ui.overview.col_finalists", "nb")]
    firsts = table[t("ui.overview.col_first", "nb")].tolist()
    assert firsts and all(re.fullmatch(r"\d\d\.\d\d\.\d{4}", d) for d in firsts), firsts
    # the five attention counts sit in two rows of three: none is squeezed into a fifth
    assert len([m for m in at.metric if m.label in {
        t(f"ui.overview.kind_{k}", "nb") for k in
        ("unlabelled", "low_confidence", "missing_ratings", "duration", "process")}]) == 5


def test_ratings_show_the_session_recruitments_agreement_whole_with_true_minus_signs(
        sample_store):
    at = _open("app_pages/ratings.py")
    _assert_ok(at)
    table = at.table[-1].value
    interval = table[escape_markdown(t("ui.ratings.col_interval", "nb"))].tolist()
    assert len(table) == 5 and all(" – " in i and "-" not in i for i in interval), interval
    assert any(e.label == t("ui.ratings.agreement_all", "nb") for e in at.expander)


def test_experience_shows_comments_whole_and_the_nps_interval_beside_the_score(sample_store):
    at = _open("app_pages/experience.py")
    _assert_ok(at)
    comments = at.table[-1].value
    assert len(comments) >= 3
    # every comment in full (a grid cut long ones off), written as text
    assert all(isinstance(c, str) and c for c in comments.iloc[:, 0])
    labels = [m.label for m in at.metric]
    assert labels[0] == t("ui.experience.nps", "nb") and len(labels) == 5


def test_compare_key_figures_are_one_whole_table_with_every_finalist(sample_store):
    at = _open("app_pages/compare.py")
    _assert_ok(at)
    table = next(tb.value for tb in at.table
                 if escape_markdown(t("ui.compare.figure", "nb")) in tb.value.columns)
    assert len(table.columns) == 1 + 3  # the figure, then each of the three finalists
    minutes = table[table.iloc[:, 0] == escape_markdown(
        t("report.figure.minutes", "nb"))].iloc[0, 1:].tolist()
    assert all(m.isdigit() for m in minutes), minutes  # whole minutes, "35" not "35,0"
