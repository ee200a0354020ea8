"""The store: SQLAlchemy over embedded SQLite (default) or PostgreSQL, behind one `Store` class.

Every public method checks the acting user's role first (`Actor.require`). Reads return pandas
frames; writes are single transactions that bump the store's version, which the app uses as its
cache key. The other modules of `analysis.store` (ratings, accounts, privacy, planning, audit)
build on the store's public plumbing, `Store.transaction` and `Store.frame`; only they write the
audit trail, through the store-private `Store._audit` (in a transaction) and `Store._record`.

About 610 lines, over the ~500 a module aims at: the import (`import_validated` and its bulk
helpers) is one all-or-nothing transaction and reads best in one place with the reads it mirrors.
If it grows further, the frame reads (`sessions`, `questions`, `feedback`, `frame`) are the part
to move to a module of their own.
"""
from __future__ import annotations

import functools
import hashlib
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterator, Protocol, Sequence

import numpy as np
import pandas as pd
from sqlalchemy import Engine, create_engine, delete, event, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from analysis import config
from analysis.errors import InputError, NotFound, WorkbookError
from analysis.store.auth import LOCAL, Actor
from analysis.store.models import (
    AuditEvent,
    Base,
    Correction,
    Feedback,
    ImportLog,
    Meta,
    Question,
    Rating,
    Recruitment,
    Session,
    utcnow,
)
from analysis.text import export_text
from analysis.workbook.reading import Upload, validate_upload
from analysis.workbook.schema import FITS, Validated

_CHUNK = 500


class Labeller(Protocol):
    """What the store needs from the fit model: labels with confidences, and a version."""

    version: str

    def label(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]: ...


@dataclass
class ImportResult:
    """What an import changed."""

    file: str
    counts: dict[str, int]
    new_sessions: list[str] = field(default_factory=list)
    replaced_sessions: list[str] = field(default_factory=list)
    unchanged_sessions: list[str] = field(default_factory=list)
    #: "session: rater" pairs whose app-entered rating was kept over the workbook's row
    kept_app_ratings: list[str] = field(default_factory=list)
    warnings: list = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.new_sessions or self.replaced_sessions or self.counts.get("feedback"))


_ENGINES: dict[str, Engine] = {}


def engine_for(url: str) -> Engine:
    """One engine per URL per process, with the schema created."""
    if url not in _ENGINES:
        kwargs: dict = {}
        if url.startswith("sqlite"):
            kwargs["connect_args"] = {"check_same_thread": False, "timeout": 30}
        engine = create_engine(url, **kwargs)
        if url.startswith("sqlite"):
            @event.listens_for(engine, "connect")
            def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
                cur = dbapi_conn.cursor()
                cur.execute("PRAGMA foreign_keys=ON")
                cur.execute("PRAGMA journal_mode=WAL")
                # deleted and overwritten content is zeroed, so an erased name leaves the file
                cur.execute("PRAGMA secure_delete=ON")
                cur.close()
        Base.metadata.create_all(engine)
        _ENGINES[url] = engine
    return _ENGINES[url]


