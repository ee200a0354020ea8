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
from dataclasses import dataclass
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
from analysis.text import identifier, strip_controls
from analysis.workbook.schema import ID_LENGTH, RATER_ROLES
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


def _key(name: object) -> str:
    """A person's name as ratings are matched: `analysis.text.identifier`, case-folded."""
    return identifier(str(name or "")).casefold()


def _own_names(store: "Store") -> set[str]:
    """The names a rating by the actor may carry: the user name and the account's display name
    (matched as `_key`)."""
    names = {_key(store.actor.name)}
    display = _display_name(store)
    if display:
        names.add(_key(display))
    return names


def _display_name(store: "Store") -> str | None:
    with store.engine.connect() as conn:
        return conn.scalar(select(Account.display_name)
                           .where(func.lower(Account.username) == store.actor.name.lower()))


def rater_name(store: "Store") -> str:
    """The name the actor's ratings carry: the account's display name (as raters are named in
    the workbook, e.g. "Per Leder"), else the user name."""
    return identifier(_display_name(store) or "") or store.actor.name


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


@dataclass(frozen=True)
class RatingsSnapshot:
    """Every rating and every session's state as read at one moment: what `visible_ratings`
    filters for each person. It holds closed sessions' scores and everyone's notes, so it is
    never shown as it is; a server may keep one per store version and filter it per person
    (25 people in team mode then read the ratings once, not 25 times)."""

    states: pd.DataFrame
    raw: pd.DataFrame


def ratings_snapshot(store: "Store", session_id: str | None = None) -> RatingsSnapshot:
    """The ratings and session states `visible_ratings` filters (see `RatingsSnapshot`).

    Raises
    ------
    PermissionDenied
        When the role may not read the store.
    NotFound
        When ``session_id`` is given and unknown.
    """
    store.actor.require("read")
    return RatingsSnapshot(session_states(store, session_id), _all_ratings(store, session_id))


