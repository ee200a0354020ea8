"""The translation table: plural forms picked by a count, and no "(er)" / "(s)" strings left."""
from __future__ import annotations

import re

import pytest

from analysis.i18n import LANGUAGES, plural_form, t, table


@pytest.mark.parametrize(("n", "form"), [(0, "other"), (1, "one"), (1.0, "one"), (2, "other"),
                                         (21, "other"), ("x", "other"), (None, "other")])
def test_a_count_picks_the_plural_form(n, form):
    assert plural_form(n) == form


@pytest.mark.parametrize(("lang", "one", "many"), [
    ("nb", "1 økt er slettet.", "3 økter er slettet."),
    ("en", "1 session erased.", "3 sessions erased."),
])
def test_plural_entries_read_naturally(lang, one, many):
    assert t("trust.admin.erased_n", lang, n=1) == one
    assert t("trust.admin.erased_n", lang, n=3) == many


def test_bokmal_unknown_count_agrees_with_the_number():
    assert t("ui.planning.n_unknown", "nb", n=1) == "1 ukjent"
    assert t("ui.planning.n_unknown", "nb", n=2) == "2 ukjente"
    assert t("ui.planning.n_warnings", "nb", n=1) == "1 advarsel"


def test_a_plural_entry_without_a_count_is_an_error():
    with pytest.raises(KeyError, match="plural forms"):
        t("trust.admin.erased_n", "nb")


def _texts():
    for key, entry in table().items():
        for lang in LANGUAGES:
            value = entry[lang]
            yield from ((key, lang, v) for v in (value.values() if isinstance(value, dict)
                                                 else [value]))


def test_no_parenthesised_plural_is_left():
    bad = [(k, v) for k, _, v in _texts() if re.search(r"\w\((er|e|r|s|es)\)", v)]
    assert bad == []


@pytest.mark.parametrize("phrase", ["Lageret", "modell-fit", "valgte en fit", "Sikkerhet"])
def test_corrected_bokmal_is_gone(phrase):
    assert [k for k, lang, v in _texts() if lang == "nb" and phrase in v] == []


def test_the_store_is_called_the_database():
    assert t("ui.import.store_now", "nb", recruitments=1, sessions=2, questions=3, ratings=4,
             feedback=5).startswith("Databasen har nå")
