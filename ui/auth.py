"""Who is using the app and the store as they see it: team-mode sign-in and sign-out, the acting user, role checks on pages."""
from __future__ import annotations

import functools

import streamlit as st

from analysis import LOCAL, Actor, Store, config, escape_markdown
from ui import remember
from ui.language import tr


def current_actor() -> Actor:
    """The person using the app: `LOCAL` (admin) in local mode, the signed-in account in team
    mode (`sign_in_gate` has run before any page)."""
    if not team_mode():
        return LOCAL
    actor = st.session_state.get("signed_in_actor")
    if actor is None:  # a page reached without the gate (e.g. a test): sign in first
        sign_in_gate()
        actor = st.session_state["signed_in_actor"]
    return actor


def _secrets_section(name: str) -> dict:
    # read once per script run: without a secrets.toml Streamlit looks for the files again on
    # every access, under one lock all sessions share (18 % of a page view's time with 25
    # sessions at once: docs/SCALING.md); team_mode() asks several times per run
    memo = run_memo()
    if memo is not None and ("secrets", name) in memo:
        return memo[("secrets", name)]
    try:
        section = dict(st.secrets.get(name, {}))
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        section = {}
    if memo is not None:
        memo[("secrets", name)] = section
    return section


def team_mode() -> bool:
    """Team mode: ``OMVENDT_TEAM_MODE=1``, or ``[omvendt] team_mode = true`` in secrets.toml."""
    import os

    env = os.environ.get("OMVENDT_TEAM_MODE", "").strip().lower()
    if env:
        return env in ("1", "true", "yes", "on")
    return bool(_secrets_section("omvendt").get("team_mode", False))


def _sign_in_store() -> Store:
    # authenticate() needs no role; this store only reads accounts and writes audit events
    return _store(config.database_url(), "sign-in", "viewer")


def sign_in_gate() -> None:
    """In team mode, stop every page until the user has signed in: through the identity provider
    (``st.login``) when ``[auth]`` is configured in secrets.toml, else with a local account."""
    if not team_mode():
        return
    from analysis import current_account

    actor = st.session_state.get("signed_in_actor")
    if actor is not None:
        # a role changed, an account deactivated by an admin or signed out on another device
        # takes effect on the next click
        fresh = current_account(_sign_in_store(), actor.name)
        if fresh is not None and not remember.still_valid(_sign_in_store()):
            remember.forget(None)
            fresh = None
        if fresh == actor:
            return
        st.session_state.pop("signed_in_actor", None)
        if fresh is not None:
            st.session_state["signed_in_actor"] = fresh
            return
    if actor is None and not _secrets_section("auth"):
        # a reload, a bookmark or a new tab: the browser's signed cookie signs in again
        restored = remember.restore(_sign_in_store())
        if restored is not None:
            st.session_state["signed_in_actor"] = restored
            return
    # the sign-in form as the only page: no menu, and no page reachable by its URL before it
    st.navigation([st.Page(_sign_in_page, title=tr("trust.signin.title"), url_path="signin",
                           icon=":material/login:")], position="hidden").run()
    st.stop()


def _sign_in_page() -> None:
    from analysis import actor_for_email

    oidc = bool(_secrets_section("auth"))
    st.title(tr("trust.signin.title"))
    st.caption(tr("trust.signin.lead"))
    remember.write_cookie()  # cleared after a sign-out
    if oidc:
        if not st.user.is_logged_in:
            st.button(tr("trust.signin.oidc_button"), key="signin_oidc", on_click=st.login,
                      icon=":material/login:", type="primary")
            st.stop()
        actor = actor_for_email(_sign_in_store(), st.user.get("email"))
        if actor is None:
            st.error(tr("trust.signin.no_account",
                        email=escape_markdown(st.user.get("email") or "?")))
            st.button(tr("trust.signin.signout"), key="signin_oidc_out", on_click=st.logout)
            st.stop()
        st.session_state["signed_in_actor"] = actor
        st.rerun()
    _local_sign_in()


def _local_sign_in() -> None:
    from analysis import SignInFailed, authenticate, has_accounts

    if not has_accounts(_sign_in_store()):
        st.info(tr("trust.signin.no_admin"), icon=":material/info:")
    with st.form("signin_form"):
        username = st.text_input(tr("trust.signin.username"), key="signin_username")
        password = st.text_input(tr("trust.signin.password"), type="password",
                                 key="signin_password")
        submitted = st.form_submit_button(tr("trust.signin.button"), type="primary")
    if submitted:
        try:
            st.session_state["signed_in_actor"] = authenticate(_sign_in_store(), username,
                                                               password)
        except SignInFailed as exc:
            st.error(tr(f"trust.signin.{exc.code}", minutes=exc.minutes), icon=":material/lock:")
        else:
            st.session_state.pop("signin_password", None)
            remember.remember(st.session_state["signed_in_actor"])  # stays signed in on reload
            st.rerun()
    st.stop()


