"""Candidate privacy: pseudonyms for showing figures without names, erasure of one candidate,
retention (erase what is past the retention period) and access requests (export all held about
one candidate)."""
from __future__ import annotations

import datetime as dt
import re
import string

import pandas as pd
from sqlalchemy import select, true, update

from analysis import config
from analysis.errors import NotFound
from analysis.i18n import t
from analysis.store.audit import TrustError, guard
from analysis.store.models import (
    Assignment,
    AuditEvent,
    Correction,
    Feedback,
    ImportLog,
    Question,
    Rating,
    Recruitment,
    Session,
    Setting,
    utcnow,
)
from analysis.workbook.schema import SCORES
from analysis.workbook.writing import workbook_bytes


def pseudonym_map(sessions: pd.DataFrame, lang: str = "nb") -> dict[str, str]:
    """Map each session_id to "Finalist A/B/C" (nb: "Finalist A/B/C"), lettered per recruitment
    in the order the sessions were held, so the same finalist keeps the same letter everywhere."""
    out: dict[str, str] = {}
    order = sessions.sort_values(["recruitment", "date", "start", "session_id"],
                                 na_position="last", key=_sortable)
    for _, group in order.groupby("recruitment", sort=False):
        for i, sid in enumerate(group["session_id"]):
            letter = string.ascii_uppercase[i % 26] + ("" if i < 26 else str(i // 26))
            out[sid] = t("privacy.finalist", lang, letter=letter)
    return out


def _sortable(col: pd.Series) -> pd.Series:
    return col.astype(str) if col.dtype == object else col


def pseudonymise(frame: pd.DataFrame, sessions: pd.DataFrame, lang: str = "nb",
                 column: str = "candidate") -> pd.DataFrame:
    """A copy of ``frame`` with ``column`` replaced by the finalist's pseudonym (needs a
    ``session_id`` column)."""
    if column not in frame or "session_id" not in frame:
        return frame
    names = pseudonym_map(sessions, lang)
    return frame.assign(**{column: frame["session_id"].map(names).fillna(frame[column])})


# --------------------------------------------------------------------------------------------
# Erasure, retention and access requests (GDPR)

#: What an erased candidate's name becomes; the session keeps its key, date and figures.
ERASED_NAME = "[erased]"
#: What an erased question's text becomes (fit, seq, minute and follow-up structure stay).
ERASED_TEXT = "[erased]"


def erase_candidate(store, session_id: str) -> dict[str, int]:
    """Erase one candidate's personal data, keeping the anonymous figures, in one transaction.

    The name and the questions' text become placeholders (each question keeps its fit labels,
    seq, minute and follow-up link, so coverage and depth figures stay), rating notes are
    deleted (scores stay), feedback answers lose their link to the session and their comment,
    the texts of label corrections for the session are replaced too, and ``erased_at`` is set.
    The candidate's full name is scrubbed (replaced by `ERASED_NAME`, whatever its case and
    spacing) from the free text of the whole recruitment: the other finalists' questions and
    notes, the anonymous feedback comments, label corrections, and import file names. On SQLite
    the freed bytes are overwritten (``secure_delete``) and the write-ahead log is emptied, so
    the name does not linger in the files either. The audit trail records that it happened and
    the counts, not what was erased.

    Returns
    -------
    dict
        How many questions, notes, feedback links and comments, corrections and other texts
        (``scrubbed``) were touched.

    Raises
    ------
    PermissionDenied
        Unless the actor is an admin.
    NotFound
        When there is no such session.
    """
    guard(store, "erase")
    with store.transaction() as db:
        counts = _erase(store, db, session_id)
        store._audit(db, "erase", session_id, **counts)
    _flush_deleted(store)
    return counts


def _erase(store, db, session_key: str) -> dict[str, int]:
    row = db.execute(select(Session.id, Session.candidate, Session.recruitment_id)
                     .where(Session.key == session_key)).first()
    if row is None:
        raise NotFound(f"session {session_key}")
    sid = row.id
    db.execute(update(Session).where(Session.id == sid)
               .values(candidate=ERASED_NAME, erased_at=utcnow()))
    questions = db.execute(update(Question).where(Question.session_id == sid)
                           .values(text=ERASED_TEXT)).rowcount
    notes = db.execute(update(Rating).where(Rating.session_id == sid, Rating.note.is_not(None))
                       .values(note=None)).rowcount
    comments = db.execute(update(Feedback).where(Feedback.session_id == sid,
                                                 Feedback.comment.is_not(None))
                          .values(comment=None)).rowcount
    feedback = db.execute(update(Feedback).where(Feedback.session_id == sid)
                          .values(session_id=None)).rowcount
    # the correction keeps its fit and matches the question's new text, so the person's label
    # still counts; `Store.corrections` leaves erased sessions out of retraining
    corrections = db.execute(update(Correction).where(Correction.session_key == session_key)
                             .values(text=ERASED_TEXT)).rowcount
    scrubbed = 0
    if row.candidate and row.candidate != ERASED_NAME:
        scrubbed = _scrub_name(db, row.candidate, row.recruitment_id)
    return {"questions": questions, "notes": notes, "feedback_links": feedback,
            "comments": comments, "corrections": corrections, "scrubbed": scrubbed}


def _name_pattern(name: str) -> re.Pattern | None:
    """The full name, case-insensitive, with any white space between its parts."""
    parts = name.split()
    if not parts or len("".join(parts)) < 3:  # too short to find safely in free text
        return None
    return re.compile(r"\s+".join(re.escape(p) for p in parts), re.IGNORECASE)


def _scrub_name(db, name: str, recruitment_id: int) -> int:
    """Replace the candidate's name in the recruitment's free text (questions, notes, feedback
    comments, correction texts of its sessions) and in import file names; returns how many texts
    changed. Done in Python: SQLite's ``lower()`` knows no letters beyond ASCII (Å, Ø)."""
    pattern = _name_pattern(name)
    if pattern is None:
        return 0
    sessions = select(Session.id).where(Session.recruitment_id == recruitment_id)
    keys = select(Session.key).where(Session.recruitment_id == recruitment_id)
    targets = [
        (Question, Question.text, Question.session_id.in_(sessions)),
        (Rating, Rating.note, Rating.session_id.in_(sessions)),
        (Feedback, Feedback.comment, Feedback.recruitment_id == recruitment_id),
        (Correction, Correction.text, Correction.session_key.in_(keys)),
        (ImportLog, ImportLog.file_name, true()),
    ]
    changed = 0
    for model, column, where in targets:
        rows = db.execute(select(model.id, column).where(where, column.is_not(None))).all()
        updates = [{"id": rid, "value": pattern.sub(ERASED_NAME, text)}
                   for rid, text in rows if pattern.search(text)]
        for item in updates:
            db.execute(update(model).where(model.id == item["id"])
                       .values({column.key: item["value"]}))
        changed += len(updates)
    return changed


def _flush_deleted(store) -> None:
    """Make erased text leave the SQLite files: the store's connections overwrite freed bytes
    (``PRAGMA secure_delete``, see `analysis.store.core.engine_for`), and the write-ahead log,
    which still holds the pages as they were, is checkpointed into the database and truncated.
    PostgreSQL keeps dead row versions until autovacuum reuses their space (docs/SECURITY.md)."""
    if store.engine.dialect.name != "sqlite":
        return
    with store.engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")


def retention_months(store) -> int:
    """The retention setting: months after a recruitment's last date before its candidates'
    personal data is erased (the store's setting, else ``OMVENDT_RETENTION_MONTHS``, 6)."""
    store.actor.require("read")
    with store.engine.connect() as conn:
        value = conn.scalar(select(Setting.value).where(Setting.key == "retention_months"))
    if isinstance(value, dict) and isinstance(value.get("months"), int):
        return value["months"]
    return config.RETENTION_MONTHS


def set_retention_months(store, months: int) -> None:
    """Change the retention setting (admin only)."""
    guard(store, "retention")
    if not isinstance(months, int) or isinstance(months, bool) or not 1 <= months <= 120:
        raise TrustError("bad_months")
    with store.transaction() as db:
        row = db.get(Setting, "retention_months")
        if row is None:
            db.add(Setting(key="retention_months", value={"months": months}))
        else:
            row.value = {"months": months}
        store._audit(db, "retention_setting", None, months=months)


def retention_due(store, months: int | None = None, today=None) -> pd.DataFrame:
    """Sessions whose personal data is past retention and not erased yet.

    A recruitment's last date is the latest session or second-interview date among its
    sessions; its sessions fall due ``months`` after it. Only dates in the plausible window
    (`analysis.workbook.schema.plausible_window`) count, so one date typed as 2100 cannot keep a
    recruitment forever; a recruitment without any counts from the day it was first imported.

    Returns
    -------
    DataFrame
        ``session_id``, ``recruitment``, ``last_date`` and ``due`` (the date it fell due).
    """
    from analysis.workbook.schema import plausible_window

    store.actor.require("read")
    months = retention_months(store) if months is None else int(months)
    today = pd.Timestamp(today or dt.date.today()).normalize()
    cols = ["session_id", "recruitment", "last_date", "due"]
    sessions = store.sessions()
    if sessions.empty:
        return pd.DataFrame(columns=cols)
    earliest, latest = (pd.Timestamp(d) for d in plausible_window(today.date()))

    def plausible(col: str) -> pd.Series:
        dates = pd.to_datetime(sessions[col])
        return dates.where((dates >= earliest) & (dates <= latest))

    dates = pd.concat([plausible("date"), plausible("second_interview")], axis=1).max(axis=1)
    last = dates.groupby(sessions["recruitment"]).transform("max")
    if last.isna().any():
        created = dict(store.frame(select(Recruitment.name, Recruitment.created_at)).itertuples(
            index=False, name=None))
        first_seen = pd.to_datetime(sessions["recruitment"].map(created)).dt.normalize()
        last = last.fillna(first_seen)
    frame = sessions.assign(last_date=last.dt.date,
                            due=(last + pd.DateOffset(months=months)).dt.date)
    due = frame[(pd.to_datetime(frame["due"]) <= today) & frame["erased_at"].isna()]
    return due[cols].reset_index(drop=True)


def apply_retention(store, months: int | None = None, today=None) -> list[str]:
    """Erase every session `retention_due` lists, in one transaction (admin only); returns
    their session keys."""
    guard(store, "retention")
    keys = list(retention_due(store, months, today)["session_id"])
    if not keys:
        return []
    with store.transaction() as db:
        for key in keys:
            counts = _erase(store, db, key)
            store._audit(db, "erase", key, reason="retention", **counts)
    _flush_deleted(store)
    return keys


def access_export(store, who: str) -> bytes:
    """Everything the store holds about one candidate, as an .xlsx (GDPR access request).

    ``who`` is a session key or the candidate's name (case-insensitive; a name may match
    several sessions). Sheets: sessions, questions, ratings (with notes), feedback, label
    corrections, rater assignments and the audit events about the sessions.

    Raises
    ------
    PermissionDenied
        Unless the actor is an admin.
    NotFound
        When no session matches.
    """
    guard(store, "access_request")
    sessions = store.sessions()
    wanted = (who or "").strip()
    match = sessions[(sessions["session_id"] == wanted)
                     | (sessions["candidate"].astype(str).str.casefold() == wanted.casefold())]
    if match.empty or not wanted:
        raise NotFound(f"no session or candidate {who!r}")
    keys = list(match["session_id"])

    def own(frame: pd.DataFrame) -> pd.DataFrame:
        return frame[frame["session_id"].isin(keys)].reset_index(drop=True)

    questions = own(store.questions())
    questions = questions[[c for c in ("session_id", "seq", "minute", "question", "follow_up_to",
                                       "fit", "fit_source") if c in questions]]
    feedback = own(store.feedback())
    corrections = store.corrections()
    corrections = corrections[corrections["session_key"].isin(keys)]
    # every rating, even of a session still blind to its raters: the candidate may see all
    ratings = store.frame(
        select(Session.key.label("session_id"), Rating.rater, Rating.role, Rating.submitted,
               *[getattr(Rating, c) for c in SCORES], Rating.note, Rating.source)
        .join(Session, Rating.session_id == Session.id).where(Session.key.in_(keys))
        .order_by(Session.key, Rating.rater))
    assigned = store.frame(select(Assignment.username, Assignment.session_key)
                            .where(Assignment.session_key.in_(keys)))
    events = store.frame(select(AuditEvent.at, AuditEvent.actor, AuditEvent.action,
                                 AuditEvent.target).where(AuditEvent.target.in_(keys))
                          .order_by(AuditEvent.at))
    sheets = {
        "sessions": match.drop(columns=["id"]).reset_index(drop=True),
        "questions": questions,
        "ratings": ratings,
        "feedback": feedback.drop(columns=["id"]),
        "corrections": corrections.reset_index(drop=True),
        "assignments": assigned,
        "audit": events,
    }
    data = workbook_bytes(sheets)
    store._record("access_export", ",".join(keys)[:300], sessions=len(keys))
    return data
