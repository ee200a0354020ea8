"""The session-log workbook's contract: sheets, columns, coded values, and their lazy validation.

One `SheetSchema` per sheet declares its columns; `validate_sheet` checks every cell of a sheet and
`check_rules` every rule across sheets and collects every `Problem` instead of stopping at the first.

About 730 lines, over the ~500 a module aims at: it is the workbook's whole contract, and a
column's declaration (kind, codes, limits), how its header may be written (`column_for`) and how a
problem names it back to the user (`Problem.column_text`: the header as written, "Dato (D)") are
read next to the checks that enforce them. The cell checks and cross-sheet rules
(`validate_sheet`, `check_rules`, `validate_frames`) are the part to move to a ``validation``
module of their own when it grows again.
"""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.format import typed_date_text
from analysis.i18n import LANGUAGES, has, t
from analysis.text import CONTROL, has_controls, identifier, show_controls, strip_controls

FITS = ("job", "group", "supervisor", "organization", "other")
#: The four fits that count towards coverage (``other`` does not).
FOUR_FITS = FITS[:4]
SESSION_STATUSES = ("held", "declined")
RATER_ROLES = ("manager", "observer")
SCORES = ("role_insight", "priorities", "conversation", "follow_up", "composure")
FEEDBACK_ITEMS = ("experience", "learned", "fairness", "recommend")
#: The recommended length of the candidate's part, in minutes (inclusive): a session outside it
#: gets a warning at import, a line in the process check and a flag on the Overview.
RECOMMENDED_MINUTES = (30.0, 40.0)

#: Accepted spellings of coded values (after `_norm`), in English and Norwegian.
CODES: dict[str, dict[str, str]] = {
    "status": {
        "held": "held", "gjennomført": "held", "gjennomfort": "held", "gjennomfoert": "held",
        "declined": "declined", "takket nei": "declined", "takketnei": "declined",
    },
    "role": {
        "manager": "manager", "leder": "manager",
        "observer": "observer", "observatør": "observer", "observator": "observer",
        "observatoer": "observer",
    },
    "fit": {
        "job": "job", "jobb": "job", "group": "group", "gruppe": "group",
        "supervisor": "supervisor", "leder": "supervisor", "organization": "organization",
        "organisation": "organization", "organisasjon": "organization", "other": "other",
        "annet": "other",
    },
}
#: The codes as the template's dropdowns show them, per language.
CODE_CHOICES = {
    "status": {"en": ["held", "declined"], "nb": ["gjennomført", "takket nei"]},
    "role": {"en": ["manager", "observer"], "nb": ["leder", "observatør"]},
    "fit": {
        "en": list(FITS),
        "nb": ["jobb", "gruppe", "leder", "organisasjon", "annet"],
    },
}
_FIT_PREFIX = re.compile(r"^person\s*[-–—]\s*")


@dataclass(frozen=True)
class Column:
    """One column of a sheet.

    ``kind`` is one of text, date, datetime, time, number, int, score, code.
    ``required`` is True, False or ``"held"`` (required when the session was held).
    ``ident`` marks a name or id, kept in `analysis.text.identifier` form; ``max_len`` is the
    longest text the store's column holds (checked here, so both databases refuse the same).
    """

    name: str
    nb: str
    kind: str
    required: bool | str = False
    lo: float | None = None
    hi: float | None = None
    codes: str | None = None
    ident: bool = False
    max_len: int | None = None

    @property
    def example(self) -> str:
        """A valid value to show in a fix."""
        return {"date": "04.03.2026", "datetime": "04.03.2026 14:30", "time": "09:30",
                "int": "3", "number": "25", "score": str(int(self.hi or 5)),
                }.get(self.kind, "")

    def expected(self, lang: str) -> str:
        """What a valid value looks like, in words."""
        if self.kind == "score":
            return t("kind.score", lang, lo=int(self.lo), hi=int(self.hi))
        if self.kind == "code":
            return t("kind.code", lang, codes=", ".join(CODE_CHOICES[self.codes][lang]))
        return t(f"kind.{self.kind}", lang)


@dataclass(frozen=True)
class SheetSchema:
    """One sheet of the workbook and its columns."""

    key: str
    name: str
    nb: str
    columns: tuple[Column, ...]
    required: bool = False

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]


#: Longest session id, recruitment, person's name and rater the store holds (its column sizes).
ID_LENGTH = 200
NAME_LENGTH = 300