def sign_out() -> None:
    """Forget the signed-in user on every device (the sign-in cookie is revoked on the server
    and cleared in this browser), and end the identity provider's session."""
    remember.forget(st.session_state.pop("signed_in_actor", None))
    if _secrets_section("auth") and st.user.is_logged_in:
        st.logout()


def account_box() -> None:
    """In team mode, the sidebar says who is signed in and offers to sign out."""
    if not team_mode() or "signed_in_actor" not in st.session_state:
        return
    actor = st.session_state["signed_in_actor"]
    with st.sidebar:
        st.divider()
        from analysis import rater_name

        st.caption(tr("trust.signin.signed_in_as", name=escape_markdown(rater_name(store())),
                      role=tr(f"trust.role.{actor.role}")))
        st.button(tr("trust.signin.signout"), key="signout", on_click=sign_out,
                  icon=":material/logout:")
        remember.write_cookie()  # set after a sign-in


def require(permission: str) -> None:
    """Stop the page with a translated warning unless the user's role allows ``permission``;
    the refusal goes to the audit trail."""
    actor = current_actor()
    if actor.can(permission):
        return
    from analysis import refused

    refused(store(), permission)
    st.warning(tr("trust.refused", role=tr(f"trust.role.{actor.role}")), icon=":material/lock:")
    st.stop()


def visible_pages(pages: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The navigation's pages without those the user's role cannot open (the pages check again)."""
    needs = {"app_pages/admin.py": "accounts", "app_pages/import_data.py": "import"}
    actor = current_actor()
    return [p for p in pages if actor.can(needs.get(p[1], "read"))]


@st.cache_resource(show_spinner=False)
def _store(url: str, name: str, role: str) -> Store:
    return Store(url, Actor(name, role))


def store() -> Store:
    """The store as seen by the current actor (one per URL and actor, shared across sessions)."""
    actor = current_actor()
    key = (config.database_url(), actor.name, actor.role)
    memo = run_memo()
    if memo is None:
        return _store(*key)
    if ("store", key) not in memo:  # st.cache_resource's own lookup costs more than this
        memo[("store", key)] = _store(*key)
    return memo[("store", key)]


def run_memo() -> dict | None:
    """A dict that lives as long as the current script run (None outside one): what a page asks
    for several times in one run (the store, its version, the frames) is looked up once."""
    from streamlit.runtime.scriptrunner import get_script_run_ctx

    run = getattr(get_script_run_ctx(), "parallel_coordinator", None)  # new for every run
    return None if run is None else run.__dict__.setdefault("_omvendt_run_memo", {})


def cache_key() -> tuple:
    """What a cached read of ratings depends on: which store, who reads, and the store's version.

    Ratings are the one thing people of the same role see differently (a closed session shows
    each rater their own); everything else depends on the role only: see `shared_key`."""
    s = store()
    return (s.url, s.actor.name, s.actor.role, _version(s))


#: The name in a `shared_key`: no account can be called this (names are stripped text).
SHARED = " shared "


def shared_key() -> tuple:
    """`cache_key` without the person, and with the role only as far as it decides what the
    store's frames hold (`reader_role`): what a read or figure that holds no ratings depends on.

    In team mode 25 people then share one copy of the frames and figures per store version,
    instead of reading the store and drawing the figures once each (and evicting each other
    from the bounded caches). What a role may *do* is checked outside these caches."""
    url, _, role, version = cache_key()
    return (url, SHARED, reader_role(role), version)


#: The permissions that decide what the store's frames hold; every role with the same ones
#: reads the same frames (today all four roles do, so everyone shares one copy).
_READS = ("read", "read_names", "read_questions")


@functools.cache
def reader_role(role: str) -> str:
    """The least-privileged role that reads what ``role`` reads (`_READS`)."""
    from analysis import ROLES

    reads = {p for p in _READS if Actor(SHARED, role).can(p)}
    return next(r for r in reversed(ROLES) if {p for p in _READS if Actor(SHARED, r).can(p)}
                == reads)


#: Commits this process made, per engine: a write during a script run re-reads the version.
_COMMITS: dict[int, int] = {}


def _version(s: Store) -> int:
    """The store's version, read from the database once per script run rather than by each of
    a page's ~10 cached reads (each read cost 1-2 ms: docs/SCALING.md). A write in this process
    during the run reads it again; a write elsewhere (another replica) shows on the next run."""
    memo = run_memo()
    if memo is None:
        return s.version()
    engine = s.engine
    if id(engine) not in _COMMITS:
        from sqlalchemy import event

        _COMMITS[id(engine)] = 0

        def _committed(_conn) -> None:
            _COMMITS[id(engine)] += 1

        event.listen(engine, "commit", _committed)
    mark, key = _COMMITS[id(engine)], ("version", s.url)
    if memo.get(key, (None,))[0] != mark:
        memo[key] = (mark, s.version())
    return memo[key][1]
