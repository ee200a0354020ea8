"""The method's frame, checked from the data: for each recruitment, one line per rule, pass,
warning or unknown (data missing), with a translated reason; and what those lines show about each
item of the planning checklist.

`process_check` is pure (frames in, lines out); `process_checks` runs it for the latest
recruitments at once and `recruitment_check` for one recruitment read from the store. The
planning checklist a recruiter ticks off is stored with the recruitment (`analysis.store.planning`);
`checklist_evidence` maps each item to the rules that bear on it (`ITEM_RULES`). The invitation
letter is `analysis.reports.invitation`.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import pandas as pd

from analysis.errors import NotFound
from analysis.figures.sessions import session_minutes
from analysis.format import date_text
from analysis.i18n import t
from analysis.workbook.schema import RECOMMENDED_MINUTES

if TYPE_CHECKING:
    from analysis.store.core import Store

__all__ = [
    "CheckLine", "RULES", "CHECK_STATUSES", "PASS", "WARNING", "UNKNOWN", "MANAGER_MINUTES",
    "process_check", "process_checks", "recruitment_check", "ITEM_RULES", "EVIDENCE_STATUSES",
    "ItemEvidence", "checklist_evidence",
]

PASS, WARNING, UNKNOWN = "pass", "warning", "unknown"
CHECK_STATUSES = (PASS, WARNING, UNKNOWN)
#: The rules in the order the checklist shows them.
RULES = ("finalists", "declines", "same_day", "candidate_time", "manager_time",
         "ratings_before_second", "ratings_blind", "second_after")
#: The recommended length of the manager's part, in minutes (inclusive).
MANAGER_MINUTES = (20.0, 30.0)
_DEFAULTS = {"required_raters": 2, "max_finalists": 3}


@dataclass(frozen=True)
class CheckLine:
    """One line of the process check.

    ``reason`` is a translation key under ``process.reason.``; ``params`` fill it in; ``more``
    holds further reasons of the same rule (e.g. one session too short and another unrated).
    """

    rule: str
    status: str
    reason: str
    params: dict = field(default_factory=dict, hash=False, compare=False)
    more: tuple[tuple[str, dict], ...] = ()

    def rule_text(self, lang: str = "nb") -> str:
        """The rule in words."""
        return t(f"process.rule.{self.rule}", lang)

    def text(self, lang: str = "nb") -> str:
        """The reason in words (all of them, one sentence each)."""
        parts = [t(f"process.reason.{self.reason}", lang, **self.params)]
        parts += [t(f"process.reason.{key}", lang, **params) for key, params in self.more]
        return " ".join(parts)

    def status_text(self, lang: str = "nb") -> str:
        """The status in words."""
        return t(f"process.status.{self.status}", lang)


def _line(rule: str, findings: list[tuple[str, str, dict]], ok: tuple[str, dict]) -> CheckLine:
    """Warning when anything is wrong, else unknown when anything is missing, else pass with
    ``ok``; every finding is kept (warnings first) so the reason tells the whole story."""
    hits = sorted(findings, key=lambda f: f[0] != WARNING)
    if not hits:
        return CheckLine(rule, PASS, ok[0], ok[1])
    (status, key, params), rest = hits[0], hits[1:]
    return CheckLine(rule, status, key, params, tuple((k, p) for _, k, p in rest))


def _ids(keys) -> str:
    return ", ".join(str(k) for k in keys)


def _date(value: object) -> dt.date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)):
        return None
    stamp = pd.Timestamp(value) if not isinstance(value, pd.Timestamp) else value
    return None if pd.isna(stamp) else stamp.date()


def _stamp(value: object) -> pd.Timestamp | None:
    if value is None:
        return None
    stamp = pd.to_datetime(value, errors="coerce")
    return None if pd.isna(stamp) else stamp


def _setting(settings: Mapping | pd.Series | None, key: str) -> int:
    value = None if settings is None else settings.get(key)
    return _DEFAULTS[key] if value is None or pd.isna(value) else int(value)


def process_check(sessions: pd.DataFrame, ratings: pd.DataFrame,
                  recruitment_settings: Mapping | pd.Series | None = None) -> list[CheckLine]:
    """Check one recruitment's sessions against the method's rules.

    Parameters
    ----------
    sessions : DataFrame
        The recruitment's sessions as `Store.sessions` gives them (session_id, date, start, end,
        manager_minutes, status, second_interview, revealed_at).
    ratings : DataFrame
        Who handed in and when: session_id, rater, submitted (`handed_in`;
        scores are not needed).
    recruitment_settings : mapping, optional
        ``required_raters`` (default 2) and ``max_finalists`` (default 3).

    Returns
    -------
    list of CheckLine
        One line per rule in `RULES`.

    Examples
    --------
    >>> s = pd.DataFrame({"session_id": ["A"], "date": [dt.date(2026, 3, 4)], "start": ["09:00"],
    ...                   "end": ["09:35"], "manager_minutes": [25], "status": ["held"],
    ...                   "second_interview": [dt.date(2026, 3, 10)], "revealed_at": [None]})
    >>> r = pd.DataFrame({"session_id": ["A", "A"], "rater": ["P", "O"],
    ...                   "submitted": [dt.datetime(2026, 3, 4, 12)] * 2})
    >>> [line.status for line in process_check(s, r)]
    ['pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass', 'pass']
    """
    required = _setting(recruitment_settings, "required_raters")
    max_finalists = _setting(recruitment_settings, "max_finalists")
    sessions = sessions.reset_index(drop=True)
    held = sessions[(sessions["status"] == "held").to_numpy()].reset_index(drop=True)
    by_session = {key: group for key, group in ratings.groupby("session_id")} if len(
        ratings) else {}
    return [
        _finalists(sessions, max_finalists),
        _declines(sessions, by_session),
        _same_day(held),
        _candidate_time(held),
        _manager_time(held),
        _ratings_before_second(held, by_session, required),
        _ratings_blind(held, by_session, required),
        _second_after(held),
    ]


def _finalists(sessions: pd.DataFrame, max_finalists: int) -> CheckLine:
    n = len(sessions)
    if n == 0:
        return CheckLine("finalists", UNKNOWN, "no_sessions")
    if n > max_finalists:
        return CheckLine("finalists", WARNING, "too_many_finalists",
                         {"n": n, "max": max_finalists})
    return CheckLine("finalists", PASS, "finalists_ok", {"n": n, "max": max_finalists})


def _declines(sessions: pd.DataFrame, by_session: dict) -> CheckLine:
    if sessions.empty:
        return CheckLine("declines", UNKNOWN, "no_sessions")
    findings = []
    unknown_status = sessions[~sessions["status"].isin(("held", "declined")).to_numpy()]
    if len(unknown_status):
        findings.append((UNKNOWN, "status_missing", {"sessions": _ids(
            unknown_status["session_id"])}))
    declined = sessions[(sessions["status"] == "declined").to_numpy()]
    # a declined session with times or ratings is a record that contradicts itself
    timed = [row.session_id for row in declined.itertuples()
             if pd.notna(row.start) or pd.notna(row.end)]
    rated = [key for key in declined["session_id"] if key in by_session]
    if timed or rated:
        findings.append((WARNING, "declined_with_data",
                         {"sessions": _ids(sorted(set(timed) | set(rated)))}))
    return _line("declines", findings, ("declines_counted",
                                        {"declined": len(declined), "n": len(sessions)}))


def _same_day(held: pd.DataFrame) -> CheckLine:
    if held.empty:
        return CheckLine("same_day", UNKNOWN, "no_held")
    days = [_date(v) for v in held["date"]]
    if any(d is None for d in days):
        return CheckLine("same_day", UNKNOWN, "date_missing")
    distinct = sorted(set(days))
    if len(distinct) > 1:
        return CheckLine("same_day", WARNING, "several_days",
                         {"count": len(distinct), "dates": ", ".join(map(date_text, distinct))})
    return CheckLine("same_day", PASS, "one_day", {"date": date_text(distinct[0]),
                                                   "n": len(held)})


def _minutes_line(rule: str, keys: pd.Series, minutes: pd.Series,
                  bounds: tuple[float, float]) -> CheckLine:
    if keys.empty:
        return CheckLine(rule, UNKNOWN, "no_held")
    lo, hi = bounds
    missing = [k for k, m in zip(keys, minutes) if pd.isna(m)]
    off = [f"{k} ({m:.0f} min)" for k, m in zip(keys, minutes)
           if pd.notna(m) and not lo <= m <= hi]
    findings = []
    if off:
        findings.append((WARNING, "minutes_off", {"sessions": ", ".join(off), "lo": int(lo),
                                                  "hi": int(hi)}))
    if missing:
        findings.append((UNKNOWN, "minutes_missing", {"sessions": _ids(missing)}))
    return _line(rule, findings, ("minutes_ok", {"lo": int(lo), "hi": int(hi), "n": len(keys)}))


def _candidate_time(held: pd.DataFrame) -> CheckLine:
    minutes = session_minutes(held) if len(held) else pd.Series(dtype="float64")
    return _minutes_line("candidate_time", held["session_id"], minutes, RECOMMENDED_MINUTES)


def _manager_time(held: pd.DataFrame) -> CheckLine:
    minutes = pd.to_numeric(held["manager_minutes"], errors="coerce") if len(held) else \
        pd.Series(dtype="float64")
    return _minutes_line("manager_time", held["session_id"], minutes, MANAGER_MINUTES)


def _ratings_before_second(held: pd.DataFrame, by_session: dict, required: int) -> CheckLine:
    if held.empty:
        return CheckLine("ratings_before_second", UNKNOWN, "no_held")
    short, late, same_day, no_second, no_time = [], [], [], [], []
    for row in held.itertuples():
        rows = by_session.get(row.session_id)
        n = 0 if rows is None else len(rows)
        if n < required:
            short.append(f"{row.session_id} ({n}/{required})")
        second = _date(row.second_interview)
        if rows is None:
            continue
        if second is None:
            no_second.append(row.session_id)
            continue
        for submitted in rows["submitted"]:
            stamp = _stamp(submitted)
            if stamp is None:
                no_time.append(row.session_id)
            elif stamp.date() > second:
                late.append(row.session_id)
            elif stamp.date() == second:
                # the second interview has a date but no time: the order is not known
                same_day.append(row.session_id)
    findings = []
    if short:
        findings.append((WARNING, "ratings_missing", {"sessions": ", ".join(short)}))
    if late:
        findings.append((WARNING, "ratings_after_second", {"sessions": _ids(sorted(set(late)))}))
    if no_second:
        findings.append((UNKNOWN, "second_missing", {"sessions": _ids(no_second)}))
    if no_time:
        findings.append((UNKNOWN, "submitted_missing", {"sessions": _ids(sorted(set(no_time)))}))
    if same_day:
        findings.append((UNKNOWN, "ratings_same_day_as_second",
                         {"sessions": _ids(sorted(set(same_day)))}))
    return _line("ratings_before_second", findings, ("ratings_in_time", {"n": len(held)}))


def _ratings_blind(held: pd.DataFrame, by_session: dict, required: int) -> CheckLine:
    if held.empty:
        return CheckLine("ratings_blind", UNKNOWN, "no_held")
    late, no_time, unrated = [], [], []
    for row in held.itertuples():
        rows = by_session.get(row.session_id)
        if rows is None:
            unrated.append(row.session_id)
            continue
        stamps = [_stamp(v) for v in rows["submitted"]]
        if any(s is None for s in stamps):
            no_time.append(row.session_id)
            continue
        stamps.sort()
        # the others' ratings became visible at the reveal or when the last required one came in
        opened = [s for s in (_stamp(getattr(row, "revealed_at", None)),
                              stamps[required - 1] if len(stamps) >= required else None)
                  if s is not None]
        if opened and any(s > min(opened) for s in stamps):
            late.append(row.session_id)
    findings = []
    if late:
        findings.append((WARNING, "rated_after_visible", {"sessions": _ids(late)}))
    if no_time:
        findings.append((UNKNOWN, "submitted_missing", {"sessions": _ids(no_time)}))
    if unrated and len(unrated) == len(held):
        findings.append((UNKNOWN, "no_ratings", {}))
    return _line("ratings_blind", findings, ("ratings_independent", {"n": len(held) - len(
        unrated)}))


def _second_after(held: pd.DataFrame) -> CheckLine:
    if held.empty:
        return CheckLine("second_after", UNKNOWN, "no_held")
    before, same, missing = [], [], []
    for row in held.itertuples():
        second, day = _date(row.second_interview), _date(row.date)
        if second is None or day is None:
            missing.append(row.session_id)
        elif second < day:
            before.append(row.session_id)
        elif second == day:
            same.append(row.session_id)
    findings = []
    if before:
        findings.append((WARNING, "second_before", {"sessions": _ids(before)}))
    if missing:
        findings.append((UNKNOWN, "second_missing", {"sessions": _ids(missing)}))
    if same:
        findings.append((UNKNOWN, "second_same_day", {"sessions": _ids(same)}))
    return _line("second_after", findings, ("second_after_ok", {"n": len(held)}))


def _check_recruitment(name: str, sessions: pd.DataFrame, handed_in: pd.DataFrame,
                       settings: pd.DataFrame) -> list[CheckLine]:
    """`process_check` of recruitment ``name`` out of frames that hold every recruitment."""
    mine = sessions[(sessions["recruitment"] == name).to_numpy()]
    rated = handed_in[handed_in["session_id"].isin(mine["session_id"]).to_numpy()]
    own = settings[(settings["name"] == name).to_numpy()]
    return process_check(mine, rated, own.iloc[0] if len(own) else None)


def process_checks(sessions: pd.DataFrame, handed_in: pd.DataFrame, settings: pd.DataFrame,
                   latest: int | None = None) -> list[tuple[str, list[CheckLine]]]:
    """`process_check` for every recruitment in ``sessions``, the latest held first.

    Parameters
    ----------
    sessions : DataFrame
        Sessions of any number of recruitments (`Store.sessions`, filtered or not).
    handed_in : DataFrame
        Who handed in a rating and when (`handed_in`).
    settings : DataFrame
        The recruitments' settings: ``name``, ``required_raters``, ``max_finalists``
        (`Store.recruitments`).
    latest : int, optional
        Check only this many recruitments, those whose last session is latest.

    Returns
    -------
    list of (recruitment, lines)
    """
    last = sessions.groupby("recruitment")["date"].max().sort_values(ascending=False)
    names = last.index[:latest] if latest is not None else last.index
    return [(name, _check_recruitment(name, sessions, handed_in, settings)) for name in names]


def recruitment_check(store: "Store", recruitment: str) -> list[CheckLine]:
    """`process_check` for one recruitment, read from the store as its actor sees it.

    Raises
    ------
    NotFound
        For an unknown recruitment.
    """
    from analysis.store.ratings import handed_in

    settings = store.recruitments()
    if not (settings["name"] == recruitment).any():
        raise NotFound(f"recruitment {recruitment}")
    return _check_recruitment(recruitment, store.sessions(), handed_in(store), settings)


# -- the planning checklist, as far as the data shows it ----------------------------------------------
MET, NOT_MET, NOT_IN_DATA = "met", "not_met", "not_in_data"
#: What the data can say about a checklist item: met, not met, not known (data missing), or
#: nothing (no data bears on it; only the recruiter's tick does).
EVIDENCE_STATUSES = (MET, NOT_MET, UNKNOWN, NOT_IN_DATA)
#: The process-check rules that bear on each planning item (`analysis.store.planning.PLAN_ITEMS`).
#: An item with no rule is one the data cannot show: an invitation's wording, the room, whether the
#: manager agreed, what the second interview opens with.
ITEM_RULES: dict[str, tuple[str, ...]] = {
    # a decline recorded as such, with no session data, is an offer that was respected
    "offered": ("declines",),
    "finalists_only": ("finalists",),
    "invitation": (),
    "room": (),
    "time": ("candidate_time", "manager_time"),
    "same_day": ("same_day",),
    # own notes: every rater handed in, before the second interview, before seeing the others'
    "independent_notes": ("ratings_before_second", "ratings_blind"),
    "manager_agreed": (),
    "second_interview_opening": (),
}


@dataclass(frozen=True)
class ItemEvidence:
    """What the process check shows about one planning item: ``status`` is one of
    `EVIDENCE_STATUSES`, ``lines`` the check's lines it rests on (in `RULES` order)."""

    item: str
    status: str
    lines: tuple[CheckLine, ...] = ()

    def status_text(self, lang: str = "nb") -> str:
        """The status in words ("Dataene viser at punktet er oppfylt")."""
        return t(f"plan.evidence.{self.status}", lang)

    def text(self, lang: str = "nb") -> str:
        """Which data shows it: each rule and its reason ("Samme dag: Alle 3 på 04.03.2026.")."""
        return " ".join(f"{line.rule_text(lang)}: {line.text(lang)}" for line in self.lines)

    def disagrees_with(self, ticked: bool) -> bool:
        """Whether the recruiter's tick says otherwise than the data (ticked but not met)."""
        return bool(ticked) and self.status == NOT_MET