SESSIONS = SheetSchema("sessions", "Sessions", "Økter", (
    Column("session_id", "økt_id", "text", True, ident=True, max_len=ID_LENGTH),
    Column("recruitment", "rekruttering", "text", True, ident=True, max_len=NAME_LENGTH),
    Column("candidate", "kandidat", "text", True, ident=True, max_len=NAME_LENGTH),
    Column("date", "dato", "date", True),
    Column("start", "start", "time", "held"),
    Column("end", "slutt", "time", "held"),
    Column("manager_minutes", "leder_minutter", "number", lo=0, hi=600),
    Column("status", "status", "code", True, codes="status"),
    Column("second_interview", "andregangsintervju", "date"),
    Column("manager", "leder", "text", ident=True, max_len=NAME_LENGTH),
), required=True)

QUESTIONS = SheetSchema("questions", "Questions", "Spørsmål", (
    Column("session_id", "økt_id", "text", True, ident=True, max_len=ID_LENGTH),
    Column("seq", "nr", "int", True, lo=0, hi=100_000),
    Column("minute", "minutt", "number", lo=0, hi=600),
    Column("question", "spørsmål", "text", True),
    Column("follow_up_to", "oppfølging_av", "int", lo=0, hi=100_000),
    Column("fit", "fit", "code", codes="fit"),
), required=True)

RATINGS = SheetSchema("ratings", "Ratings", "Vurderinger", (
    Column("session_id", "økt_id", "text", True, ident=True, max_len=ID_LENGTH),
    Column("rater", "vurderer", "text", True, ident=True, max_len=ID_LENGTH),
    Column("role", "rolle", "code", codes="role"),
    Column("submitted", "levert", "datetime"),
    *(Column(s, nb, "score", lo=1, hi=5) for s, nb in zip(SCORES, (
        "rolleinnsikt", "prioriteringer", "samtale", "oppfølging", "mestring"))),
    Column("note", "notat", "text"),
))

FEEDBACK = SheetSchema("feedback", "Feedback", "Tilbakemelding", (
    Column("recruitment", "rekruttering", "text", True, ident=True, max_len=NAME_LENGTH),
    Column("session_id", "økt_id", "text", ident=True, max_len=ID_LENGTH),
    Column("submitted", "levert", "date"),
    Column("experience", "opplevelse", "score", lo=1, hi=5),
    Column("learned", "lærte", "score", lo=1, hi=5),
    Column("fairness", "rettferdig", "score", lo=1, hi=5),
    Column("recommend", "anbefale", "score", lo=0, hi=10),
    Column("comment", "kommentar", "text"),
))

SHEETS: tuple[SheetSchema, ...] = (SESSIONS, QUESTIONS, RATINGS, FEEDBACK)


def _norm(text: object) -> str:
    """Code normal form: NFC, lower case, inner runs of space/underscore as one space (a hyphen
    stays: the fit codes are written "Person-Job")."""
    s = unicodedata.normalize("NFC", str(text)).strip().lower()
    return re.sub(r"[\s_]+", " ", s)


def _header_key(text: object) -> str:
    """Sheet and column name normal form: `_norm`, and a hyphen is a space too, as spreadsheet
    users write it ("Økt-ID", "Session-ID" for økt_id / session_id)."""
    return re.sub(r"[\s_\-\u2010-\u2013]+", " ", _norm(text)).strip()


def sheet_for(name: object) -> SheetSchema | None:
    """The schema whose English or Norwegian name matches ``name``, if any."""
    key = _header_key(name)
    return next((s for s in SHEETS if key in (_header_key(s.name), _header_key(s.nb))), None)


def column_for(sheet: SheetSchema, header: object) -> Column | None:
    """The column of ``sheet`` whose English or Norwegian name matches ``header``, if any."""
    key = _header_key(header)
    return next((c for c in sheet.columns if key in (_header_key(c.name), _header_key(c.nb))),
                None)


def code_params(kind: str) -> dict[str, dict[str, str]]:
    """The accepted codes of ``kind`` for a message, the reader's language first: ``codes`` in
    the language, ``other`` in the other one (both are read).

    Examples
    --------
    >>> code_params("status")["codes"]
    {'nb': 'gjennomført, takket nei', 'en': 'held, declined'}
    """
    choices = CODE_CHOICES[kind]
    return {"codes": {lang: ", ".join(choices[lang]) for lang in ("nb", "en")},
            "other": {"nb": ", ".join(choices["en"]), "en": ", ".join(choices["nb"])}}


