"""The planning checklist of a recruitment: the method's frame as items a recruiter ticks off,
stored with the recruitment and audited; the details of its invitation letter the data does not
hold (place, sender, the position's title); and the most finalists before the process check warns.

Both live in the recruitment's ``plan`` JSON column: the ticks under their item names, the
invitation's details under ``"invitation_details"``.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from sqlalchemy import select

from analysis.errors import InputError, NotFound
from analysis.store.models import Recruitment
from analysis.text import export_text

if TYPE_CHECKING:
    from analysis.store.core import Store

#: The planning checklist, in the order of the method's frame (the article's nine points).
PLAN_ITEMS = ("offered", "finalists_only", "invitation", "room", "time", "same_day",
              "independent_notes", "manager_agreed", "second_interview_opening")
#: What the recruiter writes for the invitation letter (`analysis.reports.invitation`).
INVITATION_DETAILS = ("role", "place", "sender")
#: The longest detail a recruiter may write (a place with directions fits).
DETAIL_LENGTH = 300
_INVITATION = "invitation_details"  # not "invitation": that is a checklist item


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
    saved = _saved_plan(store, recruitment)
    return {item: bool(saved.get(item, False)) for item in PLAN_ITEMS}


def _saved_plan(store: "Store", recruitment: str) -> dict:
    """The recruitment's stored plan (ticks and the invitation's details), for a reader."""
    store.actor.require("read")
    with store.engine.connect() as conn:
        row = conn.execute(select(Recruitment.plan).where(Recruitment.name == recruitment)).first()
    if row is None:
        raise NotFound(f"recruitment {recruitment}")
    return row[0] or {}


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
            # a new dict, so the JSON column sees the change; the invitation's details stay
            rec.plan = {**(rec.plan or {}), **new}
            store._audit(db, "plan", recruitment, **changed)
    return new


def invitation_details(store: "Store", recruitment: str) -> dict[str, str]:
    """What the recruiter wrote for ``recruitment``'s invitation letter: every field of
    `INVITATION_DETAILS`, empty when not written.

    Raises
    ------
    NotFound
        For an unknown recruitment.
    """
    saved = _saved_plan(store, recruitment).get(_INVITATION) or {}
    return {field: str(saved.get(field) or "") for field in INVITATION_DETAILS}


def set_invitation_details(store: "Store", recruitment: str,
                           details: Mapping[str, str]) -> dict[str, str]:
    """Write details of ``recruitment``'s invitation letter (fields not named keep their value;
    an empty text clears one). The audit trail records which fields changed, not their text.
    Returns the new details.

    Raises
    ------
    PermissionDenied
        Without permission ``plan``.
    InputError
        For a field not in `INVITATION_DETAILS`, or a text longer than `DETAIL_LENGTH`.
    NotFound
        For an unknown recruitment.
    """
    store.actor.require("plan")
    unknown = set(details) - set(INVITATION_DETAILS)
    if unknown:
        raise InputError(f"unknown invitation details {sorted(unknown)}; "
                         f"expected {INVITATION_DETAILS}")
    cleaned = {k: " ".join(export_text(str(v or "")).split()) for k, v in details.items()}
    too_long = sorted(k for k, v in cleaned.items() if len(v) > DETAIL_LENGTH)
    if too_long:
        raise InputError(f"invitation details {too_long} are longer than {DETAIL_LENGTH} "
                         "characters")
    with store.transaction() as db:
        rec = _recruitment(db, recruitment)
        plan = dict(rec.plan or {})
        old = {f: str((plan.get(_INVITATION) or {}).get(f) or "") for f in INVITATION_DETAILS}
        new = {**old, **cleaned}
        changed = [f for f in INVITATION_DETAILS if old[f] != new[f]]
        if changed:
            rec.plan = {**plan, _INVITATION: new}
            store._audit(db, "plan_invitation", recruitment, fields=", ".join(changed))
    return new


def set_max_finalists(store: "Store", recruitment: str, n: int) -> None:
    """How many finalists ``recruitment`` may have before the process check warns
    (see `Store.set_recruitment_setting` for what it raises)."""
    store.set_recruitment_setting(recruitment, "max_finalists", n)
