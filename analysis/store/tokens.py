"""Signed, expiring sign-in tokens: how a team-mode user stays signed in across a reload, a
bookmark or a new tab, and how signing out ends that everywhere.

A local account's sign-in (`analysis.store.accounts.authenticate`) has no cookie of its own the way
``st.login`` has for an identity provider, so the app keeps one: `issue_token` returns a token the
browser stores as a cookie, and `actor_for_token` turns it back into the account's `Actor` on the
next page load. A token is ``<payload>.<signature>``, both base64url: the payload holds the user
name, when it was issued and when it expires (`config.SESSION_HOURS`), and the signature is an
HMAC-SHA256 over it with a server secret. Nothing in it is secret; nothing in it can be changed.

A token is good only while it has not expired, the account is active, and the account has not
signed out (or had its password changed) since it was issued: `revoke_tokens` records that moment
per account, so signing out on one device signs the account out on every device.

The secret is ``OMVENDT_SESSION_SECRET`` (or what the caller passes, e.g. from secrets.toml), else
a random one the store generates once and keeps in its settings, so every replica of a team
server shares it and a restart keeps users signed in.
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import secrets
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session as OrmSession

from analysis import config
from analysis.errors import PermissionDenied
from analysis.store.auth import Actor
from analysis.store.models import Setting

__all__ = ["issue_token", "actor_for_token", "revoke_tokens", "TOKEN_VERSION"]

TOKEN_VERSION = "v1"
_SECRET_KEY = "session_secret"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _secret(store, secret: str | bytes | None) -> bytes:
    """The signing key: the caller's, ``OMVENDT_SESSION_SECRET``, or the store's own."""
    given = secret or os.environ.get("OMVENDT_SESSION_SECRET")
    if given:
        return given.encode() if isinstance(given, str) else given
    with store.engine.connect() as conn:
        value = conn.scalar(select(Setting.value).where(Setting.key == _SECRET_KEY))
    if not value:
        try:
            with store.transaction() as db:
                db.add(Setting(key=_SECRET_KEY, value={"hex": secrets.token_hex(32)}))
        except IntegrityError:  # another replica made it first: use theirs
            pass
        with store.engine.connect() as conn:
            value = conn.scalar(select(Setting.value).where(Setting.key == _SECRET_KEY))
    return bytes.fromhex(value["hex"])


def _sign(key: bytes, payload: bytes) -> bytes:
    return hmac.new(key, TOKEN_VERSION.encode() + b"|" + payload, hashlib.sha256).digest()


def _revoked_key(username: str) -> str:
    return "signout:" + hashlib.sha256(username.casefold().encode()).hexdigest()[:40]


def issue_token(store, actor: Actor, secret: str | bytes | None = None,
                hours: float | None = None, now: float | None = None) -> str:
    """A signed token that signs ``actor`` in until it expires (`config.SESSION_HOURS`).

    Only the actor themselves may ask for it (the app does, right after `authenticate`).

    Raises
    ------
    PermissionDenied
        When ``store``'s actor is not ``actor``.
    """
    if store.actor.name != actor.name:
        raise PermissionDenied("issue_token", store.actor.role)
    issued = time.time() if now is None else now
    expires = int(issued + 3600 * (config.SESSION_HOURS if hours is None else hours))
    payload = f"{actor.name}\n{issued:.6f}\n{expires}".encode()
    return f"{_b64(payload)}.{_b64(_sign(_secret(store, secret), payload))}"


def actor_for_token(store, token: str | None, secret: str | bytes | None = None,
                    now: float | None = None) -> Actor | None:
    """The `Actor` a token signs in, with the account's role as it is now; None for a missing,
    forged, expired or revoked token, or an account that is gone or deactivated."""
    from analysis.store.accounts import current_account

    if not token or not isinstance(token, str) or token.count(".") != 1 or len(token) > 2000:
        return None
    body, signature = token.split(".")
    try:
        payload, given = _unb64(body), _unb64(signature)
        name, issued, expires = payload.decode().split("\n")
        issued_at, expires_at = float(issued), float(expires)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    if not hmac.compare_digest(given, _sign(_secret(store, secret), payload)):
        return None
    if (time.time() if now is None else now) >= expires_at:
        return None
    actor = current_account(store, name)
    if actor is None:
        return None
    with store.engine.connect() as conn:
        revoked = conn.scalar(select(Setting.value).where(Setting.key == _revoked_key(name)))
    if revoked and issued_at <= float(revoked.get("at", 0)):
        return None
    return actor


def revoke_tokens(store, username: str, now: float | None = None) -> None:
    """End every token ``username`` holds (sign-out, a new password): only tokens issued later
    sign in. The account's own user or an admin; audited as ``sign_out``.

    Raises
    ------
    PermissionDenied
        When someone else's tokens are revoked without the ``accounts`` permission.
    """
    if store.actor.name.casefold() != (username or "").casefold():
        store.actor.require("accounts")
    # a transaction that leaves the store's version alone, as a sign-in does: no cached frame
    # or figure holds sign-ins (each page run checks its token in the database), so a sign-out
    # must not make every user's figures be drawn again
    with OrmSession(store.engine) as db, db.begin():
        revoke_in(db, username, now)
        store._audit(db, "sign_out", username)


def revoke_in(db, username: str, now: float | None = None) -> None:
    """`revoke_tokens` inside a transaction of the store's own (a new password, a deactivated
    account); the caller has checked the permission and audits its own action."""
    key = _revoked_key(username)
    at = time.time() if now is None else now
    row = db.get(Setting, key)
    if row is None:
        db.add(Setting(key=key, value={"at": at}))
    else:
        row.value = {"at": at}