def checklist_evidence(lines: list[CheckLine]) -> dict[str, ItemEvidence]:
    """What the process check ``lines`` (`process_check`) show about each planning item.

    An item is *met* when every rule that bears on it passes, *not met* when one warns, *unknown*
    when none warns but one lacks data, and *not in the data* when no rule bears on it. The
    recruiter's own tick is kept apart from this (`ItemEvidence.disagrees_with`).

    Examples
    --------
    >>> lines = [CheckLine("same_day", PASS, "one_day", {"date": "04.03.2026", "n": 3}),
    ...          CheckLine("finalists", WARNING, "too_many_finalists", {"n": 4, "max": 3})]
    >>> evidence = checklist_evidence(lines)
    >>> evidence["same_day"].status, evidence["finalists_only"].status, evidence["room"].status
    ('met', 'not_met', 'not_in_data')
    """
    by_rule = {line.rule: line for line in lines}
    out = {}
    for item, rules in ITEM_RULES.items():
        found = tuple(by_rule[r] for r in rules if r in by_rule)
        statuses = {line.status for line in found}
        if not found:
            status = NOT_IN_DATA
        elif WARNING in statuses:
            status = NOT_MET
        elif UNKNOWN in statuses:
            status = UNKNOWN
        else:
            status = MET
        out[item] = ItemEvidence(item, status, found)
    return out
