"""The method's frame: the process check computed from the data, the planning checklist a
recruiter ticks off, and the invitation paragraph for the letter to finalists.

`process_check` is pure (frames in, lines out); `recruitment_check` reads what it needs from the
store. Each `CheckLine` is pass, warning or unknown (data missing), with a translated reason.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Mapping

import pandas as pd
from sqlalchemy import select

from analysis.errors import InputError, NotFound
from analysis.figures.sessions import RECOMMENDED_MINUTES, session_minutes
from analysis.i18n import t
from analysis.store.models import AuditEvent, Recruitment

if TYPE_CHECKING:
    from analysis.store.core import Store

__all__ = [
    "CheckLine", "RULES", "CHECK_STATUSES", "process_check", "recruitment_check", "PLAN_ITEMS",
    "plan_state", "set_plan", "set_max_finalists", "invitation_text",
    "MANAGER_MINUTES",
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

    def label(self, lang: str = "nb") -> str:
        """The rule in words."""
        return t(f"process.rule.{self.rule}", lang)

    def text(self, lang: str = "nb") -> str:
        """The reason in words (all of them, one sentence each)."""
        parts = [t(f"process.reason.{self.reason}", lang, **self.params)]
        parts += [t(f"process.reason.{key}", lang, **params) for key, params in self.more]
        return " ".join(parts)

    def status_text(self, lang: str = "nb") -> str:
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


def _fmt_date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


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
        Who handed in and when: session_id, rater, submitted (`analysis.ratings.handed_in`;
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
                         {"count": len(distinct), "dates": ", ".join(map(_fmt_date, distinct))})
    return CheckLine("same_day", PASS, "one_day", {"date": _fmt_date(distinct[0]),
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


def recruitment_check(store: "Store", recruitment: str) -> list[CheckLine]:
    """`process_check` for one recruitment, read from the store as its actor sees it.

    Raises
    ------
    NotFound
        For an unknown recruitment.
    """
    from analysis.store.ratings import handed_in

    settings = store.recruitments()
    mine = settings[settings["name"] == recruitment]
    if mine.empty:
        raise NotFound(f"recruitment {recruitment}")
    sessions = store.sessions()
    sessions = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    ratings = handed_in(store)
    ratings = ratings[ratings["session_id"].isin(sessions["session_id"]).to_numpy()]
    return process_check(sessions, ratings, mine.iloc[0])


# ------------------------------------------------------------------------------------------------
# Planning

#: The planning checklist, in the order of the method's frame (the article's nine points).
PLAN_ITEMS = ("offered", "finalists_only", "invitation", "room", "time", "same_day",
              "independent_notes", "manager_agreed", "second_interview_opening")


def _recruitment(db, name: str) -> Recruitment:
    rec = db.scalar(select(Recruitment).where(Recruitment.name == name))
    if rec is None:
        raise NotFound(f"recruitment {name}")
    return rec


def plan_state(store: "Store", recruitment: str) -> dict[str, bool]:
    """Which planning items of ``recruitment`` are ticked (every item in `PLAN_ITEMS`).

    Raises
    ------
    NotFound
        For an unknown recruitment.
    """
    store.actor.require("read")
    with store.engine.connect() as conn:
        row = conn.execute(select(Recruitment.plan).where(Recruitment.name == recruitment)).first()
    if row is None:
        raise NotFound(f"recruitment {recruitment}")
    saved = row[0] or {}
    return {item: bool(saved.get(item, False)) for item in PLAN_ITEMS}


def set_plan(store: "Store", recruitment: str, ticks: Mapping[str, bool]) -> dict[str, bool]:
    """Tick or untick planning items; items not named keep their state. Returns the new plan.

    Raises
    ------
    PermissionDenied
        Without permission ``plan``.
    InputError
        For an item not in `PLAN_ITEMS`.
    NotFound
        For an unknown recruitment.
    """
    store.actor.require("plan")
    unknown = set(ticks) - set(PLAN_ITEMS)
    if unknown:
        raise InputError(f"unknown planning items {sorted(unknown)}; expected {PLAN_ITEMS}")
    with store.transaction() as db:
        rec = _recruitment(db, recruitment)
        old = {item: bool((rec.plan or {}).get(item, False)) for item in PLAN_ITEMS}
        new = {**old, **{k: bool(v) for k, v in ticks.items()}}
        changed = {k: v for k, v in new.items() if old[k] != v}
        if changed:
            rec.plan = new  # a new dict, so the JSON column sees the change
            db.add(AuditEvent(actor=store.actor.name, role=store.actor.role, action="plan",
                              target=recruitment, detail=changed))
    return new


def set_max_finalists(store: "Store", recruitment: str, n: int) -> None:
    """How many finalists ``recruitment`` may have before the process check warns
    (see `Store.set_recruitment_setting` for what it raises)."""
    store.set_recruitment_setting(recruitment, "max_finalists", n)


def invitation_text(lang: str = "nb") -> str:
    """The paragraph a recruiter copies into the letter to finalists: what a reverse interview
    is, why it is held (the article's purposes), how long it takes, and that it is an offer."""
    purposes = "\n".join(f"• {t(f'plan.purpose.{i}', lang)}" for i in range(1, 6))
    return t("plan.invitation", lang, purposes=purposes,
             candidate=f"{RECOMMENDED_MINUTES[0]:.0f}–{RECOMMENDED_MINUTES[1]:.0f}",
             manager=f"{MANAGER_MINUTES[0]:.0f}–{MANAGER_MINUTES[1]:.0f}")