def code_of(kind: str, value: object) -> str | None:
    """The canonical code for a coded value, or None when it is not one."""
    key = _norm(value)
    if kind == "fit":
        key = _FIT_PREFIX.sub("", key)
    return CODES[kind].get(key) or CODES[kind].get(key.replace(" ", ""))


# --------------------------------------------------------------------------------------------
# Problems


@dataclass(frozen=True)
class Problem:
    """One problem in one place of a file. ``row`` is the row number as Excel shows it."""

    file: str
    sheet: str
    row: int | None
    column: str
    value: object
    severity: str  # "error" or "warning"
    code: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    #: The column as the user's file names it, with its letter ("Dato (D)"); empty when the
    #: file has no such column. ``column`` stays the schema's name, for code to match on.
    header: str = field(default="", compare=False)

    def _params(self, lang: str) -> dict:
        # a parameter that differs by language is stored as {"nb": ..., "en": ...}
        return {k: v[lang] if isinstance(v, dict) and lang in v else v
                for k, v in self.params.items()}

    def message(self, lang: str = "nb") -> str:
        return t(f"problem.{self.code}", lang, **self._params(lang))

    def fix(self, lang: str = "nb") -> str:
        key = f"fix.{self.code}"
        return t(key, lang, **self._params(lang)) if has(key) else ""

    def column_text(self, lang: str = "nb") -> str:
        """The column as the user knows it: the header as written in the file ("Dato (D)"), or,
        for a column the file lacks, the template's name in ``lang`` ("dato" / "date")."""
        if self.header:
            return self.header
        schema = sheet_for(self.sheet)
        col = column_for(schema, self.column) if schema is not None and self.column else None
        if col is None:
            return self.column
        return col.nb if lang == "nb" else col.name


#: The columns of a validation report, in order; their headers are ``import.col.<name>``.
REPORT_COLUMNS = ("file", "sheet", "row", "column", "value", "severity", "problem", "fix")


def problems_frame(problems: list[Problem], lang: str = "nb", *,
                   translated: bool = False) -> pd.DataFrame:
    """Problems as a table (file, sheet, row, column, value, severity, problem, fix).

    The column is named as the user's file names it (`Problem.column_text`). With
    ``translated`` the headers are in ``lang`` ("Fil", "Ark", "Rad" …), as a download shows them.
    """
    rows = [
        (p.file, p.sheet, p.row, p.column_text(lang),
         "" if p.value is None else str(p.value)[:200],
         t(f"severity.{p.severity}", lang), p.message(lang), p.fix(lang))
        for p in problems
    ]
    frame = pd.DataFrame(rows, columns=list(REPORT_COLUMNS))
    frame["row"] = frame["row"].astype("Int64")
    if translated:
        frame.columns = [t(f"import.col.{c}", lang) for c in REPORT_COLUMNS]
    return frame


# --------------------------------------------------------------------------------------------
# Cell parsing. Each parser returns the parsed value, or raises ValueError.

_NB_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{2}|\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_TIME = re.compile(r"^(\d{1,2})[:.](\d{2})(?:[:.](\d{2}))?$")
_EXCEL_EPOCH = dt.datetime(1899, 12, 30)


def _excel_serial(x: float) -> dt.datetime:
    if not 1 <= x < 2_958_466:  # Excel's own range: 1900-01-01 .. 9999-12-31
        raise ValueError
    return _EXCEL_EPOCH + dt.timedelta(days=float(x))


def parse_datetime(v: object) -> dt.datetime:
    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    if isinstance(v, dt.datetime):
        return v
    if isinstance(v, dt.date):
        return dt.datetime(v.year, v.month, v.day)
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        return _excel_serial(float(v))
    s = str(v).strip()
    if m := _NB_DATE.match(s.split(" ")[0]):
        day, month, year = (int(g) for g in m.groups())
        year = year + 2000 if year < 100 else year
        rest = s[len(s.split(" ")[0]):].strip()
        hh, mm = (parse_time(rest).hour, parse_time(rest).minute) if rest else (0, 0)
        return dt.datetime(year, month, day, hh, mm)
    if m := _ISO_DATE.match(s):
        y, mo, d, hh, mi, ss = m.groups()
        return dt.datetime(int(y), int(mo), int(d), int(hh or 0), int(mi or 0), int(ss or 0))
    raise ValueError(s)


