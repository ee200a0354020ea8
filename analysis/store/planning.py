"""The planning checklist of a recruitment: the method's frame as items a recruiter ticks off,
stored with the recruitment and audited, and the most finalists before the process check warns.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Mapping

from sqlalchemy import select

from analysis.errors import InputError, NotFound
from analysis.store.models import Recruitment

if TYPE_CHECKING:
    from analysis.store.core import Store

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
            store._audit(db, "plan", recruitment, **changed)
    return new


def set_max_finalists(store: "Store", recruitment: str, n: int) -> None:
    """How many finalists ``recruitment`` may have before the process check warns
    (see `Store.set_recruitment_setting` for what it raises)."""
    store.set_recruitment_setting(recruitment, "max_finalists", n)
