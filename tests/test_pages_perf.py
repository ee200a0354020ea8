"""Tables of figures after issue 13's caching: the numbers on screen are still written in the
interface language and still sort as numbers, also when the table is replayed from the cache
(the second view of a page) and when the language changes."""
from __future__ import annotations

import io
import re

import pyarrow as pa
import pytest

from analysis.i18n import t
from streamlit.testing.v1 import AppTest

from tests.test_pages import (  # noqa: F401  (fixtures)
    APP,
    TIMEOUT,
    _assert_ok,
    app_env,
    model_file,
    sample_store,
)


def _coverage(lang: str) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=TIMEOUT)
    at.session_state["lang"] = lang
    at.run()
    at.switch_page("app_pages/coverage.py").run()
    return at


def _figures_table(at, lang: str):
    """The coverage score table: its values (what sorting uses) and the text on screen."""
    balance = t("report.figure.balance", lang)
    for frame in at.dataframe:
        if balance in frame.value.columns:
            styler = frame.proto.arrow_data.styler
            shown = pa.ipc.open_stream(io.BytesIO(styler.display_values)).read_pandas()
            return frame.value[balance], shown[balance]
    raise AssertionError("no table with the balance column")


@pytest.mark.parametrize(("lang", "mark"), [("nb", ","), ("en", ".")])
def test_figures_show_the_languages_decimal_mark_on_every_view(sample_store, monkeypatch, lang,
                                                              mark):
    import ui.render

    written = []
    styled = ui.render._styled
    monkeypatch.setattr(ui.render, "_styled", lambda *a: written.append(1) or styled(*a))
    at = _coverage(lang)
    _assert_ok(at)
    first_values, first_shown = _figures_table(at, lang)
    if lang == "nb":  # (AppTest formats a rerun's selectboxes in nb, whatever the language)
        before = len(written)
        at.run()  # the same tables again: sent from the cache, not written anew
        _assert_ok(at)
        assert len(written) == before
    values, shown = _figures_table(at, lang)
    assert values.dtype.kind == "f"  # sorted as numbers
    # two decimals at most, a whole number as "0"
    assert shown.str.fullmatch(r"\d(" + re.escape(mark) + r"\d\d?)?").all(), shown.tolist()
    assert shown.str.contains(mark, regex=False).any()
    assert shown.tolist() == first_shown.tolist()
    assert values.tolist() == first_values.tolist()
    # the text is the value, rounded
    assert [float(s.replace(",", ".")) for s in shown] == [round(v, 2) for v in values]


def test_a_language_change_writes_the_table_in_the_new_language(sample_store):
    at = _coverage("nb")
    _assert_ok(at)
    _, nb = _figures_table(at, "nb")
    at.session_state["lang"] = "en"
    at.run()
    _assert_ok(at)
    _, en = _figures_table(at, "en")
    assert [s.replace(",", ".") for s in nb] == en.tolist()
    assert not any(re.search(r"\d,\d", s) for s in en)


def test_a_page_cache_is_made_once_and_a_miss_runs_the_calling_views_function():
    import ui

    def view(word: str):  # a page script's run: its function sees that run's globals
        @ui.page_cache(max_entries=4)
        def _shout(key: int, _frame: object) -> str:  # ``_frame`` is not hashed
            return f"{word} {key}"

        return _shout

    first, second = view("first"), view("second")
    unhashable = {"rows": []}
    assert first(1, unhashable) == "first 1"
    assert second(1, unhashable) == "first 1"  # the same cache: a hit
    assert second(2, unhashable) == "second 2"  # a miss runs the second view's function
    from ui.reads import _PAGE_CACHES

    assert len([k for k in _PAGE_CACHES if k[1].endswith("_shout")]) == 1
    first.clear()
    assert second(1, unhashable) == "second 1"


def test_clearing_the_caches_forgets_the_pages_figures():
    import ui

    @ui.page_cache(max_entries=4)
    def _kept(key: int) -> list:
        return [key]

    first = _kept(1)
    assert _kept(1) is first
    ui.clear_caches()  # what the Administration page does after an erasure
    assert _kept(1) is not first
