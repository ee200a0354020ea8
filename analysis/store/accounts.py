"""Local accounts for team mode without an identity provider, and rater assignments.

Passwords are hashed with Argon2id (argon2-cffi). After `MAX_FAILURES` wrong passwords in a row an
account is locked for `LOCK_MINUTES`; every sign-in, failure and lockout is written to the audit
trail. With an identity provider (``st.login``), `actor_for_email` maps the signed-in e-mail
address to an account's role instead.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from contextlib import contextmanager
from typing import Iterator

import pandas as pd
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session as OrmSession

from analysis.errors import NotFound, OmvendtError
from analysis.store.audit import TrustError, guard
from analysis.store.auth import LOCAL, ROLES, Actor
from analysis.store.models import Account, Assignment, Session, utcnow
from analysis.store.tokens import revoke_in
from analysis.text import identifier

#: Wrong passwords in a row before an account is locked.
MAX_FAILURES = 5
#: How long a locked account stays locked.
LOCK_MINUTES = 15
#: Shortest password accepted.
MIN_PASSWORD_LENGTH = 10

_HASHER = PasswordHasher()
# Verified against when the user name is unknown, so a wrong name takes as long as a wrong
# password and sign-in timing does not reveal which accounts exist.
_DUMMY_HASH = _HASHER.hash("omvendt-no-such-account")


class SignInFailed(OmvendtError):
    """Sign-in refused. ``code`` is ``bad_credentials`` or ``locked`` (translation key
    ``trust.signin.<code>``); the message never says whether the user name exists."""

    def __init__(self, code: str, minutes: int = 0) -> None:
        self.code = code
        self.minutes = minutes
        super().__init__(code)


def _check_username(username: str) -> str:
    name = identifier(username or "")
    if not name or len(name) > 200 or any(ch.isspace() for ch in name):
        raise TrustError("bad_username")
    return name


def _check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD_LENGTH:
        raise TrustError("short_password", n=MIN_PASSWORD_LENGTH)


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise TrustError("bad_role", role=role)


def create_account(store, username: str, password: str | None, role: str,
                   display_name: str | None = None) -> None:
    """Create a local account (admin only).

    ``password`` may be None for an account that signs in through the identity provider only;
    its ``username`` is then the e-mail address the provider reports.

    Raises
    ------
    PermissionDenied
        Unless the actor is an admin.
    TrustError
        For a taken or malformed user name, a short password or an unknown role.
    """
    guard(store, "accounts")
    _create(store, username, password, role, display_name)


def _create(store, username: str, password: str | None, role: str,
            display_name: str | None) -> None:
    name = _check_username(username)
    _check_role(role)
    if password is not None:
        _check_password(password)
    with store.transaction() as db:
        taken = db.scalar(select(func.count()).select_from(Account)
                          .where(func.lower(Account.username) == name.lower()))
        if taken:
            raise TrustError("taken", username=name)
        display_name = identifier(display_name or "")[:300] or None
        db.add(Account(username=name, display_name=display_name,
                       password_hash=_HASHER.hash(password) if password is not None else None,
                       role=role, failed_logins=0, active=True))
        store._audit(db, "account_create", name, role=role)


def create_first_admin(store, username: str, password: str) -> None:
    """Create the first admin account; refused once an active admin exists.

    Needs no signed-in user: it is what ``python -m analysis create-admin`` runs on the server.

    Raises
    ------
    TrustError
        When an active admin account exists already, or for bad input.
    """
    with store.engine.connect() as conn:
        admins = conn.scalar(select(func.count()).select_from(Account)
                             .where(Account.role == "admin", Account.active.is_(True)))
    if admins:
        raise TrustError("admin_exists")
    _create(store.as_actor(LOCAL), username, password, "admin", None)


def authenticate(store, username: str, password: str) -> Actor:
    """Check a user name and password; return the account's `Actor`.

    The failure count is kept atomically on SQLite and PostgreSQL alike: the password is checked
    outside any transaction (Argon2 is slow), then one conditional ``UPDATE`` either counts the
    failure (``failed_logins + 1``, read back in the same statement) or signs in, and each only
    while the account is not locked. Concurrent guesses therefore count one by one, the lock falls
    on exactly the `MAX_FAILURES`-th failure, and a right password that arrives after it is refused.

    Raises
    ------
    SignInFailed
        ``bad_credentials`` for an unknown user, a wrong password or a deactivated account;
        ``locked`` while the account is locked after `MAX_FAILURES` failures.
    """
    name = _sign_in_name(username)
    with store.engine.connect() as conn:
        account = conn.execute(select(
            Account.id, Account.username, Account.role, Account.active, Account.password_hash,
            Account.locked_until).where(func.lower(Account.username) == name.lower())).first()
    if account is None or not account.active or account.password_hash is None:
        _verify(_DUMMY_HASH, password or "")
        # an unknown name is logged as a hash: people type their password there by mistake
        target = account.username if account is not None else _name_hash(name)
        with _quiet_tx(store) as db:
            _event(store, db, "sign_in_failed", target, reason="unknown_or_inactive")
        raise SignInFailed("bad_credentials")
    if _locked_minutes(account.locked_until):
        return _refuse_locked(store, account.id, account.username)
    right = _verify(account.password_hash, password or "")
    now = utcnow()
    table = Account.__table__
    unlocked = (table.c.locked_until.is_(None)) | (table.c.locked_until <= now)
    with _quiet_tx(store) as db:
        conn = db.connection()
        if right:
            values: dict = {"failed_logins": 0, "locked_until": None}
            if _HASHER.check_needs_rehash(account.password_hash):
                values["password_hash"] = _HASHER.hash(password)
            # the password must still be the one checked, and the account active and unlocked
            counted = conn.execute(update(table).where(
                table.c.id == account.id, table.c.active.is_(True), unlocked,
                table.c.password_hash == account.password_hash).values(**values)).rowcount
            if counted:
                actor = Actor(account.username, account.role)
                _event(store, db, "sign_in", account.username, as_actor=actor)
        else:
            counted = conn.execute(update(table).where(table.c.id == account.id, unlocked)
                                   .values(failed_logins=table.c.failed_logins + 1)
                                   .returning(table.c.failed_logins)).scalar()
            if counted is not None:
                detail: dict = {"failures": int(counted)}
                if counted >= MAX_FAILURES:
                    conn.execute(update(table).where(table.c.id == account.id).values(
                        locked_until=now + dt.timedelta(minutes=LOCK_MINUTES), failed_logins=0))
                    detail["locked_minutes"] = LOCK_MINUTES
                _event(store, db, "sign_in_failed", account.username, **detail)
    # raised after the transaction committed, so the failure count and the audit event stay
    if right and counted:
        return actor
    if not right and counted is not None:
        raise SignInFailed("bad_credentials")
    # the account was locked, deactivated or given a new password while the password was checked
    return _refuse_locked(store, account.id, account.username)


def _locked_minutes(locked_until: dt.datetime | None) -> int:
    """Minutes a lock has left (at least 1), or 0 when the account is not locked."""
    now = utcnow()
    if locked_until is None or locked_until <= now:
        return 0
    return max(1, int((locked_until - now).total_seconds() // 60) + 1)


def _refuse_locked(store, account_id: int, username: str):
    """Refuse a sign-in to a locked account (audited); ``bad_credentials`` when the account turns
    out not to be locked but deactivated or given a new password meanwhile."""
    with store.engine.connect() as conn:
        minutes = _locked_minutes(conn.scalar(select(Account.locked_until)
                                              .where(Account.id == account_id)))
    with _quiet_tx(store) as db:
        if minutes:
            _event(store, db, "sign_in_refused", username, reason="locked")
        else:
            _event(store, db, "sign_in_failed", username, reason="changed")
    raise SignInFailed("locked", minutes) if minutes else SignInFailed("bad_credentials")


def _sign_in_name(username: str) -> str:
    # the user name as accounts keep it: no control or zero-width characters (a NUL in the
    # form must be a failed sign-in, not a PostgreSQL error)
    return identifier(username or "")[:200]


def _name_hash(name: str) -> str:
    return "?" + hashlib.sha256(name.lower().encode()).hexdigest()[:12]


@contextmanager
def _quiet_tx(store) -> Iterator[OrmSession]:
    """A transaction that leaves the store's version alone: a sign-in changes no data the pages
    cache, so it should not make every user's cached reads stale."""
    with OrmSession(store.engine) as db, db.begin():
        yield db


