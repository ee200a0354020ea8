"""How Omvendt writes things for people, once: numbers, shares, dates, fit names, finalists' and
sessions' display names, and user text inside Markdown or chart labels.

The pages, the exports and the command line all format through here, so a figure reads the same
on the screen, in the guide and in the comparison workbook. Norwegian writes a decimal comma and
a space before the percent sign ("4,5", "45 %"); English a point and no space ("4.5", "45%").
Dates are written day first in both languages (the product's users are Norwegian).

Two words are kept apart: a fit's **code** (``job``, what the store holds) and its **display
name** (``Person–Job``, what people read; `fit_name`). A finalist's display name is their name,
or a pseudonym when names are hidden (`finalist_names`).
"""
from __future__ import annotations

import datetime as dt
import html
import re

import pandas as pd

from analysis.i18n import has, t

#: What a missing number or date is shown as.
MISSING = "–"
#: How dates and times are written (strftime).
DATE_FORMAT = "%d.%m.%Y"
DATETIME_FORMAT = "%d.%m.%Y %H:%M"
#: The same formats as spreadsheet cell formats and Streamlit's date widgets and columns.
DATE_PATTERN = "DD.MM.YYYY"
DATETIME_PATTERN = "DD.MM.YYYY HH:MM"
TIME_PATTERN = "HH:MM"


def is_missing(value: object) -> bool:
    """None, NaN, NaT and pandas' NA (but not an empty string)."""
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # a list or an array is not a missing scalar
        return False


def number_text(value: object, lang: str = "nb", digits: int = 1, *,
                whole: bool = False) -> str:
    """A number as people write it in ``lang``: a decimal comma in Norwegian, a point in English.

    Parameters
    ----------
    value : number or None
        Missing values are written as `MISSING`.
    lang : {"nb", "en"}
    digits : int
        Decimals shown.
    whole : bool
        Write a whole number without decimals ("5", not "5,0").

    Examples
    --------
    >>> number_text(4.25, "nb", 2), number_text(4.25, "en", 2), number_text(5.0, whole=True)
    ('4,25', '4.25', '5')
    """
    if is_missing(value):
        return MISSING
    value = float(value)
    text = f"{value:.0f}" if whole and value.is_integer() else f"{value:.{digits}f}"
    return text.replace(".", ",") if lang == "nb" else text


def signed_text(value: object, lang: str = "nb", digits: int = 0) -> str:
    """A number with its sign always written, the minus as a true minus sign ("+40", "−30"):
    for scores that run from −100 to +100 (candidate NPS).

    Examples
    --------
    >>> signed_text(40.0), signed_text(-30.4), signed_text(0), signed_text(None)
    ('+40', '−30', '0', '–')
    """
    if is_missing(value):
        return MISSING
    text = number_text(abs(float(value)), lang, digits)
    if text.strip("0,.") == "":
        return text
    return ("+" if float(value) > 0 else "\u2212") + text


def interval_text(low: object, high: object, lang: str = "nb", digits: int = 2) -> str:
    """A confidence interval as "−0,67 – 0,57": the minus a true minus sign, so it is not read
    as the dash between the bounds; missing as `MISSING`.

    Examples
    --------
    >>> interval_text(-0.671, 0.57, "nb"), interval_text(0.2, 1, "en", 1)
    ('−0,67 – 0,57', '0.2 – 1.0')
    """
    if is_missing(low) or is_missing(high):
        return MISSING
    return " – ".join(number_text(v, lang, digits).replace("-", "\u2212") for v in (low, high))


def percent_text(share: object, lang: str = "nb", digits: int = 0) -> str:
    """A share (0–1) as a percentage: "45 %" in Norwegian, "45%" in English.

    Examples
    --------
    >>> percent_text(0.45, "nb"), percent_text(0.45, "en"), percent_text(None)
    ('45 %', '45%', '–')
    """
    if is_missing(share):
        return MISSING
    text = number_text(100 * float(share), lang, digits)
    return f"{text} %" if lang == "nb" else f"{text}%"