def visible_ratings(store: "Store", session_id: str | None = None,
                    snapshot: RatingsSnapshot | None = None) -> pd.DataFrame:
    """The ratings the store's actor may see.

    A closed session shows the actor's own rating only (whatever the role); an open one shows every
    rating. Notes of others are blank unless the role may ``read_notes``.

    Parameters
    ----------
    store : Store
    session_id : str, optional
        One session's workbook id; default every session.
    snapshot : RatingsSnapshot, optional
        `ratings_snapshot` of the same sessions, read earlier at the store's current version;
        default: read now.

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
    snapshot = snapshot or ratings_snapshot(store, session_id)
    states, raw = snapshot.states, snapshot.raw
    own = raw["rater"].map(_key).isin(_own_names(store))
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


#: Why a session cannot be rated by the actor (translation keys ``ratings.refused.<code>``).
REFUSALS = ("declined", "erased", "unassigned", "unrecorded")


def rating_rights(store: "Store", session_id: str | None = None) -> pd.DataFrame:
    """Who may rate: per session, whether the store's actor may hand in a rating and in which
    roles. The rule `submit_rating` enforces, for the Ratings page to say before anyone tries.

    - A declined or erased session is rated by nobody.
    - Staff (recruiters, admins) may type in anyone's rating of any other session (a rating
      handed in on paper); they can reveal a session anyway.
    - A rater rates as themselves only. When the session has assignments, only the raters
      assigned to it may rate it, in either role. When it has none, only a rater the session
      records: its manager (the Sessions sheet's ``manager``, as ``manager``) or a rater whose
      rating of it is already in (in that rating's role). Nobody else can hand in a throwaway
      rating that opens a session and shows them the others' scores.

    Returns
    -------
    DataFrame
        ``session_id, status, erased, may_rate, roles, reason``: ``roles`` a tuple of the roles
        the actor may rate in, ``reason`` one of `REFUSALS` when ``may_rate`` is False.

    Raises
    ------
    NotFound
        When ``session_id`` is given and unknown.
    """
    store.actor.require("read")
    with store.engine.connect() as conn:
        frame = _rights(conn, store, _own_names(store), session_id)
    if session_id is not None and frame.empty:
        raise NotFound(f"session {session_id}")
    return frame


def _rights(conn, store: "Store", own: set[str], session_id: str | None) -> pd.DataFrame:
    """`rating_rights` read through ``conn`` (a connection, or the writing transaction)."""
    where = [] if session_id is None else [Session.key == session_id]
    sessions = conn.execute(select(Session.key, Session.status, Session.erased_at,
                                   Session.manager).where(*where).order_by(Session.key)).all()
    assigned: dict[str, set[str]] = {}
    for key, user in conn.execute(select(Assignment.session_key, Assignment.username).where(
            *([] if session_id is None else [Assignment.session_key == session_id]))):
        assigned.setdefault(key, set()).add(_key(user))
    recorded: dict[str, set[str | None]] = {}
    for key, rater, role in conn.execute(
            select(Session.key, Rating.rater, Rating.role).select_from(Rating)
            .join(Session, Rating.session_id == Session.id).where(*where)):
        if _key(rater) in own:
            recorded.setdefault(key, set()).add(role)
    staff = store.actor.role != "rater"
    me = _key(store.actor.name)
    rows = []
    for key, status, erased, manager in sessions:
        roles: tuple[str, ...] = ()
        if status == "declined":
            reason = "declined"
        elif erased is not None:
            reason = "erased"
        elif staff:
            reason, roles = None, RATER_ROLES
        elif key in assigned:
            reason, roles = (None, RATER_ROLES) if me in assigned[key] else ("unassigned", ())
        else:
            allowed = set()
            if manager and _key(manager) in own:
                allowed.add("manager")
            for role in recorded.get(key, ()):
                allowed |= set(RATER_ROLES) if role is None else {role}
            roles = tuple(r for r in RATER_ROLES if r in allowed)
            reason = None if roles else "unrecorded"
        rows.append((key, status, erased is not None, reason is None, roles, reason))
    return pd.DataFrame(rows, columns=["session_id", "status", "erased", "may_rate", "roles",
                                       "reason"])


def submit_rating(store: "Store", session_id: str, rater: str, role: str,
                  scores: Mapping[str, object], note: str | None = None) -> None:
    """Hand in (or, while the session is closed, change) one rater's rating of a session.

    Who may rate which session, in which role, is `rating_rights`; this enforces it.

    Parameters
    ----------
    store : Store
    session_id : str
        The session's workbook id.
    rater : str
        Who rates (kept as `analysis.text.identifier`). An actor with the ``rater`` role rates as
        themselves only (their user name or display name); the rating carries `rater_name`.
    role : str
        ``manager`` or ``observer``; there is no default.
    scores : mapping
        All five criteria (`analysis.workbook.schema.SCORES`), whole numbers 1–5.
    note : str, optional

    Raises
    ------
    PermissionDenied
        Without permission ``rate``; ``rate_for_others`` when a rater rates for someone else;
        ``rate_<reason>`` (see `REFUSALS`) when the session may not be rated by the actor, and
        ``rate_role`` in a role the actor does not have in it.
    InputError
        For a bad role, a missing or out-of-range score or an empty rater name.
    RatingLocked
        When the rater's existing rating is already visible to others (the session is open).
    NotFound
        For an unknown session.
    """
    actor = store.actor
    actor.require("rate")
    rater = identifier(rater or "")
    if not rater:
        raise InputError("the rater's name is required")
    if len(rater) > ID_LENGTH:
        raise InputError(f"the rater's name is longer than {ID_LENGTH} characters")
    if role not in RATER_ROLES:
        raise InputError(f"unknown role {role!r}; expected one of {RATER_ROLES}")
    clean = _check_scores(scores)
    note = strip_controls(note or "").strip() or None
    own = _own_names(store)
    if actor.role == "rater":
        if _key(rater) not in own:
            raise PermissionDenied("rate_for_others", actor.role)
        rater = rater_name(store)
    names = own if actor.role == "rater" else {_key(rater)}
    state = session_states(store, session_id).iloc[0]
    with store.transaction() as db:
        session = _session_row(db, session_id)
        right = _rights(db, store, names, session_id).iloc[0]
        if not right["may_rate"]:
            raise PermissionDenied(f"rate_{right['reason']}", actor.role)
        if role not in right["roles"]:
            raise PermissionDenied("rate_role", actor.role)
        existing = next((r for r in db.scalars(select(Rating).where(
            Rating.session_id == session.id)) if _key(r.rater) in names), None)
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
        store._audit(db, "rate", session_id, rater=existing.rater, role=role)


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