def _verify(hashed: str, password: str) -> bool:
    try:
        return _HASHER.verify(hashed, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def _event(store, db, action: str, target: str, as_actor: Actor | None = None,
           **detail: object) -> None:
    """An audit event in ``db``'s transaction, attributed to the person signing in."""
    who = as_actor or Actor(target or "?", "viewer")
    store.as_actor(who)._audit(db, action, target, **detail)


def actor_for_email(store, email: str | None) -> Actor | None:
    """The `Actor` of the active account whose user name is ``email`` (identity-provider
    sign-in), or None when there is none; the sign-in is audited either way."""
    email = identifier(email or "")[:200]
    if not email:
        return None
    with _quiet_tx(store) as db:
        account = db.scalar(select(Account).where(
            func.lower(Account.username) == email.lower()))
        if account is None or not account.active:
            _event(store, db, "sign_in_refused", email, reason="no_account")
            return None
        actor = Actor(account.username, account.role)
        _event(store, db, "sign_in", account.username, as_actor=actor, provider="oidc")
        return actor


def accounts(store) -> pd.DataFrame:
    """Every account (never the password hash): user name, name, role, active, locked until."""
    guard(store, "accounts")
    return store.frame(select(Account.username, Account.display_name, Account.role,
                               Account.active, Account.failed_logins, Account.locked_until,
                               Account.created_at).order_by(Account.username))


def _account(db, username: str) -> Account:
    account = db.scalar(select(Account).where(func.lower(Account.username)
                                              == identifier(username or "").lower()))
    if account is None:
        raise NotFound(f"account {username}")
    return account


def _other_active_admins(db, username: str) -> int:
    return db.scalar(select(func.count()).select_from(Account).where(
        Account.role == "admin", Account.active.is_(True),
        func.lower(Account.username) != username.lower())) or 0


def set_role(store, username: str, role: str) -> None:
    """Change an account's role (admin only); the last active admin keeps the admin role."""
    guard(store, "accounts")
    _check_role(role)
    with store.transaction() as db:
        account = _account(db, username)
        if account.role == "admin" and role != "admin" and not _other_active_admins(
                db, account.username):
            raise TrustError("last_admin")
        old, account.role = account.role, role
        store._audit(db, "account_role", account.username, old=old, new=role)


def set_active(store, username: str, active: bool) -> None:
    """Deactivate (or reactivate) an account (admin only); the last active admin stays."""
    guard(store, "accounts")
    with store.transaction() as db:
        account = _account(db, username)
        if not active and account.role == "admin" and not _other_active_admins(
                db, account.username):
            raise TrustError("last_admin")
        account.active = bool(active)
        if not active:
            revoke_in(db, account.username)  # signed out everywhere, not only at the next click
        store._audit(db, "account_active", account.username, active=bool(active))


def set_password(store, username: str, password: str) -> None:
    """Set a new password (admin, or the account's own user) and lift any lockout."""
    if store.actor.name.lower() != (username or "").strip().lower():
        guard(store, "accounts")
    _check_password(password)
    with store.transaction() as db:
        account = _account(db, username)
        account.password_hash = _HASHER.hash(password)
        account.failed_logins, account.locked_until = 0, None
        revoke_in(db, account.username)  # whoever had the old password is signed out
        store._audit(db, "account_password", account.username)


def unlock(store, username: str) -> None:
    """Lift a lockout now (admin only)."""
    guard(store, "accounts")
    with store.transaction() as db:
        account = _account(db, username)
        account.failed_logins, account.locked_until = 0, None
        store._audit(db, "account_unlock", account.username)


def assign(store, username: str, session_key: str) -> None:
    """Assign a rater to a session (admin only); assigning twice changes nothing."""
    guard(store, "accounts")
    with store.transaction() as db:
        account = _account(db, username)
        if db.scalar(select(Session.id).where(Session.key == session_key)) is None:
            raise NotFound(f"session {session_key}")
        have = db.scalar(select(Assignment.id).where(Assignment.username == account.username,
                                                     Assignment.session_key == session_key))
        if have is None:
            db.add(Assignment(username=account.username, session_key=session_key))
            store._audit(db, "assign", session_key, username=account.username)


def unassign(store, username: str, session_key: str) -> None:
    """Remove a rater's assignment to a session (admin only)."""
    guard(store, "accounts")
    with store.transaction() as db:
        gone = db.execute(delete(Assignment).where(
            func.lower(Assignment.username) == username.strip().lower(),
            Assignment.session_key == session_key)).rowcount
        if gone:
            store._audit(db, "unassign", session_key, username=username)


def assignments(store, username: str | None = None) -> pd.DataFrame:
    """Assignments of raters to sessions; all of them for an admin, else the actor's own."""
    if username is None or username.lower() != store.actor.name.lower():
        guard(store, "accounts")
    stmt = select(Assignment.username, Assignment.session_key).order_by(
        Assignment.username, Assignment.session_key)
    if username is not None:
        stmt = stmt.where(func.lower(Assignment.username) == username.lower())
    return store.frame(stmt)


def is_assigned(store, username: str, session_key: str) -> bool:
    """Whether ``username`` is assigned to rate ``session_key``."""
    with store.engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(Assignment).where(
            func.lower(Assignment.username) == username.lower(),
            Assignment.session_key == session_key)))


def has_accounts(store) -> bool:
    """Whether any account exists (the sign-in page says how to create the first admin)."""
    with store.engine.connect() as conn:
        return bool(conn.scalar(select(func.count()).select_from(Account)))


def current_account(store, username: str) -> Actor | None:
    """The `Actor` of an active account as it is now (its role may have changed since sign-in),
    or None when the account is gone or deactivated."""
    with store.engine.connect() as conn:
        row = conn.execute(select(Account.username, Account.role).where(
            func.lower(Account.username) == (username or "").lower(),
            Account.active.is_(True))).first()
    return Actor(row.username, row.role) if row else None