def date_text(value: object) -> str:
    """A date (date, datetime, Timestamp or ISO text) as dd.mm.yyyy; missing as `MISSING`.

    Examples
    --------
    >>> date_text(dt.date(2026, 3, 4)), date_text(None)
    ('04.03.2026', '–')
    """
    stamp = None if is_missing(value) else pd.Timestamp(value)
    return MISSING if stamp is None or pd.isna(stamp) else stamp.strftime(DATE_FORMAT)


#: How a date is typed in a workbook, by language: what a validation message quotes.
TYPED_DATE_FORMAT = {"nb": DATE_FORMAT, "en": "%Y-%m-%d"}


def long_date_text(day: dt.date, lang: str = "nb") -> str:
    """A date as a letter writes it: "onsdag 4. mars 2026" / "Wednesday 4 March 2026"."""
    return t("invitation.date", lang, weekday=t(f"invitation.weekday.{day.weekday()}", lang),
             day=day.day, month=t(f"invitation.month.{day.month}", lang), year=day.year)


def clock_text(value: object, lang: str = "nb") -> str | None:
    """A time of day as a letter writes it ("09.00" / "09:00"), or
    None when ``value`` is not a time."""
    if is_missing(value):
        return None
    stamp = pd.to_datetime(str(value), errors="coerce", format="mixed")
    if pd.isna(stamp):
        return None
    return t("invitation.clock", lang, hour=f"{stamp.hour:02d}", minute=f"{stamp.minute:02d}")


def typed_date_text(value: object, lang: str = "nb") -> str:
    """A date as someone typing it into a workbook in ``lang`` would: "04.03.2026" in Norwegian,
    "2026-03-04" in English (both are read); missing as `MISSING`."""
    stamp = None if is_missing(value) else pd.Timestamp(value)
    if stamp is None or pd.isna(stamp):
        return MISSING
    return stamp.strftime(TYPED_DATE_FORMAT.get(lang, DATE_FORMAT))


def datetime_text(value: object) -> str:
    """A point in time as dd.mm.yyyy HH:MM; missing as `MISSING`."""
    stamp = None if is_missing(value) else pd.Timestamp(value)
    return MISSING if stamp is None or pd.isna(stamp) else stamp.strftime(DATETIME_FORMAT)


#: The users' time zone: times stored in UTC (the audit trail) are shown in it.
LOCAL_TZ = "Europe/Oslo"


def local_datetime_text(value: object) -> str:
    """A UTC point in time (naive values are taken as UTC) as `datetime_text` in `LOCAL_TZ`.

    Examples
    --------
    >>> local_datetime_text("2026-03-04 11:00"), local_datetime_text("2026-07-04 11:00")
    ('04.03.2026 12:00', '04.07.2026 13:00')
    """
    stamp = None if is_missing(value) else pd.Timestamp(value)
    if stamp is None or pd.isna(stamp):
        return MISSING
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(LOCAL_TZ).strftime(DATETIME_FORMAT)


def audit_action_text(code: object, lang: str = "nb") -> str:
    """An audit event's code (``export``) in words; an unknown code with its underscores as
    spaces. (Only reads: the trail is written by the store alone.)"""
    key = f"audit.action.{code}"
    return t(key, lang) if has(key) else str(code).replace("_", " ")


def audit_detail_text(detail: object, lang: str = "nb") -> str:
    """An audit event's details (a dict) as "what: value" pairs in words: known keys translated,
    yes/no for true/false, numbers in the language's form."""
    if not isinstance(detail, dict):
        return ""
    parts = []
    for key, value in detail.items():
        label = t(f"audit.detail.{key}", lang) if has(f"audit.detail.{key}") else str(key)
        if isinstance(value, bool):
            value = t("audit.yes" if value else "audit.no", lang)
        elif isinstance(value, float):
            value = number_text(value, lang, 2, whole=True)
        parts.append(f"{label}: {value}")
    return ", ".join(parts)


def now_text() -> str:
    """The current local time as `datetime_text` writes it (stamps on exports and guides)."""
    return datetime_text(dt.datetime.now())


#: Month abbreviations as Norwegian and English write them on a chart axis.
_MONTHS = {
    "nb": ("jan.", "feb.", "mar.", "apr.", "mai", "jun.", "jul.", "aug.", "sep.", "okt.", "nov.",
           "des."),
    "en": ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"),
}


