"""Staying signed in (team mode, local accounts): a reload, a bookmark or a new tab keeps the
sign-in; signing out ends it on every device.

The sign-in is a signed, expiring token (`analysis.store.tokens`) kept in the cookie `COOKIE`.
Streamlit lets a script read the request's cookies (``st.context.cookies``, as the page was
loaded) but not set one, so the cookie is written by a two-line script through
``st.html(..., unsafe_allow_javascript=True)``: no component, no third-party code, and nothing
from a user in it (the token is base64url). The cookie is ``SameSite=Strict``, ``Secure`` over
HTTPS, and expires with the token; being script-set it cannot be ``HttpOnly`` — the reason the
token is signed, short-lived and revoked on the server at sign-out. An identity provider's
sign-in (``st.login``) keeps its own cookie and does not use this one.
"""
from __future__ import annotations

import re

import streamlit as st

from analysis import Actor, Store, config

#: The cookie's name.
COOKIE = "omvendt_session"
_TOKEN = "signin_token"      # session_state: this session's token
_PENDING = "signin_cookie"   # session_state: a cookie to write on the next render
_SAFE = re.compile(r"[A-Za-z0-9_.-]*")


def _secret() -> str | None:
    """``[omvendt] session_secret`` or ``[auth] cookie_secret`` from secrets.toml, if any
    (``OMVENDT_SESSION_SECRET`` and the store's own secret are the library's fallbacks)."""
    from ui.auth import _secrets_section

    return (_secrets_section("omvendt").get("session_secret")
            or _secrets_section("auth").get("cookie_secret") or None)


def request_token() -> str | None:
    """The token the browser sent when this session's page was loaded."""
    try:
        return st.context.cookies.get(COOKIE)
    except Exception:  # no browser behind the session (bare mode)
        return None


def restore(store: Store) -> Actor | None:
    """The account the browser's cookie signs in, or None (see `analysis.actor_for_token`)."""
    from analysis import actor_for_token

    token = request_token()
    actor = actor_for_token(store, token, _secret()) if token else None
    if actor is not None:
        st.session_state[_TOKEN] = token
    return actor


def still_valid(store: Store) -> bool:
    """Whether this session's token still signs in (not expired, not revoked by a sign-out on
    another device or a new password); True for a session without one (an identity provider)."""
    from analysis import actor_for_token

    token = st.session_state.get(_TOKEN)
    return token is None or actor_for_token(store, token, _secret()) is not None


def remember(actor: Actor) -> None:
    """Issue a token for ``actor``, just signed in; the cookie is written on the next render."""
    from analysis import issue_token

    token = issue_token(Store(config.database_url(), actor), actor, _secret())
    st.session_state[_TOKEN] = token
    st.session_state[_PENDING] = token


def forget(actor: Actor | None) -> None:
    """Sign out: the account's tokens are revoked on the server and the cookie is cleared."""
    from analysis import revoke_tokens

    token = st.session_state.pop(_TOKEN, None)
    if actor is not None and token is not None:
        revoke_tokens(Store(config.database_url(), actor), actor.name)
    st.session_state[_PENDING] = ""


def write_cookie() -> None:
    """Write (or clear) the cookie in the browser if a sign-in or sign-out asked for it."""
    token = st.session_state.pop(_PENDING, None)
    if token is None:
        return
    if not _SAFE.fullmatch(token):  # never anything but base64url in the script
        return
    max_age = 3600 * config.SESSION_HOURS if token else 0
    st.html(f"<script>document.cookie = '{COOKIE}={token}; Max-Age={max_age}; Path=/; "
            "SameSite=Strict' + (location.protocol === 'https:' ? '; Secure' : '');</script>",
            unsafe_allow_javascript=True)
