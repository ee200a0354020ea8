"""AppTest tests of issue 12's behaviour: plural forms on the pages, Norwegian-Excel CSV
downloads, statistics that say how sure they are, and attention counts that link to the page
that resolves them."""
from __future__ import annotations

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