def month_text(value: object, lang: str = "nb") -> str:
    """A month as an axis tick in ``lang``: "mar. 2026" in Norwegian, "Mar 2026" in English.

    Examples
    --------
    >>> month_text(dt.date(2026, 3, 1), "nb"), month_text("2026-05-01", "en")
    ('mar. 2026', 'May 2026')
    """
    stamp = None if is_missing(value) else pd.Timestamp(value)
    if stamp is None or pd.isna(stamp):
        return MISSING
    return f"{_MONTHS.get(lang, _MONTHS['nb'])[stamp.month - 1]} {stamp.year}"


def chart_separators(lang: str = "nb") -> str:
    """Plotly's ``layout.separators`` for ``lang``: the decimal mark, then the thousands mark
    (a decimal comma and a space in Norwegian)."""
    return ", " if lang == "nb" else ".,"


#: Decimals a number keeps in a CSV download: enough for every figure, none of the float noise.
CSV_DIGITS = 3


def csv_dialect(lang: str = "nb") -> dict[str, str]:
    """The field separator and decimal mark of a CSV download in ``lang``. Norwegian Excel
    splits a double-clicked CSV on ``;`` and reads ``0,99`` as a number; English uses ``,``
    and ``.``.

    Examples
    --------
    >>> csv_dialect("nb"), csv_dialect("en")
    ({'sep': ';', 'decimal': ','}, {'sep': ',', 'decimal': '.'})
    """
    return {"sep": ";", "decimal": ","} if lang == "nb" else {"sep": ",", "decimal": "."}


def rounded(frame: pd.DataFrame, digits: int = CSV_DIGITS) -> pd.DataFrame:
    """``frame`` with every float column rounded to ``digits`` decimals (what a download
    carries: ``0.99``, not ``0.9904129681145392``); other columns unchanged."""
    floats = [i for i, dtype in enumerate(frame.dtypes) if pd.api.types.is_float_dtype(dtype)]
    if not floats:
        return frame
    out = frame.copy()
    for i in floats:
        out.iloc[:, i] = out.iloc[:, i].round(digits)
    return out


def number_formatter(lang: str = "nb", digits: int = 1, *, percent: bool = False):
    """A one-argument function that writes a cell as `number_text` (or `percent_text` for a
    share) does: for a table's display (a pandas Styler), so tables and text agree."""
    if percent:
        return lambda v: percent_text(v, lang, 0)
    return lambda v: number_text(v, lang, digits, whole=True)


def fit_name(fit: object, lang: str = "nb") -> str:
    """The display name of a fit code ("job" -> "Person–Job"); a question without a fit gets
    "No fit".

    Examples
    --------
    >>> fit_name("job", "en"), fit_name(None, "en")
    ('Person–Job', 'No fit')
    """
    # the fit codes are the table's fit.* keys (`analysis.workbook.schema.FITS`), "none" aside
    known = isinstance(fit, str) and fit != "none" and has(f"fit.{fit}")
    return t(f"fit.{fit}" if known else "fit.none", lang)


def finalist_names(frame: pd.DataFrame) -> pd.Series:
    """One display name per session row, unique within ``frame``: the candidate (a name, or the
    pseudonym already put in its place), then "(recruitment)" when the name repeats, then
    "[session_id]" when it still does. Needs ``session_id``, ``candidate`` and ``recruitment``.

    Examples
    --------
    >>> f = pd.DataFrame({"session_id": ["a", "b", "c"], "candidate": ["Kari", "Kari", "Ola"],
    ...                   "recruitment": ["R1", "R2", "R1"]})
    >>> finalist_names(f).tolist()
    ['Kari (R1)', 'Kari (R2)', 'Ola']
    """
    name = frame["candidate"].astype(str)
    shown = name.where(~name.duplicated(keep=False),
                       name + " (" + frame["recruitment"].astype(str) + ")")
    # the same name twice in one recruitment: the session_id tells them apart
    return shown.where(~shown.duplicated(keep=False),
                       shown + " [" + frame["session_id"].astype(str) + "]")


