"""analysis/format.py: month ticks, CSV dialects and rounding, table number formatters."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.format import (
    MISSING,
    chart_separators,
    csv_dialect,
    month_text,
    number_formatter,
    rounded,
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