def _none(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with every missing value as None (what the database driver wants)."""
    obj = frame.astype(object)
    return obj.where(pd.notna(obj), None).to_dict("records")


def _plain_column(series: pd.Series) -> list:
    """A column as Python values with None for missing (numpy scalars are not driver types)."""
    if pd.api.types.is_numeric_dtype(series.dtype):
        values = series.astype("float64" if series.dtype.kind == "f" else object).tolist()
        if series.dtype.kind == "f":
            return [None if v != v else v for v in values]
        return [None if v is pd.NA or v is None else int(v) for v in values]
    return [None if v is None or v is pd.NA or (isinstance(v, float) and v != v) else v
            for v in series.tolist()]


def _insert_plain(db: OrmSession, table, frame: pd.DataFrame) -> None:
    """Insert many rows of plain values (text and numbers only) through the driver's own
    executemany: for 50,000 questions this is several times faster than compiling each row."""
    conn = db.connection()
    cols = [c for c in frame.columns if c in table.c]
    quote = conn.dialect.identifier_preparer.quote
    mark = "?" if conn.dialect.paramstyle == "qmark" else "%s"
    sql = (f"INSERT INTO {quote(table.name)} ({', '.join(quote(c) for c in cols)}) "
           f"VALUES ({', '.join([mark] * len(cols))})")
    rows = list(zip(*(_plain_column(frame[c]) for c in cols)))
    conn.exec_driver_sql(sql, rows)


def _row_hashes(frame: pd.DataFrame, columns: list[str]) -> pd.Series:
    return pd.util.hash_pandas_object(frame[columns].astype(str), index=False)


def _retry_on_conflict(method):
    """Run a write again when a concurrent writer got there first.

    Two users may create the same recruitment, or correct the same question, at the same moment;
    on PostgreSQL the later transaction then fails on a unique key. It was rolled back whole, so
    running it again (now seeing the other's committed rows) loses nothing.
    """
    @functools.wraps(method)
    def wrapper(*args, **kwargs):
        for attempt in range(_CONFLICT_RETRIES):
            try:
                return method(*args, **kwargs)
            except IntegrityError:
                if attempt == _CONFLICT_RETRIES - 1:
                    raise
                time.sleep(0.05 * (attempt + 1))
    return wrapper


_CONFLICT_RETRIES = 4


class Store:
    """The store, as seen by one actor.

    Parameters
    ----------
    url : str, optional
        SQLAlchemy URL; default `config.database_url()`.
    actor : Actor
        Who is calling; defaults to the local single user (admin).
    """

    def __init__(self, url: str | None = None, actor: Actor = LOCAL) -> None:
        self.url = url or config.database_url()
        self.actor = actor
        self.engine = engine_for(self.url)

    def as_actor(self, actor: Actor) -> "Store":
        """The same store seen by another actor."""
        return Store(self.url, actor)

    # -- plumbing ------------------------------------------------------------------------------

    @contextmanager
    def _tx(self) -> Iterator[OrmSession]:
        """One transaction that bumps the version; rolled back whole on any error."""
        with OrmSession(self.engine) as db, db.begin():
            yield db
            self._bump(db)

    @staticmethod
    def _bump(db: OrmSession) -> None:
        updated = db.execute(update(Meta).where(Meta.key == "version")
                             .values(value=Meta.value + 1)).rowcount
        if not updated:
            db.add(Meta(key="version", value=1))

    def _audit(self, db: OrmSession, action: str, target: str | None = None,
               **detail: object) -> None:
        """An audit event in ``db``'s transaction. Private on purpose: only the store's own
        actions write the audit trail (there is no public way to write an arbitrary event)."""
        db.add(AuditEvent(actor=export_text(self.actor.name)[:200], role=self.actor.role,
                          action=action, detail=detail,
                          target=None if target is None else export_text(str(target))[:300]))

    def _record(self, action: str, target: str | None = None, **detail: object) -> None:
        """An audit event in a transaction of its own, for the library's own actions that write
        no data (an export, a refusal). Private: see `_audit`."""
        with OrmSession(self.engine) as db, db.begin():
            self._audit(db, action, target, **detail)

    @contextmanager
    def transaction(self) -> Iterator[OrmSession]:
        """A write transaction for the other modules of `analysis` (ratings, privacy, accounts):
        all or nothing, and it bumps the store's version."""
        with self._tx() as db:
            yield db

    def version(self) -> int:
        """A number that grows with every write: the key for cached reads."""
        with self.engine.connect() as conn:
            return conn.scalar(select(Meta.value).where(Meta.key == "version")) or 0

    def frame(self, stmt, plain: bool = False) -> pd.DataFrame:
        """The rows of a SELECT as a frame (the one database read of the store's modules; the
        caller has checked the actor's role).

        ``plain``: every column is an integer, float or text, which the database driver already
        returns as Python values, so its rows are taken as the driver gives them. SQLAlchemy's
        row objects cost more than the query itself for 46,000 questions (0.43 -> 0.2 s on a
        first read). Dates and times must not be ``plain``: SQLite returns them as text."""
        with self.engine.connect() as conn:
            result = conn.execute(stmt)
            columns = list(result.keys())
            if plain:
                rows = result.cursor.fetchall()
                result.close()
                return pd.DataFrame(rows, columns=columns)
            # plain tuples: pandas probes every SQLAlchemy Row for namedtuple fields (2x slower)
            return pd.DataFrame([tuple(row) for row in result.fetchall()], columns=columns)

    # -- reading -------------------------------------------------------------------------------

    def summary(self) -> dict[str, int]:
        """How many recruitments, sessions, questions, ratings and feedback answers are stored."""
        self.actor.require("read")
        with self.engine.connect() as conn:
            return {name: conn.scalar(select(func.count()).select_from(model)) or 0
                    for name, model in (("recruitments", Recruitment), ("sessions", Session),
                                        ("questions", Question), ("ratings", Rating),
                                        ("feedback", Feedback))}

    def recruitments(self) -> pd.DataFrame:
        """Recruitments with their settings."""
        self.actor.require("read")
        return self.frame(select(Recruitment.id, Recruitment.name, Recruitment.required_raters,
                                  Recruitment.max_finalists).order_by(Recruitment.name))

    def sessions(self) -> pd.DataFrame:
        """One row per session, with its recruitment's name."""
        self.actor.require("read")
        frame = self.frame(
            select(Session.id, Session.key.label("session_id"),
                   Recruitment.name.label("recruitment"), Session.candidate, Session.date,
                   Session.start, Session.end, Session.manager_minutes, Session.status,
                   Session.second_interview, Session.manager, Session.revealed_at,
                   Session.erased_at, Recruitment.required_raters)
            .join(Recruitment).order_by(Recruitment.name, Session.date, Session.start,
                                        Session.key))
        return frame

    def questions(self) -> pd.DataFrame:
        """Every question with its effective fit: a correction, else the workbook's, else the
        model's; ``fit_source`` says which, ``fit_confidence`` is 1.0 for a person's label."""
        self.actor.require("read_questions")
        frame = self.frame(
            select(Question.id, Session.key.label("session_id"), Question.seq, Question.minute,
                   Question.text.label("question"), Question.follow_up_to, Question.fit_workbook,
                   Question.fit_model, Question.fit_confidence.label("model_confidence"),
                   Question.model_version, Correction.fit.label("fit_correction"))
            .join(Session, Question.session_id == Session.id)
            .outerjoin(Correction, (Correction.session_key == Session.key)
                       & (Correction.seq == Question.seq) & (Correction.text == Question.text))
            .order_by(Session.key, Question.seq), plain=True)
        return with_effective_fit(frame)

    def ratings(self) -> pd.DataFrame:
        """The ratings this actor may see: blind until a session's ratings are all in or revealed
        (see `analysis.store.ratings.visible_ratings`; there is deliberately no unfiltered read)."""
        from analysis.store.ratings import (
            visible_ratings,  # it imports the models; avoid a cycle
        )

        return visible_ratings(self)

    def feedback(self) -> pd.DataFrame:
        """Candidate feedback answers with their recruitment (and session when not anonymous)."""
        self.actor.require("read")
        return self.frame(
            select(Feedback.id, Recruitment.name.label("recruitment"),
                   Session.key.label("session_id"), Feedback.submitted, Feedback.experience,
                   Feedback.learned, Feedback.fairness, Feedback.recommend, Feedback.comment)
            .join(Recruitment, Feedback.recruitment_id == Recruitment.id)
            .outerjoin(Session, Feedback.session_id == Session.id)
            .order_by(Recruitment.name, Feedback.submitted))

    def import_log(self) -> pd.DataFrame:
        self.actor.require("read")
        return self.frame(select(ImportLog).order_by(ImportLog.at.desc()))

    # -- importing -----------------------------------------------------------------------------

    def validate(self, upload: Upload) -> Validated:
        """Validate a workbook against the format and what the store already holds."""
        self.actor.require("import")
        with self.engine.connect() as conn:
            known = set(conn.scalars(select(Recruitment.name)))
        return validate_upload(upload, known)

    def import_upload(self, upload: Upload, labeller: Labeller | None = None) -> ImportResult:
        """Validate and import one workbook, all or nothing.

        Raises
        ------
        WorkbookError
            When the workbook has errors; nothing is written.
        FileRejected
            When the file is not a safe, readable workbook; nothing is written.
        """
        validated = self.validate(upload)
        if not validated.ok:
            raise WorkbookError(validated.problems)
        return self.import_validated(validated, upload.sha256, labeller)

    @_retry_on_conflict
    def import_validated(self, validated: Validated, sha256: str = "",
                         labeller: Labeller | None = None) -> ImportResult:
        """Write a validated workbook in one transaction (see `import_upload`)."""
        self.actor.require("import")
        if not validated.ok:
            raise WorkbookError(validated.problems)
        frames = validated.frames
        sessions = frames["sessions"]
        questions = frames["questions"]
        ratings = frames.get("ratings")
        feedback = frames.get("feedback")
        fingerprints = _session_fingerprints(sessions, questions, ratings)
        result = ImportResult(validated.file, counts={}, warnings=validated.warnings)

        with self._tx() as db:
            recruitment_ids = self._ensure_recruitments(
                db, set(sessions["recruitment"]) | (
                    set(feedback["recruitment"]) if feedback is not None else set()))
            existing = {}
            keys = list(sessions["session_id"])
            for i in range(0, len(keys), _CHUNK):
                for sid, key, fp, erased in db.execute(
                        select(Session.id, Session.key, Session.fingerprint, Session.erased_at)
                        .where(Session.key.in_(keys[i:i + _CHUNK]))):
                    existing[key] = (sid, fp, erased)
            # an erased candidate's data never comes back through a re-import (GDPR)
            changed = [k for k in keys if k not in existing or (
                existing[k][1] != fingerprints[k] and existing[k][2] is None)]
            result.new_sessions = [k for k in changed if k not in existing]
            result.replaced_sessions = [k for k in changed if k in existing]
            result.unchanged_sessions = [k for k in keys if k not in changed]
            replaced_ids = [existing[k][0] for k in result.replaced_sessions]
            for i in range(0, len(replaced_ids), _CHUNK):
                part = replaced_ids[i:i + _CHUNK]
                db.execute(delete(Question).where(Question.session_id.in_(part)))
                db.execute(delete(Rating).where(Rating.session_id.in_(part),
                                                Rating.source == "workbook"))

            rows = sessions[sessions["session_id"].isin(changed)].copy()
            rows["recruitment_id"] = rows["recruitment"].map(recruitment_ids)
            rows["fingerprint"] = rows["session_id"].map(fingerprints)
            rows = rows.rename(columns={"session_id": "key"}).drop(columns=["recruitment", "_row"])
            records = _none(rows)
            ids: dict[str, int] = {k: existing[k][0] for k in existing}
            new = [r for r in records if r["key"] not in existing]
            if new:
                # a plain executemany, then one keyed read: RETURNING over thousands of rows
                # costs SQLAlchemy more than both together
                db.connection().execute(Session.__table__.insert(), new)
                new_keys = [r["key"] for r in new]
                for i in range(0, len(new_keys), _CHUNK):
                    ids.update(db.execute(select(Session.key, Session.id).where(
                        Session.key.in_(new_keys[i:i + _CHUNK]))).all())
            for r in records:
                if r["key"] in existing:
                    db.execute(update(Session).where(Session.id == ids[r["key"]])
                               .values({k: v for k, v in r.items() if k != "key"}))

            q = questions[questions["session_id"].isin(changed)]
            if len(q):
                q = q.assign(session_id=q["session_id"].map(ids)).rename(
                    columns={"question": "text", "fit": "fit_workbook"}).drop(columns=["_row"])
                if labeller is not None:
                    # each distinct text once (a quarter of a synthetic store's are repeats)
                    codes, texts = pd.factorize(q["text"])
                    labels, conf = labeller.label(list(texts))
                    q = q.assign(fit_model=np.asarray(labels, dtype=object)[codes],
                                 fit_confidence=np.round(np.asarray(conf)[codes], 4),
                                 model_version=labeller.version)
                _insert_plain(db, Question.__table__, q)
            result.counts["questions"] = len(q)

            n_ratings = 0
            if ratings is not None and len(ratings):
                r = ratings[ratings["session_id"].isin(changed)]
                if len(r):
                    # a rating a rater entered in the app is never overwritten by a workbook:
                    # the workbook's row for that rater and session is kept out and reported
                    app_rated = set()
                    for i in range(0, len(replaced_ids), _CHUNK):
                        app_rated |= {(key, rater.casefold()) for key, rater in db.execute(
                            select(Session.key, Rating.rater).join(Session)
                            .where(Rating.session_id.in_(replaced_ids[i:i + _CHUNK])))}
                    kept = [(k, rater.casefold()) in app_rated
                            for k, rater in zip(r["session_id"], r["rater"])]
                    result.kept_app_ratings = [f"{k}: {rater}" for (k, rater), keep in zip(
                        zip(r["session_id"], r["rater"]), kept) if keep]
                    r = r[[not keep for keep in kept]]
                    r = r.assign(session_id=r["session_id"].map(ids), source="workbook").drop(
                        columns=["_row"])
                    if len(r):
                        db.connection().execute(Rating.__table__.insert(), _none(r))
                    n_ratings = len(r)
            result.counts["ratings"] = n_ratings

            n_feedback = 0
            if feedback is not None and len(feedback):
                f = feedback.copy()
                cols = ["recruitment", "session_id", "submitted", "experience", "learned",
                        "fairness", "recommend", "comment"]
                base = _row_hashes(f, cols).astype(str)
                occurrence = base.groupby(base).cumcount().astype(str)
                f["fingerprint"] = [hashlib.sha256(f"{b}:{o}".encode()).hexdigest()
                                    for b, o in zip(base, occurrence)]
                have = set()
                fps = list(f["fingerprint"])
                for i in range(0, len(fps), _CHUNK):
                    have |= set(db.scalars(select(Feedback.fingerprint)
                                           .where(Feedback.fingerprint.in_(fps[i:i + _CHUNK]))))
                f = f[~f["fingerprint"].isin(have)]
                if len(f):
                    f = f.assign(recruitment_id=f["recruitment"].map(recruitment_ids),
                                 session_id=f["session_id"].map(ids)).drop(
                        columns=["recruitment", "_row"])
                    db.connection().execute(Feedback.__table__.insert(), _none(f))
                n_feedback = len(f)
            result.counts["feedback"] = n_feedback
            result.counts["sessions"] = len(changed)
            result.counts["recruitments"] = len(set(sessions.loc[
                sessions["session_id"].isin(changed), "recruitment"]))
            db.add(ImportLog(user=self.actor.name[:200], sha256=sha256, counts=result.counts,
                             file_name=export_text(validated.file)[:500],
                             replaced=result.replaced_sessions))
            self._audit(db, "import", validated.file, sha256=sha256, counts=result.counts,
                        replaced=len(result.replaced_sessions))
        return result

    @staticmethod
    def _ensure_recruitments(db: OrmSession, names: set[str]) -> dict[str, int]:
        names = sorted(n for n in names if isinstance(n, str))
        have: dict[str, int] = {}
        for i in range(0, len(names), _CHUNK):
            have.update(db.execute(select(Recruitment.name, Recruitment.id)
                                   .where(Recruitment.name.in_(names[i:i + _CHUNK]))).all())
        new = [{"name": n, "plan": {}, "required_raters": 2, "max_finalists": 3,
                "created_at": utcnow()} for n in names if n not in have]
        if new:
            db.execute(Recruitment.__table__.insert(), new)
            for i in range(0, len(new), _CHUNK):
                have.update(db.execute(select(Recruitment.name, Recruitment.id).where(
                    Recruitment.name.in_([r["name"] for r in new[i:i + _CHUNK]]))).all())
        return have

    #: Per-recruitment settings a recruiter may change, with their allowed range.
    SETTINGS = {"required_raters": (1, 20), "max_finalists": (1, 20)}

    def set_recruitment_setting(self, recruitment: str, setting: str, value: int) -> None:
        """Change one of a recruitment's `SETTINGS` (audited).

        Raises
        ------
        PermissionDenied
            Without permission ``configure_recruitment``.
        InputError
            For an unknown setting or a value that is not a whole number in its range.
        NotFound
            For an unknown recruitment.
        """
        self.actor.require("configure_recruitment")
        if setting not in self.SETTINGS:
            raise InputError(f"unknown setting {setting!r}; expected one of {list(self.SETTINGS)}")
        lo, hi = self.SETTINGS[setting]
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or not (
                lo <= value <= hi):
            raise InputError(f"{setting.replace('_', ' ')} must be a whole number "
                             f"{lo}–{hi}, not {value!r}")
        with self._tx() as db:
            rec = db.scalar(select(Recruitment).where(Recruitment.name == recruitment))
            if rec is None:
                raise NotFound(f"recruitment {recruitment}")
            old = getattr(rec, setting)
            setattr(rec, setting, int(value))
            self._audit(db, f"set_{setting}", recruitment, old=old, new=int(value))

    # -- labels --------------------------------------------------------------------------------

    @_retry_on_conflict
    def correct(self, question_id: int, fit: str) -> None:
        """Store a person's fit label for a question; it overrides the model and the workbook."""
        self.actor.require("correct")
        if fit not in FITS:
            raise InputError(f"unknown fit {fit!r}; expected one of {FITS}")
        with self._tx() as db:
            row = db.execute(select(Session.key, Question.seq, Question.text)
                             .join(Session, Question.session_id == Session.id)
                             .where(Question.id == question_id)).first()
            if row is None:
                raise NotFound(f"question {question_id}")
            existing = db.scalar(select(Correction).where(Correction.session_key == row.key,
                                                          Correction.seq == row.seq))
            if existing is None:
                db.add(Correction(session_key=row.key, seq=row.seq, text=row.text, fit=fit,
                                  corrected_by=self.actor.name))
            else:
                existing.fit, existing.text = fit, row.text
                existing.corrected_by, existing.corrected_at = self.actor.name, utcnow()
            self._audit(db, "correct_label", f"{row.key}#{row.seq}", fit=fit)

    def corrections(self) -> pd.DataFrame:
        """Every correction made in the app (the texts feed retraining)."""
        self.actor.require("read_questions")
        # an erased session's corrections keep only a placeholder text: no use for retraining
        return self.frame(select(Correction.session_key, Correction.seq, Correction.text,
                                  Correction.fit, Correction.corrected_by,
                                  Correction.corrected_at)
                           .outerjoin(Session, Session.key == Correction.session_key)
                           .where(Session.erased_at.is_(None)))

    def relabel(self, labeller: Labeller) -> int:
        """Label every question again with ``labeller``; returns how many model labels changed.
        A person's label (workbook or correction) is never touched: it sits in its own column."""
        self.actor.require("retrain")
        with self._tx() as db:
            rows = db.execute(select(Question.id, Question.text, Question.fit_model)).all()
            if not rows:
                return 0
            labels, conf = labeller.label([r.text for r in rows])
            changed = sum(1 for r, new in zip(rows, labels) if r.fit_model != new)
            db.execute(update(Question), [
                {"id": r.id, "fit_model": str(lab), "fit_confidence": round(float(c), 4),
                 "model_version": labeller.version}
                for r, lab, c in zip(rows, labels, conf)])
            self._audit(db, "retrain", labeller.version, changed=changed, total=len(rows))
        return changed

    def unlabelled_texts(self) -> list[str]:
        with self.engine.connect() as conn:
            return list(conn.scalars(select(Question.text).where(Question.fit_model.is_(None))))

    def label_missing(self, labeller: Labeller) -> int:
        """Label questions that arrived without a model label (e.g. imported with no model)."""
        self.actor.require("import")
        with self._tx() as db:
            rows = db.execute(select(Question.id, Question.text)
                              .where(Question.fit_model.is_(None))).all()
            if rows:
                labels, conf = labeller.label([r.text for r in rows])
                db.execute(update(Question), [
                    {"id": r.id, "fit_model": str(lab), "fit_confidence": round(float(c), 4),
                     "model_version": labeller.version}
                    for r, lab, c in zip(rows, labels, conf)])
        return len(rows)


def with_effective_fit(frame: pd.DataFrame) -> pd.DataFrame:
    """Add ``fit``, ``fit_source`` and ``fit_confidence``: a correction wins over the workbook's
    label, which wins over the model's."""
    fit = frame["fit_correction"].where(frame["fit_correction"].notna(), frame["fit_workbook"])
    fit = fit.where(fit.notna(), frame["fit_model"])
    source = np.select([frame["fit_correction"].notna(), frame["fit_workbook"].notna(),
                        frame["fit_model"].notna()], ["correction", "workbook", "model"],
                       default="")
    confidence = frame["model_confidence"].where(source == "model", 1.0)
    return frame.assign(fit=fit, fit_source=source,
                        fit_confidence=confidence.where(source != "", np.nan))


def _session_fingerprints(sessions: pd.DataFrame, questions: pd.DataFrame,
                          ratings: pd.DataFrame | None) -> dict[str, str]:
    """A hash per session over its own row, its questions and its ratings."""
    def per_session(frame: pd.DataFrame) -> dict[str, int]:
        # XOR of the row hashes of each session: independent of row order, one numpy pass
        cols = [c for c in frame.columns if c != "_row"]
        keys = frame["session_id"].to_numpy(dtype=object)
        hashes = _row_hashes(frame, cols).to_numpy()
        order = np.argsort(keys.astype(str), kind="stable")
        keys, hashes = keys[order], hashes[order]
        starts = np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]) if len(keys) else []
        if not len(starts):
            return {}
        return dict(zip(keys[starts], np.bitwise_xor.reduceat(hashes, starts).tolist()))

    parts = [per_session(sessions), per_session(questions)]
    if ratings is not None and len(ratings):
        parts.append(per_session(ratings))
    out = {}
    for key in sessions["session_id"]:
        raw = ":".join(str(p.get(key, 0)) for p in parts)
        out[key] = hashlib.sha256(raw.encode()).hexdigest()
    return out