def session_names(sessions: pd.DataFrame, with_key: bool = False) -> dict[str, str]:
    """session_id -> "finalist · recruitment · date" (what a session picker shows); with
    ``with_key`` the session_id comes first (where people type or quote it)."""
    out = {}
    for key, candidate, recruitment, day in zip(sessions["session_id"], sessions["candidate"],
                                                sessions["recruitment"], sessions["date"]):
        name = f"{candidate} · {recruitment} · {date_text(day)}"
        out[key] = f"{key} · {name}" if with_key else name
    return out


# Every ASCII punctuation character can be backslash-escaped in CommonMark; escaping all of them
# leaves no way to start a link, an image, emphasis, a list, a heading, HTML, maths (``$``) or a
# Streamlit directive (``:red[``).
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"[ \t]*(?:\r\n|\r|\n)[ \t\r\n]*")
#: An invisible character that joins what it stands between (U+2060 WORD JOINER).
WORD_JOINER = "\u2060"
# Some Markdown runs after the escapes are gone, on the text itself: GitHub's bare links
# (``http://``, ``www.``, ``a@b.no``) and the emoji and icon shortcodes (``:smile:``). A word
# joiner after every ``:`` and ``@`` and inside ``www.`` breaks them and cannot be seen.
_AFTER_THE_ESCAPES = re.compile(r"([:@])|(?i:(www)(?=\.))")


def escape_markdown(text: object) -> str:
    """User text (a name, a question, a note) as plain text inside Markdown: it renders exactly
    as written, never as a link (not even a bare web or e-mail address), an image, formatting,
    HTML, maths or an emoji. Line breaks stay line breaks (and cannot start a block of their
    own). The only change a reader could find is an invisible `WORD_JOINER` after ``:`` and
    ``@`` and inside ``www.``, where copying the text carries it along.

    Examples
    --------
    >>> print(escape_markdown("![n](http://x/y.png) **b**").replace(WORD_JOINER, "|"))
    \\!\\[n\\]\\(http\\:|\\/\\/x\\/y\\.png\\) \\*\\*b\\*\\*
    """
    if is_missing(text):
        return MISSING
    joined = _AFTER_THE_ESCAPES.sub(lambda m: (m.group(1) or m.group(2)) + WORD_JOINER, str(text))
    escaped = _PUNCTUATION.sub(r"\\\1", joined)
    return _LINE_BREAK.sub("  \n", escaped.strip(" \t\r\n"))


def escape_html(text: object) -> str:
    """User text as text inside HTML-like labels (Plotly renders ``<a href>``, ``<b>`` and
    entities in titles, axis labels, legends and hovers)."""
    return html.escape(str(text), quote=False)


def markdown_table(frame: pd.DataFrame, lang: str = "nb",
                   digits: dict[object, int | None] | None = None) -> pd.DataFrame:
    """``frame`` as the cells of a short table that wraps its text (``st.table`` renders Markdown
    in its cells): dates as dd.mm.yyyy, numbers as ``lang`` writes them (whole numbers whole,
    others with ``digits[column]`` decimals, 2 by default; None: a share, as a percent), and
    every text as plain text
    (`escape_markdown`). Show it with ``hide_index=True``.

    Examples
    --------
    >>> markdown_table(pd.DataFrame({"a": ["*x*"], "n": [0.5]}), "nb").iloc[0].tolist()
    ['\\\\*x\\\\*', '0,50']
    """
    digits = digits or {}
    cells = {}
    for col in frame.columns:
        values = frame[col]
        if pd.api.types.is_datetime64_any_dtype(values) or values.map(
                lambda v: isinstance(v, dt.date)).any():
            cells[col] = values.map(date_text)
        elif col in digits and digits[col] is None:  # a share
            cells[col] = [percent_text(v, lang) for v in values]
        elif pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            whole, places = pd.api.types.is_integer_dtype(values), digits.get(col, 2)
            cells[col] = [number_text(v, lang, places, whole=whole) for v in values]
        else:
            cells[col] = values.map(escape_markdown)
    out = pd.DataFrame(cells, index=frame.index)
    out.columns = [escape_markdown(c) for c in frame.columns]
    return out.reset_index(drop=True)
