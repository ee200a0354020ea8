"""SQLAlchemy 2 models of the store: what was imported, what people entered, and who did what."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Base(DeclarativeBase):
    pass


class Meta(Base):
    """Key/value facts about the store; ``version`` grows with every write (the cache key)."""

    __tablename__ = "meta"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[int] = mapped_column(Integer, default=0)


class Recruitment(Base):
    __tablename__ = "recruitment"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(300), unique=True)
    #: How many ratings a session needs before they are revealed (manager + one observer).
    required_raters: Mapped[int] = mapped_column(Integer, default=2)
    #: Most finalists the method allows before the process check warns.
    max_finalists: Mapped[int] = mapped_column(Integer, default=3)
    #: The planning checklist: item key -> ticked (bool).
    plan: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    sessions: Mapped[list["Session"]] = relationship(back_populates="recruitment")


class Session(Base):
    """One finalist's reverse interview."""

    __tablename__ = "session"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    key: Mapped[str] = mapped_column(String(200), unique=True)  # the workbook's session_id
    recruitment_id: Mapped[int] = mapped_column(ForeignKey("recruitment.id"), index=True)
    candidate: Mapped[str] = mapped_column(String(300))
    date: Mapped[dt.date] = mapped_column(Date)
    start: Mapped[dt.time | None] = mapped_column(Time)
    end: Mapped[dt.time | None] = mapped_column(Time)
    manager_minutes: Mapped[float | None] = mapped_column(Float)
    status: Mapped[str] = mapped_column(String(16))
    second_interview: Mapped[dt.date | None] = mapped_column(Date)
    manager: Mapped[str | None] = mapped_column(String(300))
    #: Hash of the session's rows as imported; an identical re-import changes nothing.
    fingerprint: Mapped[str | None] = mapped_column(String(64))
    revealed_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    revealed_by: Mapped[str | None] = mapped_column(String(200))
    #: Set when the candidate's personal data was erased (GDPR); figures stay.
    erased_at: Mapped[dt.datetime | None] = mapped_column(DateTime)
    recruitment: Mapped[Recruitment] = relationship(back_populates="sessions")


class Question(Base):
    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("session_id", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    seq: Mapped[int] = mapped_column(Integer)
    minute: Mapped[float | None] = mapped_column(Float)
    text: Mapped[str] = mapped_column(Text)
    follow_up_to: Mapped[int | None] = mapped_column(Integer)
    fit_workbook: Mapped[str | None] = mapped_column(String(16))
    fit_model: Mapped[str | None] = mapped_column(String(16))
    fit_confidence: Mapped[float | None] = mapped_column(Float)
    model_version: Mapped[str | None] = mapped_column(String(64))


class Correction(Base):
    """A person's fit label for a question, made in the app. Keyed by the question's session,
    seq and text so it survives a re-import of the same question."""

    __tablename__ = "correction"
    __table_args__ = (UniqueConstraint("session_key", "seq"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_key: Mapped[str] = mapped_column(String(200), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    fit: Mapped[str] = mapped_column(String(16))
    corrected_by: Mapped[str] = mapped_column(String(200))
    corrected_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Rating(Base):
    __tablename__ = "rating"
    __table_args__ = (UniqueConstraint("session_id", "rater"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("session.id", ondelete="CASCADE"))
    rater: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(16))
    submitted: Mapped[dt.datetime | None] = mapped_column(DateTime)
    role_insight: Mapped[int | None] = mapped_column(Integer)
    priorities: Mapped[int | None] = mapped_column(Integer)
    conversation: Mapped[int | None] = mapped_column(Integer)
    follow_up: Mapped[int | None] = mapped_column(Integer)
    composure: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    #: "workbook" or "app": ratings entered in the app survive a re-import.
    source: Mapped[str] = mapped_column(String(16), default="workbook")


class Feedback(Base):
    __tablename__ = "feedback"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    recruitment_id: Mapped[int] = mapped_column(ForeignKey("recruitment.id"), index=True)
    session_id: Mapped[int | None] = mapped_column(
        ForeignKey("session.id", ondelete="SET NULL"), index=True)
    submitted: Mapped[dt.date | None] = mapped_column(Date)
    experience: Mapped[int | None] = mapped_column(Integer)
    learned: Mapped[int | None] = mapped_column(Integer)
    fairness: Mapped[int | None] = mapped_column(Integer)
    recommend: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    #: Hash of the answer as imported; the same answer imported twice is stored once.
    fingerprint: Mapped[str] = mapped_column(String(64), unique=True)


class ImportLog(Base):
    __tablename__ = "import_log"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)
    user: Mapped[str] = mapped_column(String(200))
    file_name: Mapped[str] = mapped_column(String(500))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    replaced: Mapped[list] = mapped_column(JSON, default=list)


class AuditEvent(Base):
    """Append-only: who did what and when. Never updated or deleted by the application."""

    __tablename__ = "audit_event"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(64), index=True)
    target: Mapped[str | None] = mapped_column(String(300))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)


class Account(Base):
    """A local account for team mode (without an identity provider)."""

    __tablename__ = "account"
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), unique=True)
    display_name: Mapped[str | None] = mapped_column(String(300))
    password_hash: Mapped[str | None] = mapped_column(String(300))
    role: Mapped[str] = mapped_column(String(32))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[dt.datetime | None] = mapped_column(DateTime)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime, default=utcnow)


class Assignment(Base):
    """A rater assigned to rate a session."""

    __tablename__ = "assignment"
    __table_args__ = (UniqueConstraint("username", "session_key"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(200), index=True)
    session_key: Mapped[str] = mapped_column(String(200), index=True)


class Setting(Base):
    """Store-wide settings (retention months, minimum feedback answers, ...)."""

    __tablename__ = "setting"
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[dict] = mapped_column(JSON)


Index("ix_question_session", Question.session_id)
Index("ix_rating_session", Rating.session_id)


# The audit trail is append-only in the database too, not only by convention: a new store gets
# triggers that refuse UPDATE and DELETE on audit_event (analysis.store.audit, docs/SECURITY.md).
_AUDIT_APPEND_ONLY = {
    "sqlite": [
        "CREATE TRIGGER audit_event_no_update BEFORE UPDATE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
        "CREATE TRIGGER audit_event_no_delete BEFORE DELETE ON audit_event "
        "BEGIN SELECT RAISE(ABORT, 'audit_event is append-only'); END",
    ],
    "postgresql": [
        "CREATE FUNCTION audit_event_append_only() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN RAISE EXCEPTION 'audit_event is append-only'; END $$",
        "CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_event "
        "FOR EACH ROW EXECUTE FUNCTION audit_event_append_only()",
    ],
}


@event.listens_for(AuditEvent.__table__, "after_create")
def _audit_append_only(target, connection, **_kw) -> None:
    for statement in _AUDIT_APPEND_ONLY.get(connection.dialect.name, []):
        connection.exec_driver_sql(statement)
