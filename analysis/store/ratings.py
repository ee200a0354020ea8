"""Independent ratings: blind until a session's ratings are all in, then side by side.

The method asks the manager and the observer to write their own notes and scores without sharing
them until all are in. This module enforces that for every reader of the store: while a session is
*closed* (fewer ratings than its recruitment's ``required_raters`` and not revealed), nobody sees
another rater's scores or notes, whatever their role; a rater sees their own. Everyone may see who
has handed in and when (`handed_in`). A session *opens* when enough ratings are in, or when a
recruiter reveals it (`reveal`).
"""
from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Mapping

import pandas as pd
from sqlalchemy import func, select

from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.store.models import (
    Account,
    Assignment,
    Rating,
    Recruitment,
    Session,
    utcnow,
)
from analysis.workbook.schema import RATER_ROLES
from analysis.workbook.schema import SCORES

if TYPE_CHECKING:  # the store imports this module lazily; avoid the cycle at import time
    from analysis.store.core import Store


SCORE_RANGE = (1, 5)


class RatingLocked(InputError):
    """A rating cannot be changed: the session's ratings are already visible to the others.

    ``code`` is a translation key suffix (``ratings.locked.<code>``).
    """

    def __init__(self, session_id: str, code: str = "open") -> None:
        self.session_id = session_id
        self.code = code
        super().__init__(f"the ratings of session {session_id!r} are already visible ({code})")


# ------------------------------------------------------------------------------------------------
# Reading


def _own_names(store: "Store") -> set[str]:
    """The names a rating by the actor may carry: the user name and the account's display name."""
    names = {store.actor.name.casefold()}
    with store.engine.connect() as conn:
        display = conn.scalar(select(Account.display_name)
                              .where(Account.username == store.actor.name))
    if display:
        names.add(display.casefold())
    return names


def session_states(store: "Store", session_id: str | None = None) -> pd.DataFrame:
    """Per session: how many ratings are in, how many are required, and whether they are open.

    Parameters
    ----------
    store : Store
    session_id : str, optional
        One session's workbook id; default all sessions.

    Returns
    -------
    DataFrame
        ``session_id, recruitment, required_raters, handed_in, revealed_at, revealed_by,
        complete, open``; ``open`` is True when the ratings may be shown side by side.

    Raises
    ------
    NotFound
        When ``session_id`` is given and unknown.
    """
    store.actor.require("read")
    counts = (select(Rating.session_id, func.count(Rating.id).label("n"))
              .group_by(Rating.session_id).subquery())
    stmt = (select(Session.key.label("session_id"), Recruitment.name.label("recruitment"),
                   Recruitment.required_raters, func.coalesce(counts.c.n, 0).label("handed_in"),
                   Session.revealed_at, Session.revealed_by)
            .join(Recruitment, Session.recruitment_id == Recruitment.id)
            .outerjoin(counts, counts.c.session_id == Session.id)
            .order_by(Recruitment.name, Session.date, Session.key))
    if session_id is not None:
        stmt = stmt.where(Session.key == session_id)
    frame = store.frame(stmt)
    if session_id is not None and frame.empty:
        raise NotFound(f"session {session_id}")
    required = frame["required_raters"].fillna(2).astype(int)
    frame["required_raters"] = required
    frame["handed_in"] = frame["handed_in"].astype(int)
    frame["complete"] = frame["handed_in"] >= required
    frame["open"] = frame["complete"] | frame["revealed_at"].notna()
    return frame


def handed_in(store: "Store", session_id: str | None = None) -> pd.DataFrame:
    """Who has handed in a rating, in which role and when — never the scores or the note.

    Everyone who may read the store may see this, also while the session is closed.

    Returns
    -------
    DataFrame
        ``session_id, rater, role, submitted, source``.
    """
    store.actor.require("read")
    stmt = (select(Session.key.label("session_id"), Rating.rater, Rating.role, Rating.submitted,
                   Rating.source)
            .join(Session, Rating.session_id == Session.id)
            .order_by(Session.key, Rating.submitted, Rating.rater))
    if session_id is not None:
        session_states(store, session_id)  # raises NotFound for an unknown session
        stmt = stmt.where(Session.key == session_id)
    return store.frame(stmt)


def _all_ratings(store: "Store", session_id: str | None = None) -> pd.DataFrame:
    """Every rating row, unfiltered: private, callers go through `visible_ratings`."""
    stmt = (select(Rating.id, Session.key.label("session_id"), Rating.rater, Rating.role,
                   Rating.submitted, *[getattr(Rating, s) for s in SCORES], Rating.note,
                   Rating.source)
            .join(Session, Rating.session_id == Session.id).order_by(Session.key, Rating.rater))
    if session_id is not None:
        stmt = stmt.where(Session.key == session_id)
    return store.frame(stmt)


def visible_ratings(store: "Store", session_id: str | None = None) -> pd.DataFrame:
    """The ratings the store's actor may see.

    A closed session shows the actor's own rating only (whatever the role); an open one shows every
    rating. Notes of others are blank unless the role may ``read_notes``.

    Parameters
    ----------
    store : Store
    session_id : str, optional
        One session's workbook id; default every session.

    Returns
    -------
    DataFrame
        ``id, session_id, rater, role, submitted, <five scores>, note, source, own``.

    Raises
    ------
    PermissionDenied
        When the role may not read the store.
    NotFound
        When ``session_id`` is given and unknown.
    """
    store.actor.require("read")
    states = session_states(store, session_id)
    raw = _all_ratings(store, session_id)
    own = raw["rater"].astype(str).str.casefold().isin(_own_names(store))
    is_open = raw["session_id"].isin(set(states.loc[states["open"], "session_id"]))
    out = raw[(is_open | own).to_numpy()].copy()
    out["own"] = own[(is_open | own).to_numpy()].to_numpy()
    if not store.actor.can("read_notes"):
        out["note"] = out["note"].where(out["own"], None)
    for score in SCORES:
        out[score] = out[score].astype("Int64")
    return out.reset_index(drop=True)


