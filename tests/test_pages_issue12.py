"""AppTest tests of issue 12's behaviour: plural forms on the pages, Norwegian-Excel CSV
downloads, statistics that say how sure they are, and attention counts that link to the page
that resolves them."""
from __future__ import annotations

import io
import re

import pandas as pd
import pytest

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


@pytest.fixture
def downloads(monkeypatch):
    """The bytes of every download button a page draws, by key (a deferred file is written at
    once, as a click would)."""
    import streamlit as st

    seen: dict[str, bytes] = {}
    original = st.download_button

    def recording(label, data, *args, **kwargs):
        seen[kwargs.get("key")] = data() if callable(data) else data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return seen


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