def plausible_window(today: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """The dates a workbook may hold: from 1 January `config.EARLIEST_YEAR` to
    `config.FUTURE_DAYS` days after ``today``."""
    from analysis import config

    today = today or dt.date.today()
    return dt.date(config.EARLIEST_YEAR, 1, 1), today + dt.timedelta(days=config.FUTURE_DAYS)


def parse_date(v: object) -> dt.date:
    return parse_datetime(v).date()


def parse_time(v: object) -> dt.time:
    if isinstance(v, dt.time):
        return v.replace(microsecond=0)
    if isinstance(v, dt.datetime):
        return v.time().replace(microsecond=0)
    if isinstance(v, pd.Timedelta) or isinstance(v, dt.timedelta):
        secs = int(pd.Timedelta(v).total_seconds())
        if not 0 <= secs < 86400:
            raise ValueError
        return dt.time(secs // 3600, secs % 3600 // 60)
    if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool):
        if 0 <= float(v) < 1:  # a time cell without its format: a fraction of a day
            minutes = round(float(v) * 1440)
            return dt.time(minutes // 60 % 24, minutes % 60)
        raise ValueError
    s = str(v).strip()
    if m := _TIME.match(s):
        h, mi, sec = int(m.group(1)), int(m.group(2)), int(m.group(3) or 0)
        return dt.time(h, mi, sec)
    if m := _ISO_DATE.match(s):  # a full date-time written as text
        if m.group(4):
            return dt.time(int(m.group(4)), int(m.group(5)))
    raise ValueError(s)


def _text(v: object) -> str:
    if isinstance(v, float) and v.is_integer():
        v = int(v)  # "1001" typed in a number-formatted cell
    elif isinstance(v, (dt.datetime, pd.Timestamp)):
        v = v.date() if v.hour == v.minute == v.second == 0 else v
    return unicodedata.normalize("NFC", str(v)).strip()


def _empty(index: pd.Index) -> pd.Series:
    return pd.Series([None] * len(index), index=index, dtype=object)


def _missing(value: object) -> bool:
    return value is None or (not isinstance(value, str) and bool(pd.isna(value)))


def blank_to_none(series: pd.Series) -> pd.Series:
    """Empty and whitespace-only cells as None, everything else as read (object dtype)."""
    values = series.to_numpy(dtype=object, copy=True)
    blank = np.fromiter((v is None or (isinstance(v, str) and not v.strip())
                         or (isinstance(v, float) and v != v) for v in values),
                        dtype=bool, count=len(values))
    values[blank] = None
    return pd.Series(values, index=series.index, dtype=object)


def _is_blank(series: pd.Series) -> pd.Series:
    """Cells that are empty; `blank_to_none` has already turned whitespace into None."""
    return series.isna()


# --------------------------------------------------------------------------------------------
# Validation


@dataclass
class Validated:
    """The typed frames of a workbook and every problem found in it."""

    file: str
    frames: dict[str, pd.DataFrame]
    problems: list[Problem]
    #: sheet key -> column name -> the header as the file writes it ("Dato")
    headers: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    @property
    def ok(self) -> bool:
        return not self.errors


class _Collector:
    """Collects problems, listing at most ``cap`` of one kind per column so a broken million-row
    sheet gives a readable report (a summary line says how many more there were)."""

    def __init__(self, file: str, cap: int = 200) -> None:
        self.file = file
        self.cap = cap
        self.problems: list[Problem] = []
        self._counts: dict[tuple, int] = {}
        self.cells: set[tuple] = set()
        #: (sheet, column name) -> (the header as the file writes it, its column letter)
        self.headers: dict[tuple[str, str], tuple[str, str]] = {}

    def header(self, sheet: str, column: str) -> str:
        """The column as the file names it, with its letter ("Dato (D)"), or ""."""
        found = self.headers.get((sheet, column))
        return f"{found[0]} ({found[1]})" if found else ""

    def add(self, sheet: str, row, column: str, value, severity: str, code: str, /,
            where: str = "", **params):
        """Collect a problem; ``where`` names the column when the file's header for ``column``
        is not known (a column that is not in the schema)."""
        key = (sheet, column, code)
        self.cells.add((sheet, row, column))
        n = self._counts.get(key, 0)
        self._counts[key] = n + 1
        if n < self.cap:
            if isinstance(value, str) and has_controls(value):
                value = show_controls(value)  # never echo a control character into a report
            elif isinstance(value, float) and math.isnan(value):
                value = None
            elif isinstance(value, float) and value.is_integer():
                value = int(value)  # calamine reads every number as a float; show what was typed
            self.problems.append(Problem(self.file, sheet, None if row is None else int(row),
                                         column, value, severity, code, params,
                                         where or self.header(sheet, column)))

    def finish(self) -> list[Problem]:
        for (sheet, column, code), n in self._counts.items():
            if n > self.cap:
                first = next(p for p in self.problems
                             if (p.sheet, p.column, p.code) == (sheet, column, code))
                self.problems.append(Problem(self.file, sheet, None, column,
                                             f"+{n - self.cap}", first.severity, code,
                                             first.params, first.header))
        return self.problems


def _parse_column(col: Column, raw: pd.Series, rows: pd.Series, sheet: str,
                  out: _Collector) -> pd.Series:
    """Parse one column into its typed values; collect a problem for every bad cell."""
    blank = _is_blank(raw)
    present = raw[~blank]
    if col.kind in ("number", "int", "score"):
        nums = pd.to_numeric(present, errors="coerce")
        # text such as "4,5" (Norwegian decimal comma) is a number too
        retry = nums.isna()
        if retry.any():
            nums[retry] = pd.to_numeric(
                present[retry].astype(str).str.strip().str.replace(",", ".", regex=False),
                errors="coerce")
        bad = nums.isna()
        if col.kind != "number":
            bad |= ~np.isclose(nums.fillna(0), np.round(nums.fillna(0)))
        for idx in present.index[bad.to_numpy()]:
            out.add(sheet, rows[idx], col.name, raw[idx], "error", "bad_value",
                    expected={lang: col.expected(lang) for lang in ("nb", "en")},
                    example=col.example)
        ok = nums[~bad]
        if col.lo is not None:
            rng = (ok < col.lo) | (ok > col.hi)
            for idx in ok.index[rng.to_numpy()]:
                lo, hi = (int(col.lo), int(col.hi))
                out.add(sheet, rows[idx], col.name, raw[idx], "error", "out_of_range", lo=lo, hi=hi)
            ok = ok[~rng]
        result = pd.Series(np.nan, index=raw.index, dtype="float64")
        result[ok.index] = ok.astype("float64")
        if col.kind != "number":
            result = result.round().astype("Int64")
        return result
    if col.kind == "text":
        return _parse_text(col, raw, present, rows, sheet, out)
    if col.kind == "code":
        codes = present.map(lambda v: code_of(col.codes, v))
        for idx in codes.index[codes.isna().to_numpy()]:
            out.add(sheet, rows[idx], col.name, raw[idx], "error", "bad_code",
                    **code_params(col.codes))
        result = _empty(raw.index)
        result[codes.index] = codes
        return result
    parser = {"date": parse_date, "datetime": parse_datetime, "time": parse_time}[col.kind]
    earliest, latest = plausible_window()
    values = []
    for idx, v in present.items():
        try:
            value = parser(v)
        except (ValueError, TypeError, OverflowError):
            values.append(None)
            out.add(sheet, rows[idx], col.name, v, "error", "bad_value",
                    expected={lang: col.expected(lang) for lang in ("nb", "en")},
                    example=col.example)
            continue
        day = value.date() if isinstance(value, dt.datetime) else value
        if isinstance(day, dt.date) and not earliest <= day <= latest:
            # 1900 (a number in a date column) or 2100 would defeat retention
            values.append(None)
            out.add(sheet, rows[idx], col.name, v, "error", "implausible_date",
                    earliest={lang: typed_date_text(earliest, lang) for lang in LANGUAGES},
                    latest={lang: typed_date_text(latest, lang) for lang in LANGUAGES})
            continue
        values.append(value)
    result = _empty(raw.index)
    result[present.index] = values
    return result


def _odd(values: list[str], ident: bool) -> list[int]:
    """Positions of the values `_parse_text` must look at: any that is not printable (control,
    format and odd space characters), and for an identifier any that is not plain ASCII or holds
    a double space. One check over them all first: the common case costs a few milliseconds on a
    quarter of a million questions."""
    joined = " ".join(values)
    if joined.isprintable() and not (ident and (not joined.isascii() or "  " in joined)):
        return []
    return [i for i, v in enumerate(values)
            if not v.isprintable() or (ident and (not v.isascii() or "  " in v))]


def _parse_text(col: Column, raw: pd.Series, present: pd.Series, rows: pd.Series, sheet: str,
                out: _Collector) -> pd.Series:
    """Text cells as the store keeps them (see `analysis.text`): control characters out, with a
    warning naming the row; identifiers normalised; too long for the store's column an error."""
    result = _empty(raw.index)
    # ASCII text needs no Unicode normalisation: the common case stays cheap
    values = [v.strip() if type(v) is str and v.isascii() else _text(v)
              for v in present.tolist()]
    index = present.index
    for i in _odd(values, col.ident):
        value = values[i]
        if CONTROL.search(value):
            out.add(sheet, rows[index[i]], col.name, value, "warning", "control_chars")
            value = strip_controls(value).strip()
        if col.ident:
            value = identifier(value)
        if not value:  # nothing left but control or invisible characters
            value = None
            if col.required is True:
                out.add(sheet, rows[index[i]], col.name, raw[index[i]], "error", "required")
        values[i] = value
    if col.max_len is not None and values:
        lengths = np.fromiter((0 if v is None else len(v) for v in values), dtype=np.int64,
                              count=len(values))
        for i in np.flatnonzero(lengths > col.max_len).tolist():
            out.add(sheet, rows[index[i]], col.name, values[i][:60] + "…", "error", "too_long",
                    limit=col.max_len, length=len(values[i]))
    result[index] = values
    return result


def validate_sheet(schema: SheetSchema, raw: pd.DataFrame, out: _Collector,
                   sheet_label: str) -> pd.DataFrame:
    """Type every column of one sheet; ``raw`` has canonical column names and a ``_row`` column."""
    rows = raw["_row"]
    typed = pd.DataFrame({"_row": rows}, index=raw.index)
    for col in schema.columns:
        if col.name not in raw:
            typed[col.name] = _empty(raw.index)
            continue
        typed[col.name] = _parse_column(col, raw[col.name], rows, sheet_label, out)
        if col.required is True:
            missing = _is_blank(raw[col.name])
            for idx in raw.index[missing.to_numpy()]:
                out.add(sheet_label, rows[idx], col.name, None, "error", "required")
    return typed


def minutes_between(start: dt.time | None, end: dt.time | None) -> float | None:
    """Minutes from ``start`` to ``end`` on the same day, or None when either is missing."""
    if _missing(start) or _missing(end):
        return None
    return (end.hour * 60 + end.minute + end.second / 60) - (
        start.hour * 60 + start.minute + start.second / 60)


def check_rules(frames: dict[str, pd.DataFrame], labels: dict[str, str], out: _Collector,
                known_recruitments: set[str] | None = None) -> None:
    """The rules that span rows and sheets (uniqueness, references, follow-ups, durations)."""
    sessions = frames["sessions"]
    sl = labels["sessions"]
    dup = sessions["session_id"].notna() & sessions["session_id"].duplicated(keep="first")
    for idx in sessions.index[dup.to_numpy()]:
        out.add(sl, sessions.at[idx, "_row"], "session_id", sessions.at[idx, "session_id"],
                "error", "duplicate_session")
    for row, status, start, end in sessions[["_row", "status", "start", "end"]].itertuples(
            index=False, name=None):
        held = status == "held"
        if held and (_missing(start) or _missing(end)):
            for name, value in (("start", start), ("end", end)):
                if _missing(value) and (sl, row, name) not in out.cells:
                    out.add(sl, row, name, None, "error", "required")
            continue
        minutes = minutes_between(start, end)
        if minutes is None:
            continue
        if minutes < 0:
            out.add(sl, row, "end", end, "error", "end_before_start")
        elif held and not RECOMMENDED_MINUTES[0] <= minutes <= RECOMMENDED_MINUTES[1]:
            out.add(sl, row, "end", f"{start:%H:%M}–{end:%H:%M}", "warning", "duration",
                    minutes=round(minutes), lo=int(RECOMMENDED_MINUTES[0]),
                    hi=int(RECOMMENDED_MINUTES[1]))
    session_ids = set(sessions["session_id"].dropna())
    recruitments = set(sessions["recruitment"].dropna()) | (known_recruitments or set())

    for key in ("questions", "ratings"):
        frame = frames.get(key)
        if frame is None:
            continue
        unknown = frame["session_id"].notna() & ~frame["session_id"].isin(session_ids)
        for idx in frame.index[unknown.to_numpy()]:
            out.add(labels[key], frame.at[idx, "_row"], "session_id", frame.at[idx, "session_id"],
                    "error", "unknown_session")

    q = frames["questions"]
    ql = labels["questions"]
    keyed = q[q["session_id"].notna() & q["seq"].notna()]
    dup = keyed.duplicated(["session_id", "seq"], keep="first")
    for idx in keyed.index[dup.to_numpy()]:
        out.add(ql, q.at[idx, "_row"], "seq", q.at[idx, "seq"], "error", "duplicate_seq",
                seq=int(q.at[idx, "seq"]))
    fu = keyed[keyed["follow_up_to"].notna()]
    if len(fu):
        targets = keyed[["session_id", "seq"]].drop_duplicates().assign(_exists=True)
        linked = fu[["_row", "session_id", "seq", "follow_up_to"]].merge(
            targets.rename(columns={"seq": "follow_up_to"}), how="left",
            on=["session_id", "follow_up_to"])
        missing = linked["_exists"].isna()
        forward = ~missing & (linked["follow_up_to"] >= linked["seq"])
        for code, mask in (("follow_up_missing", missing), ("follow_up_forward", forward)):
            for row, target in linked.loc[mask.to_numpy(), ["_row", "follow_up_to"]].itertuples(
                    index=False):
                out.add(ql, row, "follow_up_to", int(target), "error", code, seq=int(target))

    ratings = frames.get("ratings")
    if ratings is not None:
        keyed = ratings[ratings["session_id"].notna() & ratings["rater"].notna()]
        dup = keyed.assign(_r=keyed["rater"].str.casefold()).duplicated(
            ["session_id", "_r"], keep="first")
        for idx in keyed.index[dup.to_numpy()]:
            out.add(labels["ratings"], ratings.at[idx, "_row"], "rater", ratings.at[idx, "rater"],
                    "error", "duplicate_rater")

    feedback = frames.get("feedback")
    if feedback is not None:
        unknown = feedback["recruitment"].notna() & ~feedback["recruitment"].isin(recruitments)
        for idx in feedback.index[unknown.to_numpy()]:
            name = feedback.at[idx, "recruitment"]
            out.add(labels["feedback"], feedback.at[idx, "_row"], "recruitment", name, "error",
                    "feedback_recruitment", name=name)
        unknown = feedback["session_id"].notna() & ~feedback["session_id"].isin(session_ids)
        for idx in feedback.index[unknown.to_numpy()]:
            out.add(labels["feedback"], feedback.at[idx, "_row"], "session_id",
                    feedback.at[idx, "session_id"], "error", "unknown_session")



def validate_frames(frames: dict[str, pd.DataFrame], file: str = "frames",
                    known_recruitments: set[str] | None = None) -> Validated:
    """Validate frames as if they were the sheets of a workbook: the same cell checks and rules
    as an import, without writing and reading a file (the synthetic generator's check at scale).

    Parameters
    ----------
    frames : dict
        Keyed by sheet key (``sessions``, ``questions``, ``ratings``, ``feedback``), columns
        named as the schema's English names; missing columns are empty. Row numbers in problems
        count from 2, as below a header row.
    file : str
        The name problems carry.
    known_recruitments : set, optional
        Recruitments the store already holds (feedback may name them).

    Returns
    -------
    Validated
    """
    out = _Collector(file)
    typed: dict[str, pd.DataFrame] = {}
    labels: dict[str, str] = {}
    for schema in SHEETS:
        frame = frames.get(schema.key)
        if frame is None:
            if schema.required:
                out.add(schema.name, None, "", None, "error", "missing_sheet",
                        sheet={"nb": f"{schema.nb} / {schema.name}",
                               "en": f"{schema.name} / {schema.nb}"})
            continue
        frame = frame.reset_index(drop=True)
        raw = pd.DataFrame({c: blank_to_none(frame[c].astype(object).where(frame[c].notna(),
                                                                            None))
                            for c in schema.names if c in frame}, index=frame.index)
        raw["_row"] = frame.index + 2
        typed[schema.key] = validate_sheet(schema, raw, out, schema.name)
        labels[schema.key] = schema.name
    if "sessions" in typed and "questions" in typed:
        check_rules(typed, labels, out, known_recruitments)
    return Validated(file, typed, out.finish())