def side_by_side(ratings: pd.DataFrame, session_id: str) -> pd.DataFrame:
    """One session's visible ratings as criteria × raters, with the spread per criterion.

    Parameters
    ----------
    ratings : DataFrame
        From `visible_ratings`.
    session_id : str

    Returns
    -------
    DataFrame
        Index: the five criteria; one column per rater; ``spread`` = highest − lowest score
        (NA when fewer than two raters scored the criterion).
    """
    rows = ratings[ratings["session_id"] == session_id]
    table = rows.set_index("rater")[list(SCORES)].T.astype("Float64")
    table.columns = [str(c) for c in table.columns]
    counts = table.notna().sum(axis=1)
    spread = (table.max(axis=1) - table.min(axis=1)).where(counts >= 2)
    table["spread"] = spread.astype("Float64")
    table.index.name = "criterion"
    return table


# ------------------------------------------------------------------------------------------------
# Writing


def _session_row(db, session_id: str) -> Session:
    row = db.scalar(select(Session).where(Session.key == session_id))
    if row is None:
        raise NotFound(f"session {session_id}")
    return row


def _check_scores(scores: Mapping[str, object]) -> dict[str, int]:
    unknown = set(scores) - set(SCORES)
    if unknown:
        raise InputError(f"unknown criteria {sorted(unknown)}; expected {SCORES}")
    out: dict[str, int] = {}
    lo, hi = SCORE_RANGE
    for name in SCORES:
        value = scores.get(name)
        if value is None or isinstance(value, bool):
            raise InputError(f"{name}: a score {lo}–{hi} is required")
        try:
            number = float(value)
        except (TypeError, ValueError) as exc:
            raise InputError(f"{name}: {value!r} is not a score {lo}–{hi}") from exc
        if not number.is_integer() or not lo <= number <= hi:
            raise InputError(f"{name}: {value!r} is not a whole score {lo}–{hi}")
        out[name] = int(number)
    return out


def submit_rating(store: "Store", session_id: str, rater: str, role: str,
                  scores: Mapping[str, object], note: str | None = None) -> None:
    """Hand in (or, while the session is closed, change) one rater's rating of a session.

    Parameters
    ----------
    store : Store
    session_id : str
        The session's workbook id.
    rater : str
        Who rates. An actor with the ``rater`` role may only rate as themselves and, when the
        session has assignments, only sessions assigned to them.
    role : str
        ``manager`` or ``observer``.
    scores : mapping
        All five criteria (`analysis.workbook.schema.SCORES`), whole numbers 1–5.
    note : str, optional

    Raises
    ------
    PermissionDenied
        Without permission ``rate``, or when a rater rates for someone else or an unassigned
        session.
    InputError
        For a bad role, a missing or out-of-range score or an empty rater name.
    RatingLocked
        When the rater's existing rating is already visible to others (the session is open).
    NotFound
        For an unknown session.
    """
    actor = store.actor
    actor.require("rate")
    rater = (rater or "").strip()
    if not rater:
        raise InputError("the rater's name is required")
    if role not in RATER_ROLES:
        raise InputError(f"unknown role {role!r}; expected one of {RATER_ROLES}")
    clean = _check_scores(scores)
    note = (note or "").strip() or None
    if actor.role == "rater" and rater.casefold() not in _own_names(store):
        raise PermissionDenied("rate_for_others", actor.role)
    state = session_states(store, session_id).iloc[0]
    with store.transaction() as db:
        session = _session_row(db, session_id)
        if actor.role == "rater":
            assigned = set(db.scalars(select(Assignment.username)
                                      .where(Assignment.session_key == session_id)))
            if assigned and actor.name not in assigned:
                raise PermissionDenied("rate_unassigned", actor.role)
        existing = db.scalar(select(Rating).where(Rating.session_id == session.id,
                                                  func.lower(Rating.rater) == rater.lower()))
        if existing is not None and (state["open"] or session.revealed_at is not None):
            # once the others can see a rating, changing it would undo its independence
            raise RatingLocked(session_id, "revealed" if session.revealed_at else "open")
        if existing is None:
            existing = Rating(session_id=session.id, rater=rater)
            db.add(existing)
        existing.role = role
        existing.submitted = utcnow()
        existing.note = note
        existing.source = "app"
        for name, value in clean.items():
            setattr(existing, name, value)
        store._audit(db, "rate", session_id, rater=rater, role=role)


def reveal(store: "Store", session_id: str) -> dt.datetime:
    """Show a session's ratings side by side before all are in (a recruiter's decision).

    Returns the time of the reveal; revealing twice keeps the first.

    Raises
    ------
    PermissionDenied
        Without permission ``reveal``.
    NotFound
        For an unknown session.
    """
    store.actor.require("reveal")
    with store.transaction() as db:
        session = _session_row(db, session_id)
        if session.revealed_at is None:
            session.revealed_at = utcnow()
            session.revealed_by = store.actor.name
            n = db.scalar(select(func.count(Rating.id)).where(Rating.session_id == session.id))
            store._audit(db, "reveal_ratings", session_id, handed_in=int(n or 0))
        return session.revealed_at


def set_required_raters(store: "Store", recruitment: str, n: int) -> None:
    """How many ratings a session of ``recruitment`` needs before they are shown
    (see `Store.set_recruitment_setting` for what it raises)."""
    store.set_recruitment_setting(recruitment, "required_raters", n)
