"""The process check (each rule on data built to pass, to fail and to be unknown), the planning
checklist, what the data shows about each of its items, and the invitation's stored details."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest
from sqlalchemy import select

from analysis import (
    EVIDENCE_STATUSES,
    INVITATION_DETAILS,
    ITEM_RULES,
    PLAN_ITEMS,
    RULES,
    CheckLine,
    checklist_evidence,
    invitation_details,
    plan_state,
    process_check,
    recruitment_check,
    set_invitation_details,
    set_max_finalists,
    set_plan,
)
from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.i18n import t
from analysis.store.auth import Actor
from analysis.store.models import AuditEvent

DAY = dt.date(2026, 3, 4)
SECOND = dt.date(2026, 3, 10)


def _sessions(n: int = 3, **overrides) -> pd.DataFrame:
    """``n`` held sessions that follow every rule; ``overrides`` maps column -> list of values."""
    frame = pd.DataFrame({
        "session_id": [f"S{i}" for i in range(1, n + 1)],
        "recruitment": "R",
        "candidate": [f"C{i}" for i in range(1, n + 1)],
        "date": [DAY] * n,
        "start": [dt.time(9 + 2 * i, 0) for i in range(n)],
        "end": [dt.time(9 + 2 * i, 35) for i in range(n)],
        "manager_minutes": [25.0] * n,
        "status": ["held"] * n,
        "second_interview": [SECOND] * n,
        "revealed_at": [None] * n,
    })
    for column, values in overrides.items():
        frame[column] = values
    return frame


def _ratings(sessions: pd.DataFrame, when: dt.datetime | None = dt.datetime(2026, 3, 4, 15),
             per_session: int = 2) -> pd.DataFrame:
    return pd.DataFrame([{"session_id": s, "rater": f"r{i}", "role": "manager" if i == 0 else
                          "observer", "submitted": when}
                         for s in sessions["session_id"] for i in range(per_session)])


def _check(sessions, ratings=None, **settings) -> dict[str, CheckLine]:
    ratings = _ratings(sessions) if ratings is None else ratings
    lines = process_check(sessions, ratings, settings or None)
    assert [line.rule for line in lines] == list(RULES)
    return {line.rule: line for line in lines}


def test_everything_passes_on_data_that_follows_the_method():
    lines = _check(_sessions())
    assert {rule: line.status for rule, line in lines.items()} == dict.fromkeys(RULES, "pass")
    assert lines["same_day"].text("en") == "Every held session was on 04.03.2026 (3)."
    assert lines["finalists"].text("nb") == "3 finalister (høyst 3)."


def test_every_line_reads_in_both_languages():
    cases = [_sessions(), _sessions(4, date=[DAY, DAY, SECOND, None]),
             _sessions(0), _sessions(2, status=["declined", "declined"])]
    for sessions in cases:
        for line in process_check(sessions, _ratings(sessions), {}):
            for lang in ("nb", "en"):
                assert line.rule_text(lang) and line.text(lang) and line.status_text(lang)
                assert "{" not in line.text(lang)


def test_finalists_rule():
    assert _check(_sessions(4))["finalists"].status == "warning"
    assert _check(_sessions(4))["finalists"].params == {"n": 4, "max": 3}
    assert _check(_sessions(4), max_finalists=4)["finalists"].status == "pass"
    assert _check(_sessions(2))["finalists"].status == "pass"
    assert _check(_sessions(0))["finalists"].status == "unknown"


def test_declines_rule():
    declined = _sessions(3, status=["held", "declined", "held"],
                         start=[dt.time(9), None, dt.time(13)],
                         end=[dt.time(9, 35), None, dt.time(13, 35)])
    ratings = _ratings(declined[declined["status"] == "held"])
    line = _check(declined, ratings)["declines"]
    assert line.status == "pass" and line.params == {"declined": 1, "n": 3}
    assert "1 of 3" in line.text("en")
    # a declined session with times or ratings contradicts itself
    timed = _sessions(2, status=["held", "declined"])
    assert _check(timed, _ratings(timed.iloc[:1]))["declines"].status == "warning"
    rated = _sessions(2, status=["held", "declined"], start=[dt.time(9), None],
                      end=[dt.time(9, 35), None])
    line = _check(rated)["declines"]
    assert line.status == "warning" and line.params == {"sessions": "S2"}
    assert _check(_sessions(2, status=["held", None]))["declines"].status == "unknown"


def test_same_day_rule():
    line = _check(_sessions(3, date=[DAY, DAY, DAY + dt.timedelta(days=1)]))["same_day"]
    assert line.status == "warning" and line.params["dates"] == "04.03.2026, 05.03.2026"
    # a declined finalist on another day does not count
    declined = _sessions(3, date=[DAY, DAY, SECOND], status=["held", "held", "declined"],
                         start=[dt.time(9), dt.time(11), None], end=[dt.time(9, 35),
                                                                     dt.time(11, 35), None])
    assert _check(declined)["same_day"].status == "pass"
    assert _check(_sessions(2, date=[DAY, None]))["same_day"].status == "unknown"
    assert _check(_sessions(1, status=["declined"], start=[None], end=[None]),
                  _ratings(_sessions(0)))["same_day"].status == "unknown"


def test_candidate_time_rule():
    assert _check(_sessions(2, end=[dt.time(9, 30), dt.time(11, 40)]))[
        "candidate_time"].status == "pass"  # the bounds are inclusive
    line = _check(_sessions(2, end=[dt.time(9, 25), dt.time(11, 35)]))["candidate_time"]
    assert line.status == "warning" and line.params["sessions"] == "S1 (25 min)"
    line = _check(_sessions(2, end=[dt.time(9, 50), None]))["candidate_time"]
    assert line.status == "warning" and line.more[0][0] == "minutes_missing"
    assert _check(_sessions(2, end=[dt.time(9, 35), None]))["candidate_time"].status == "unknown"


def test_manager_time_rule():
    assert _check(_sessions(2, manager_minutes=[20, 30]))["manager_time"].status == "pass"
    line = _check(_sessions(2, manager_minutes=[15, 25]))["manager_time"]
    assert line.status == "warning" and line.params["sessions"] == "S1 (15 min)"
    assert _check(_sessions(2, manager_minutes=[45, 25]))["manager_time"].status == "warning"
    assert _check(_sessions(2, manager_minutes=[None, 25]))["manager_time"].status == "unknown"


def test_ratings_before_second_interview_rule():
    sessions = _sessions(2)
    late = _ratings(sessions, dt.datetime(2026, 3, 11, 9))
    line = _check(sessions, late)["ratings_before_second"]
    assert line.status == "warning" and line.reason == "ratings_after_second"
    missing = _ratings(sessions).iloc[:3]  # S2 has one of two
    line = _check(sessions, missing)["ratings_before_second"]
    assert line.status == "warning" and line.params == {"sessions": "S2 (1/2)"}
    assert _check(sessions, missing, required_raters=1)["ratings_before_second"].status == "pass"
    no_date = _sessions(2, second_interview=[None, SECOND])
    line = _check(no_date)["ratings_before_second"]
    assert line.status == "unknown" and line.params == {"sessions": "S1"}
    assert _check(sessions, _ratings(sessions, None))["ratings_before_second"].status == \
        "unknown"
    same_day = _ratings(sessions, dt.datetime(2026, 3, 10, 8))
    assert _check(sessions, same_day)["ratings_before_second"].reason == \
        "ratings_same_day_as_second"


def test_ratings_blind_rule():
    sessions = _sessions(1)
    base = dt.datetime(2026, 3, 4, 12)
    # the third rating came in after the first two had opened the session
    three = pd.DataFrame({"session_id": "S1", "rater": ["a", "b", "c"],
                          "submitted": [base, base + dt.timedelta(hours=1),
                                        base + dt.timedelta(hours=3)]})
    line = _check(sessions, three)["ratings_blind"]
    assert line.status == "warning" and line.params == {"sessions": "S1"}
    assert _check(sessions, three, required_raters=3)["ratings_blind"].status == "pass"
    # a rating handed in after the recruiter revealed the first one
    revealed = _sessions(1, revealed_at=[base + dt.timedelta(minutes=30)])
    two = three.iloc[:2]
    assert _check(revealed, two)["ratings_blind"].status == "warning"
    assert _check(_sessions(1, revealed_at=[base + dt.timedelta(hours=2)]), two)[
        "ratings_blind"].status == "pass"
    assert _check(sessions, two.assign(submitted=[base, None]))["ratings_blind"].status == \
        "unknown"
    no_ratings = _ratings(sessions).iloc[:0]
    assert _check(sessions, no_ratings)["ratings_blind"].reason == "no_ratings"


def test_second_interview_after_rule():
    line = _check(_sessions(2, second_interview=[DAY - dt.timedelta(days=1), SECOND]))[
        "second_after"]
    assert line.status == "warning" and line.params == {"sessions": "S1"}
    assert _check(_sessions(2, second_interview=[DAY, SECOND]))["second_after"].reason == \
        "second_same_day"
    assert _check(_sessions(2, second_interview=[None, SECOND]))["second_after"].status == \
        "unknown"


def test_recruitment_check_from_the_store(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    lines = {line.rule: line for line in recruitment_check(sqlite_store,
                                                              "Driftssjef Bergen")}
    assert lines["finalists"].params == {"n": 2, "max": 3}
    assert lines["declines"].params == {"declined": 1, "n": 2}
    assert lines["second_after"].status == "unknown"  # the minimal workbook has no such date
    with pytest.raises(NotFound):
        recruitment_check(sqlite_store, "Ukjent")
    # a viewer gets the same check: it needs who handed in and when, never the scores
    viewer = sqlite_store.as_actor(Actor("vera", "viewer"))
    assert [line.status for line in recruitment_check(viewer, "Driftssjef Bergen")] == [
        line.status for line in lines.values()]


# ------------------------------------------------------------------------------------------------
# Planning


def test_plan_is_stored_per_recruitment(store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    name = "Driftssjef Bergen"
    assert plan_state(store, name) == dict.fromkeys(PLAN_ITEMS, False)
    recruiter = store.as_actor(Actor("rita", "recruiter"))
    set_plan(recruiter, name, {"room": True, "offered": True})
    new = set_plan(recruiter, name, {"offered": False, "same_day": True})
    assert new == plan_state(store.as_actor(Actor("vera", "viewer")), name)
    assert {k for k, v in new.items() if v} == {"room", "same_day"}
    with pytest.raises(PermissionDenied):
        set_plan(store.as_actor(Actor("per", "rater")), name, {"room": False})
    with pytest.raises(InputError, match="coffee"):
        set_plan(store, name, {"coffee": True})
    with pytest.raises(NotFound):
        plan_state(store, "Ukjent")
    with store.engine.connect() as conn:
        details = list(conn.scalars(select(AuditEvent.detail).where(AuditEvent.action == "plan")))
    assert details == [{"room": True, "offered": True}, {"offered": False, "same_day": True}]


def test_max_finalists_setting(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    name = "Driftssjef Bergen"
    set_max_finalists(sqlite_store, name, 1)
    assert recruitment_check(sqlite_store, name)[0].status == "warning"
    with pytest.raises(PermissionDenied):
        set_max_finalists(sqlite_store.as_actor(Actor("per", "rater")), name, 3)
    with pytest.raises(InputError):
        set_max_finalists(sqlite_store, name, 0)


def test_plan_items_in_both_languages():
    for lang in ("nb", "en"):
        assert all(t(f"plan.item.{item}", lang) for item in PLAN_ITEMS)


# ------------------------------------------------------------------------------------------------
# What the data shows about the checklist


def test_every_checklist_item_is_mapped_to_known_rules():
    assert tuple(ITEM_RULES) == PLAN_ITEMS
    assert {r for rules in ITEM_RULES.values() for r in rules} <= set(RULES)


def test_data_that_follows_the_method_shows_the_data_items_as_met():
    evidence = checklist_evidence(process_check(_sessions(), _ratings(_sessions()), {}))
    assert {item: e.status for item, e in evidence.items()} == {
        "offered": "met", "finalists_only": "met", "invitation": "not_in_data",
        "room": "not_in_data", "time": "met", "same_day": "met", "independent_notes": "met",
        "manager_agreed": "not_in_data", "second_interview_opening": "not_in_data"}
    # which data: the rule and its reason
    assert evidence["same_day"].text("en") == (
        "All reverse interviews on the same day: Every held session was on 04.03.2026 (3).")
    assert [line.rule for line in evidence["time"].lines] == ["candidate_time", "manager_time"]
    assert evidence["room"].text("nb") == "" and not evidence["room"].lines


def test_a_warning_marks_the_item_not_met_and_says_why():
    # the third finalist on another day; one session's manager part too long
    sessions = _sessions(date=[DAY, DAY, SECOND - dt.timedelta(days=1)],
                         manager_minutes=[25.0, 45.0, 25.0])
    evidence = checklist_evidence(process_check(sessions, _ratings(sessions), {}))
    assert evidence["same_day"].status == "not_met"
    assert "09.03.2026" in evidence["same_day"].text("nb")
    assert evidence["time"].status == "not_met"
    assert "S2 (45 min)" in evidence["time"].text("en")
    assert evidence["finalists_only"].status == "met"


def test_missing_data_marks_the_item_unknown_and_one_warning_outweighs_it():
    sessions = _sessions(manager_minutes=[25.0, None, 25.0])
    evidence = checklist_evidence(process_check(sessions, _ratings(sessions), {}))
    assert evidence["time"].status == "unknown"
    # no ratings at all: not known whether notes were kept apart; one rater only: not met
    unrated = checklist_evidence(process_check(sessions, _ratings(sessions, per_session=0), {}))
    assert unrated["independent_notes"].status == "not_met"  # 0 of 2 handed in is a warning
    one = checklist_evidence(process_check(sessions, _ratings(sessions, per_session=1), {}))
    assert one["independent_notes"].status == "not_met"
    assert "S1 (1/2)" in one["independent_notes"].text("en")
    empty = checklist_evidence(process_check(_sessions(0), _ratings(_sessions(0)), {}))
    assert {e.status for item, e in empty.items() if ITEM_RULES[item]} == {"unknown"}


def test_the_users_tick_is_kept_apart_from_the_data():
    sessions = _sessions(4)
    evidence = checklist_evidence(process_check(sessions, _ratings(sessions), {}))
    assert evidence["finalists_only"].status == "not_met"
    assert evidence["finalists_only"].disagrees_with(True)
    assert not evidence["finalists_only"].disagrees_with(False)
    assert not evidence["room"].disagrees_with(True)  # the data cannot say otherwise


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_evidence_reads_in_both_languages(lang):
    for status in EVIDENCE_STATUSES:
        assert t(f"plan.evidence.{status}", lang)


# ------------------------------------------------------------------------------------------------
# The invitation's details


def test_invitation_details_are_stored_audited_and_leave_the_ticks_alone(store, make_upload,
                                                                           labeller):
    store.import_upload(make_upload(), labeller)
    name = "Driftssjef Bergen"
    assert invitation_details(store, name) == dict.fromkeys(INVITATION_DETAILS, "")
    recruiter = store.as_actor(Actor("rita", "recruiter"))
    set_plan(recruiter, name, {"room": True})
    new = set_invitation_details(recruiter, name, {"place": " Bryggen 3,\n møterom  Fløyen "})
    assert new["place"] == "Bryggen 3, møterom Fløyen"  # one line, as a letter quotes it
    set_invitation_details(recruiter, name, {"sender": "Rita Rekrutterer"})
    set_plan(recruiter, name, {"offered": True})
    assert invitation_details(store.as_actor(Actor("vera", "viewer")), name) == {
        "role": "", "place": "Bryggen 3, møterom Fløyen", "sender": "Rita Rekrutterer"}
    assert {k for k, v in plan_state(store, name).items() if v} == {"room", "offered"}
    with pytest.raises(PermissionDenied):
        set_invitation_details(store.as_actor(Actor("per", "rater")), name, {"place": "x"})
    with pytest.raises(InputError, match="phone"):
        set_invitation_details(store, name, {"phone": "123"})
    with pytest.raises(InputError, match="longer"):
        set_invitation_details(store, name, {"place": "x" * 301})
    with pytest.raises(NotFound):
        invitation_details(store, "Ukjent")
    with store.engine.connect() as conn:
        details = list(conn.scalars(select(AuditEvent.detail).where(
            AuditEvent.action == "plan_invitation")))
    # which fields changed, never what was written
    assert details == [{"fields": "place"}, {"fields": "sender"}]
