"""analysis/format.py: numbers, shares, dates, fit and finalist names, escaping, month ticks,
CSV dialects and rounding, table number formatters."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.format import (
    MISSING,
    WORD_JOINER,
    chart_separators,
    csv_dialect,
    date_text,
    datetime_text,
    escape_html,
    escape_markdown,
    finalist_names,
    fit_name,
    month_text,
    number_formatter,
    number_text,
    percent_text,
    rounded,
    session_names,
)
from analysis.workbook.writing import safe_csv


@pytest.mark.parametrize(("lang", "text"), [("nb", "mar. 2026"), ("en", "Mar 2026")])
def test_month_ticks_in_the_interface_language(lang, text):
    assert month_text(dt.date(2026, 3, 1), lang) == text
    assert month_text(None, lang) == MISSING


def test_chart_separators():
    assert chart_separators("nb")[0] == "," and chart_separators("en")[0] == "."


def test_rounded_leaves_text_and_whole_numbers_alone():
    frame = pd.DataFrame({"a": [0.9904129681145392], "b": [3], "c": ["x"]})
    out = rounded(frame)
    assert out["a"].tolist() == [0.99] and out["b"].tolist() == [3] and out["c"].tolist() == ["x"]
    assert frame["a"].iloc[0] != 0.99  # the input is not changed


def test_norwegian_csv_opens_in_norwegian_excel():
    frame = pd.DataFrame({"Finalist": ["Kari"], "Balanse": [0.9904129681145392]})
    assert safe_csv(frame, "nb").decode("utf-8-sig") == "Finalist;Balanse\r\nKari;0,99\r\n"
    assert safe_csv(frame, "en").decode("utf-8-sig") == "Finalist,Balanse\r\nKari,0.99\r\n"
    assert csv_dialect("nb") == {"sep": ";", "decimal": ","}


def test_number_formatter_follows_the_language():
    assert number_formatter("nb", 2)(0.571) == "0,57"
    assert number_formatter("en", 2)(0.571) == "0.57"
    assert number_formatter("nb", 1)(5.0) == "5"
    assert number_formatter("nb", percent=True)(0.3043) == "30 %"


# -- numbers, shares, dates and names as people read them -----------------------------------------


@pytest.mark.parametrize(("value", "lang", "digits", "whole", "text"), [
    (4.25, "nb", 2, False, "4,25"), (4.25, "en", 2, False, "4.25"), (5.0, "nb", 1, True, "5"),
    (5.5, "nb", 1, True, "5,5"), (5.0, "en", 1, False, "5.0"), (0.0, "nb", 0, False, "0"),
    (None, "nb", 1, False, MISSING), (float("nan"), "en", 1, False, MISSING),
    (pd.NA, "nb", 1, False, MISSING)])
def test_number_text(value, lang, digits, whole, text):
    assert number_text(value, lang, digits, whole=whole) == text


def test_percent_text_follows_the_language():
    assert (percent_text(0.455, "nb", 1), percent_text(0.455, "en", 1)) == ("45,5 %", "45.5%")
    assert (percent_text(1, "nb"), percent_text(None, "en")) == ("100 %", MISSING)


@pytest.mark.parametrize("value", [dt.date(2026, 3, 4), dt.datetime(2026, 3, 4, 9, 30),
                                   pd.Timestamp("2026-03-04"), "2026-03-04"])
def test_dates_are_written_day_first(value):
    assert date_text(value) == "04.03.2026"


def test_missing_dates_and_times():
    assert date_text(None) == date_text(pd.NaT) == datetime_text(float("nan")) == MISSING
    assert datetime_text(dt.datetime(2026, 3, 4, 9, 5)) == "04.03.2026 09:05"


def test_fit_name_is_the_display_name_of_a_code():
    assert (fit_name("supervisor", "nb"), fit_name("supervisor", "en")) == (
        "Person–Leder", "Person–Supervisor")
    assert fit_name(None, "nb") == fit_name("nonsense", "nb") == fit_name(float("nan")) == "Uten fit"


def test_the_fit_display_names_are_the_fit_codes():
    from analysis import FITS, table

    assert {key.split(".")[1] for key in table() if key.startswith("fit.")} == {*FITS, "none"}


def test_finalist_names_are_unique_and_as_short_as_they_can_be():
    frame = pd.DataFrame({"session_id": ["a", "b", "c", "d"],
                          "candidate": ["Kari", "Kari", "Ola", "Kari"],
                          "recruitment": ["R1", "R2", "R1", "R1"]})
    assert finalist_names(frame).tolist() == ["Kari (R1) [a]", "Kari (R2)", "Ola",
                                              "Kari (R1) [d]"]


def test_session_names_for_pickers():
    sessions = pd.DataFrame({"session_id": ["A1"], "candidate": ["Kari"],
                             "recruitment": ["R"], "date": [dt.date(2026, 3, 4)]})
    assert session_names(sessions) == {"A1": "Kari · R · 04.03.2026"}
    assert session_names(sessions, with_key=True) == {"A1": "A1 · Kari · R · 04.03.2026"}


def test_escaped_text_keeps_its_line_breaks_and_nothing_else_of_markdown():
    assert escape_markdown("a\r\n\r\n    b") == "a  \nb"  # a break, never a code block
    assert escape_markdown(None) == MISSING
    assert escape_markdown("1. Tre ting") == "1\\. Tre ting"  # not a numbered list
    assert escape_markdown("kari@firma.no") == f"kari\\@{WORD_JOINER}firma\\.no"  # no mailto


def test_escape_html_for_chart_labels():
    assert escape_html('<a href="x">Kari & Ola</a>') == '&lt;a href="x"&gt;Kari &amp; Ola&lt;/a&gt;'


def test_interval_text_writes_a_true_minus_and_the_language_decimal_mark():
    from analysis.format import interval_text

    assert interval_text(-0.671, 0.57, "nb") == "\u22120,67 – 0,57"
    assert interval_text(-0.671, 0.57, "en") == "\u22120.67 – 0.57"
    assert interval_text(None, 0.5) == MISSING


def test_markdown_table_writes_cells_as_people_read_them_and_user_text_as_text():
    from analysis.format import markdown_table

    frame = pd.DataFrame({"name": ["**Kari** [x](y)"], "n": [1200], "share": [0.456],
                          "day": [pd.Timestamp("2026-03-04")], "when": [dt.date(2026, 3, 5)]})
    cells = markdown_table(frame, "nb", digits={"share": 1})
    assert cells.iloc[0].tolist()[1:] == ["1200", "0,5", "04.03.2026", "05.03.2026"]
    assert cells.iloc[0, 0] == escape_markdown("**Kari** [x](y)")
    assert markdown_table(frame, "en").loc[0, "share"] == "0.46"


def test_markdown_table_writes_a_share_column_as_a_percent():
    from analysis.format import markdown_table

    cells = markdown_table(pd.DataFrame({"share": [0.456]}), "nb", digits={"share": None})
    assert cells.loc[0, "share"] == "46 %"
