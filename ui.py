"""Streamlit-side helpers shared by app.py and the pages: the actor, the store, cached reads keyed on
the store's version, the sidebar's filters, translation, pseudonyms, fit colours and chart frames.

Everything here is display plumbing; figures come from `analysis.metrics`.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any, Callable

import pandas as pd
import streamlit as st

from analysis import config
from analysis.auth import LOCAL, Actor
from analysis.errors import FileRejected, OmvendtError, PermissionDenied, WorkbookError
from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from analysis.io import safe_csv
from analysis.schema import FITS, FOUR_FITS, SCORES
from analysis.store import Store

#: Fits in their one order, each with one colour on every chart (Okabe–Ito, colour-blind safe).
FIT_ORDER: tuple[str, ...] = FITS
FIT_COLOURS: dict[str, str] = {
    "job": "#0072B2",
    "group": "#E69F00",
    "supervisor": "#009E73",
    "organization": "#CC79A7",
    "other": "#999999",
}
#: Plotly config for every chart: no mode bar clutter, no link to an online editor.
PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d",
                                                                                "select2d"]}

@st.cache_resource(show_spinner=False)
def favicon():
    """The tab icon, drawn here: a Material icon or emoji favicon would be fetched from a CDN,
    and nothing may leave the machine."""
    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((4, 8, 44, 40), radius=8, fill="#1F4E79")
    draw.rounded_rectangle((20, 24, 60, 56), radius=8, fill="#E69F00")
    return img


# -- language ----------------------------------------------------------------------------------


def lang() -> str:
    """The language the user picked in the sidebar (nb by default)."""
    value = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **params: object) -> str:
    """Translate ``key`` into the current language (see `analysis.i18n.t`)."""
    return t(key, lang(), **params)


def fit_name(fit: object) -> str:
    """The translated name of a fit code; unlabelled questions get their own word."""
    return tr(f"fit.{fit}") if fit in FITS else tr("ui.common.unlabelled")


def fit_colour_map() -> dict[str, str]:
    """Translated fit name -> colour, for Plotly's ``color_discrete_map``."""
    return {fit_name(f): c for f, c in FIT_COLOURS.items()} | {
        tr("ui.common.unlabelled"): "#D9D9D9"}


def fit_category_order() -> list[str]:
    """Translated fit names in `FIT_ORDER`, for Plotly's ``category_orders``."""
    return [fit_name(f) for f in FIT_ORDER]


# -- who is acting, and the store --------------------------------------------------------------


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


# -- team mode: sign-in, sign-out, role checks on pages ------------------------------------------


def _secrets_section(name: str) -> dict:
    try:
        return dict(st.secrets.get(name, {}))
    except Exception:  # no secrets.toml at all: Streamlit raises its own not-found error
        return {}


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
    from analysis.accounts import current_account

    actor = st.session_state.get("signed_in_actor")
    if actor is not None:
        # a role changed or an account deactivated by an admin takes effect on the next click
        fresh = current_account(_sign_in_store(), actor.name)
        if fresh == actor:
            return
        st.session_state.pop("signed_in_actor", None)
        if fresh is not None:
            st.session_state["signed_in_actor"] = fresh
            return
    # the sign-in form as the only page: no menu, and no page reachable by its URL before it
    st.navigation([st.Page(_sign_in_page, title=tr("trust.signin.title"), url_path="signin",
                           icon=":material/login:")], position="hidden").run()
    st.stop()


def _sign_in_page() -> None:
    from analysis.accounts import actor_for_email

    oidc = bool(_secrets_section("auth"))
    st.title(tr("trust.signin.title"))
    st.caption(tr("trust.signin.lead"))
    if oidc:
        if not st.user.is_logged_in:
            st.button(tr("trust.signin.oidc_button"), key="signin_oidc", on_click=st.login,
                      icon=":material/login:", type="primary")
            st.stop()
        actor = actor_for_email(_sign_in_store(), st.user.get("email"))
        if actor is None:
            st.error(tr("trust.signin.no_account", email=st.user.get("email") or "?"))
            st.button(tr("trust.signin.signout"), key="signin_oidc_out", on_click=st.logout)
            st.stop()
        st.session_state["signed_in_actor"] = actor
        st.rerun()
    _local_sign_in()


def _local_sign_in() -> None:
    from analysis.accounts import SignInFailed, authenticate, has_accounts

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
            st.rerun()
    st.stop()


def sign_out() -> None:
    """Forget the signed-in user (and end the identity provider's session)."""
    st.session_state.pop("signed_in_actor", None)
    if _secrets_section("auth") and st.user.is_logged_in:
        st.logout()


def account_box() -> None:
    """In team mode, the sidebar says who is signed in and offers to sign out."""
    if not team_mode() or "signed_in_actor" not in st.session_state:
        return
    actor = st.session_state["signed_in_actor"]
    with st.sidebar:
        st.divider()
        st.caption(tr("trust.signin.signed_in_as", name=actor.name,
                      role=tr(f"trust.role.{actor.role}")))
        st.button(tr("trust.signin.signout"), key="signout", on_click=sign_out,
                  icon=":material/logout:")


def require(permission: str) -> None:
    """Stop the page with a translated warning unless the user's role allows ``permission``;
    the refusal goes to the audit trail."""
    actor = current_actor()
    if actor.can(permission):
        return
    from analysis.audit import refused

    refused(store(), permission)
    st.warning(tr("trust.refused", role=tr(f"trust.role.{actor.role}")), icon=":material/lock:")
    st.stop()


def visible_pages(pages: list[tuple[str, str, str, str]]) -> list[tuple[str, str, str, str]]:
    """The navigation's pages without those the user's role cannot open (the pages check again)."""
    needs = {"pages/admin.py": "accounts", "pages/import_data.py": "import"}
    actor = current_actor()
    return [p for p in pages if actor.can(needs.get(p[1], "read"))]


def retention_notice() -> None:
    """Say on the Overview when candidates' personal data is past retention (admins act on it)."""
    from analysis.privacy import retention_due

    if not current_actor().can("retention"):
        return
    due = retention_due(store())
    if len(due):
        st.warning(tr("trust.admin.retention_notice", n=len(due)), icon=":material/auto_delete:")


@st.cache_resource(show_spinner=False)
def _store(url: str, name: str, role: str) -> Store:
    return Store(url, Actor(name, role))


def store() -> Store:
    """The store as seen by the current actor (one per URL and actor, shared across sessions)."""
    actor = current_actor()
    return _store(config.database_url(), actor.name, actor.role)


def cache_key() -> tuple:
    """What every cached read depends on: which store, who reads, and the store's version."""
    s = store()
    return (s.url, s.actor.name, s.actor.role, s.version())


# -- cached reads --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Data:
    """The frames a page works on, already filtered by the sidebar."""

    sessions: pd.DataFrame
    questions: pd.DataFrame
    ratings: pd.DataFrame | None
    feedback: pd.DataFrame
    #: Who handed in a rating (never the scores): what "missing ratings" counts.
    handed_in: pd.DataFrame


# The store's frames are cached as shared, read-only resources rather than with st.cache_data:
# a copy of 50,000 questions costs ~0.1 s to unpickle and a page reads them several times per
# run. pandas' copy-on-write keeps derived frames from touching them; code never assigns into a
# frame it got from here.
@st.cache_resource(max_entries=4, show_spinner=False)
def _read(url: str, name: str, role: str, version: int) -> dict[str, pd.DataFrame | None]:
    s = _store(url, name, role)
    out: dict[str, pd.DataFrame | None] = {
        "sessions": s.sessions(), "questions": s.questions(), "feedback": s.feedback(),
        "recruitments": s.recruitments()}
    from analysis.ratings import handed_in, visible_ratings

    try:
        # a closed session's scores stay hidden until every rater has handed in
        out["ratings"] = visible_ratings(s)
    except PermissionDenied:
        out["ratings"] = None
    out["handed_in"] = handed_in(s)
    return out


def _filters_tuple(filters: Any) -> tuple:
    return (filters.recruitments, filters.date_from, filters.date_to, filters.candidates)


@st.cache_resource(max_entries=16, show_spinner=False)
def _filtered(url: str, name: str, role: str, version: int, filters: tuple) -> Data:
    from analysis import metrics

    raw = _read(url, name, role, version)
    f = metrics.Filters(*filters)
    sessions = metrics.filter_sessions(raw["sessions"], f)
    questions = metrics.filter_by_sessions(raw["questions"], sessions)
    ratings = raw["ratings"]
    if ratings is not None:
        ratings = metrics.filter_by_sessions(ratings, sessions)
    feedback = metrics.filter_feedback(raw["feedback"], raw["sessions"], f)
    return Data(sessions, questions, ratings, feedback,
                metrics.filter_by_sessions(raw["handed_in"], sessions))


def all_data() -> dict[str, pd.DataFrame | None]:
    """Every frame of the store, unfiltered (for filter options and pseudonyms)."""
    return _read(*cache_key())


def data() -> Data:
    """The store's frames, filtered by the sidebar; recomputed only when the store changed."""
    return _filtered(*cache_key(), filter_key())


@st.cache_data(max_entries=64, show_spinner=False)
def _metric(name: str, key: tuple, filters: tuple, frames: tuple[str, ...], before: tuple,
            kwargs: tuple) -> Any:
    from analysis import metrics

    d = _filtered(*key, filters)
    return getattr(metrics, name)(*before, *(getattr(d, f) for f in frames), **dict(kwargs))


def metric(name: str, *frames: str, before: tuple = (), **kwargs: Any) -> Any:
    """``analysis.metrics.<name>(*before, *frames, **kwargs)`` over the filtered data, cached on
    the store's version and the filters.

    Examples
    --------
    >>> metric("session_figures", "sessions", "questions", "ratings")  # doctest: +SKIP
    """
    return _metric(name, cache_key(), filter_key(), frames, before,
                   tuple(sorted(kwargs.items())))


def filter_key() -> tuple:
    """The sidebar's filters as a hashable tuple: with `cache_key`, the key of page caches."""
    return _filters_tuple(filters())


def data_or_stop() -> Data:
    """The filtered data, or an empty state that says what to do (and the page stops)."""
    if all_data()["sessions"].empty:
        empty_state("ui.common.no_data")
        st.page_link("pages/import_data.py", label=tr("ui.import.title"),
                     icon=":material/upload_file:")
        st.stop()
    d = data()
    if d.sessions.empty:
        empty_state("ui.common.no_match")
        st.stop()
    return d


def clear_caches() -> None:
    """Forget cached reads (after a write the version changes anyway; this frees memory)."""
    _read.clear()
    _filtered.clear()
    _metric.clear()


# -- the model -------------------------------------------------------------------------------------


@st.cache_resource(show_spinner=False, max_entries=2)
def _model(path: str, mtime: float):
    from analysis.classifier import default_model

    return default_model()


def model():
    """The fit model, loaded once per saved file (a retrain writes a new file, hence a new key)."""
    path = config.model_path()
    mtime = path.stat().st_mtime if path.exists() else 0.0
    return _model(str(path), mtime)


def labeller_or_none():
    """The fit model for labelling an import, or None (with a warning) when it cannot load."""
    try:
        return model()
    except (ImportError, OmvendtError, FileNotFoundError) as exc:
        st.warning(tr("ui.common.no_model", detail=str(exc)))
        return None


# -- filters (the sidebar) ----------------------------------------------------------------------

FILTER_KEYS = ("filter_recruitments", "filter_dates", "filter_candidates")


def init_state() -> None:
    """Cross-page state with its defaults; set once, kept across page changes."""
    st.session_state.setdefault("lang", DEFAULT_LANGUAGE)
    st.session_state.setdefault("filter_recruitments", [])
    st.session_state.setdefault("filter_dates", ())
    st.session_state.setdefault("filter_candidates", [])
    st.session_state.setdefault("pseudonyms", False)


def filters():
    """The sidebar's filters as `analysis.metrics.Filters`."""
    from analysis.metrics import Filters

    dates = tuple(st.session_state.get("filter_dates") or ())
    return Filters(
        recruitments=tuple(st.session_state.get("filter_recruitments") or ()),
        date_from=dates[0] if len(dates) >= 1 else None,
        date_to=dates[1] if len(dates) >= 2 else (dates[0] if dates else None),
        candidates=tuple(st.session_state.get("filter_candidates") or ()),
    )


def _keep_known(key: str, options: list) -> None:
    """Drop remembered choices that are no longer offered (e.g. after erasing a recruitment)."""
    current = st.session_state.get(key) or []
    kept = [v for v in current if v in options]
    if kept != current:
        st.session_state[key] = kept


def sidebar() -> None:
    """The shared sidebar: language, filters and the pseudonym switch."""
    with st.sidebar:
        st.radio(tr("ui.sidebar.language"), LANGUAGES, key="lang", horizontal=True,
                 format_func=lambda code: t("ui.sidebar.language_name", code))
        try:
            raw = all_data()
        except OmvendtError as exc:
            render_error(exc)
            return
        sessions = raw["sessions"]
        st.subheader(tr("ui.sidebar.filters"))
        recruitments = sorted(sessions["recruitment"].dropna().unique().tolist())
        _keep_known("filter_recruitments", recruitments)
        st.multiselect(tr("ui.sidebar.recruitments"), recruitments, key="filter_recruitments",
                       placeholder=tr("ui.sidebar.all"))
        if len(sessions):
            dates = pd.to_datetime(sessions["date"])
            lo, hi = dates.min().date(), dates.max().date()
            chosen = st.session_state.get("filter_dates") or ()
            if any(not isinstance(d, dt.date) or d < lo or d > hi for d in chosen):
                st.session_state["filter_dates"] = ()
            st.date_input(tr("ui.sidebar.dates"), min_value=lo, max_value=hi,
                          key="filter_dates", format="DD.MM.YYYY")
        picked = st.session_state.get("filter_recruitments") or []
        pool = sessions[sessions["recruitment"].isin(picked)] if picked else sessions
        candidates = sorted(pool["candidate"].dropna().unique().tolist())
        _keep_known("filter_candidates", candidates)
        label = _candidate_labels(pool, sessions)
        st.multiselect(tr("ui.sidebar.candidates"), candidates, key="filter_candidates",
                       format_func=lambda c: label.get(c, c), placeholder=tr("ui.sidebar.all"))
        st.toggle(tr("ui.sidebar.pseudonyms"), key="pseudonyms",
                  help=tr("ui.sidebar.pseudonyms_help"))
        if any(st.session_state.get(k) for k in FILTER_KEYS):
            st.button(tr("ui.sidebar.clear"), key="filter_clear", on_click=_clear_filters,
                      icon=":material/filter_alt_off:")


def _clear_filters() -> None:
    st.session_state["filter_recruitments"] = []
    st.session_state["filter_dates"] = ()
    st.session_state["filter_candidates"] = []


def _candidate_labels(pool: pd.DataFrame, sessions: pd.DataFrame) -> dict[str, str]:
    """Candidate name -> what the filter shows: the name, or its pseudonyms when they are on."""
    if not pseudonyms_on():
        return {}
    shown = names(pool[["session_id", "candidate", "recruitment"]], sessions)
    shown["label"] = shown["candidate"] + " · " + shown["recruitment"]
    return (pool.assign(label=shown["label"].to_numpy()).groupby("candidate")["label"]
            .agg(lambda s: ", ".join(sorted(set(s)))).to_dict())


# -- privacy -------------------------------------------------------------------------------------


def pseudonyms_on() -> bool:
    return bool(st.session_state.get("pseudonyms"))


def names(frame: pd.DataFrame, sessions: pd.DataFrame | None = None,
          column: str = "candidate") -> pd.DataFrame:
    """The one place where candidate names are shown or hidden: with pseudonyms on, ``column``
    becomes "Finalist A/B/C" (lettered per recruitment, stable across pages and exports)."""
    if not pseudonyms_on() or column not in frame:
        return frame
    from analysis.privacy import pseudonymise

    if sessions is None:
        sessions = all_data()["sessions"]
    return pseudonymise(frame, sessions, lang(), column)


# -- rendering -----------------------------------------------------------------------------------


def _through_app() -> None:
    """Make sure app.py framed this run.

    With a ``pages/`` folder, a fresh server starts in Streamlit's old multipage mode and turns
    it off only when app.py first calls `st.navigation`. A deep link opened before that (a
    bookmark after a restart) would run the page alone: no sidebar, no filters, no language.
    Turning the old mode off and rerunning sends the same URL through app.py instead.
    """
    try:
        from streamlit.runtime.pages_manager import PagesManager
    except ImportError:  # pragma: no cover - a Streamlit without the old mode
        return
    if getattr(PagesManager, "uses_pages_directory", False):
        PagesManager.uses_pages_directory = False
        st.rerun()


def held_figures_or_stop() -> pd.DataFrame:
    """The figures of the held sessions in the filter, or an empty state and a stop."""
    data_or_stop()
    figures = metric("session_figures", "sessions", "questions")
    if figures.empty:
        empty_state("ui.coverage.no_held")
        st.stop()
    return figures


def session_labels(sessions: pd.DataFrame) -> dict[str, str]:
    """session_id -> "finalist · recruitment · date", with pseudonyms when they are on: what a
    session picker shows."""
    shown = names(sessions[["session_id", "candidate", "recruitment", "date"]], sessions)
    return {r.session_id: f"{r.candidate} · {r.recruitment} · {pd.Timestamp(r.date):%d.%m.%Y}"
            for r in shown.itertuples()}


def page_header(key: str, area: str = "ui") -> None:
    """The page's title and one line saying what it is for (and app.py's frame around it);
    the strings are ``<area>.<key>.title`` and ``<area>.<key>.lead``."""
    _through_app()
    st.title(tr(f"{area}.{key}.title"))
    st.caption(tr(f"{area}.{key}.lead"))


def or_stop(read: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``read(*args, **kwargs)``; an expected failure is shown in words and the page stops."""
    try:
        return read(*args, **kwargs)
    except OmvendtError as exc:
        render_error(exc)
        st.stop()


def act(write: Callable[..., Any], *args: Any, done: str) -> None:
    """Run a write the user asked for: on success a toast (translation key ``done``) and a
    rerun so every part of the page shows the change; an expected failure is shown in words."""
    try:
        write(*args)
    except OmvendtError as exc:
        render_error(exc)
    else:
        st.toast(tr(done), icon=":material/check_circle:")
        st.rerun()


def render_error(exc: Exception) -> None:
    """Show an expected failure from `analysis.errors` in words, with what to do."""
    if isinstance(exc, FileRejected):
        fix = f" {tr(f'fix.{exc.code}')}" if _has(f"fix.{exc.code}") else ""
        st.error(f"**{exc.file}**: {tr(f'problem.{exc.code}', **exc.params)}{fix}",
                 icon=":material/block:")
    elif isinstance(exc, WorkbookError):
        st.error(tr("ui.errors.workbook", n=len(exc.problems)), icon=":material/error:")
    elif isinstance(exc, PermissionDenied):
        st.warning(tr("ui.errors.permission", action=exc.action), icon=":material/lock:")
    else:
        st.error(tr("ui.errors.generic", detail=str(exc)), icon=":material/error:")


def _has(key: str) -> bool:
    from analysis.i18n import has

    return has(key)


def empty_state(key: str, **params: object) -> None:
    """An empty page says why it is empty and what to do about it."""
    st.info(tr(key, **params), icon=":material/info:")


def headers(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame`` with only ``columns`` (name -> translation key), in that order, under translated
    headers: what tables and downloads show."""
    keep = [c for c in columns if c in frame.columns]
    return frame[keep].rename(columns={c: tr(columns[c]) for c in keep})


_GRID = "#E6EBF1"


@st.cache_resource(show_spinner=False)
def _template():
    """A small plain template: Plotly's own "plotly_white" is deep-copied into every figure,
    which costs more than drawing the chart."""
    import plotly.graph_objects as go

    axis = dict(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, automargin=True)
    return go.layout.Template(layout=dict(
        paper_bgcolor="white", plot_bgcolor="white", font=dict(color="#1E2A35"),
        xaxis=axis, yaxis=axis, hoverlabel=dict(font_size=13),
        polar=dict(bgcolor="white", radialaxis=dict(gridcolor=_GRID, linecolor=_GRID),
                   angularaxis=dict(gridcolor=_GRID, linecolor=_GRID))))


def style_figure(fig, height: int | None = None):
    """One look for every chart: white background, the title at the top, the legend between
    title and plot (never over either), room for long labels."""
    fig.update_layout(template=_template(), margin=dict(l=10, r=10, t=100, b=10),
                      legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0,
                                  title_text="", traceorder="normal"),
                      font=dict(family="sans-serif", size=13),
                      title=dict(x=0, xanchor="left", y=1, yref="container", yanchor="top",
                                 pad=dict(t=14, l=4), font_size=16))
    if height:
        fig.update_layout(height=height)
    return fig


def chart_with_data(fig, frame: pd.DataFrame, key: str, *, on_select: str | Callable = "ignore",
                    selection_mode: str | tuple = ("points",), styled: bool = False) -> Any:
    """Show a Plotly chart with its data one click away: a tab with the table and a CSV download
    (text cells neutralised). Returns the chart's selection state when ``on_select`` is set;
    ``styled`` keeps a layout the page already finished with `style_figure`."""
    chart_tab, data_tab = st.tabs([tr("ui.common.chart"), tr("ui.common.data")])
    with chart_tab:
        event = st.plotly_chart(fig if styled else style_figure(fig), key=f"{key}_chart",
                                on_select=on_select,
                                selection_mode=selection_mode, config=PLOT_CONFIG)
    with data_tab:
        st.dataframe(frame, hide_index=True, key=f"{key}_table")
        download_csv(frame, key)
    return event


def download_csv(frame: pd.DataFrame, key: str, label_key: str = "ui.common.download_csv") -> None:
    """A CSV download of exactly the table shown."""
    st.download_button(tr(label_key), safe_csv(frame), file_name=f"omvendt_{key}.csv",
                       mime="text/csv", key=f"{key}_csv", icon=":material/download:",
                       on_click="ignore")


_MARKDOWN = re.compile(r"([\\`*_{}\[\]()#+\-.!|<>~$])")


def plain(text: object) -> str:
    """Text from the data (names, questions) as plain text inside markdown: no links, no
    formatting, no maths."""
    return _MARKDOWN.sub(r"\\\1", str(text))


def percent(value: float | None) -> str:
    """A share as the current language writes it ("45 %" in Norwegian, "45%" in English)."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value * 100:.0f} %" if lang() == "nb" else f"{value:.0%}"


def number(value: float | None, digits: int = 1) -> str:
    """A number with the current language's decimal mark."""
    if value is None or pd.isna(value):
        return "–"
    text = f"{value:.{digits}f}"
    return text.replace(".", ",") if lang() == "nb" else text


def labels(frame: pd.DataFrame) -> pd.Series:
    """One unique display label per session row (needs session_id, candidate, recruitment): the
    name (or pseudonym), with the recruitment when the label repeats, then the session_id."""
    shown = names(frame[["session_id", "candidate", "recruitment"]])
    name = shown["candidate"].astype(str)
    label = name.where(~name.duplicated(keep=False),
                       name + " (" + shown["recruitment"].astype(str) + ")")
    return label.where(~label.duplicated(keep=False),
                       label + " [" + shown["session_id"].astype(str) + "]")


#: Translation keys of the per-session figures' column headers (`metrics.session_figures`).
FIGURE_HEADERS: dict[str, str] = {
    "label": "ui.common.candidate", "candidate": "ui.common.candidate",
    "recruitment": "ui.common.recruitment", "session_id": "ui.common.session",
    "date": "ui.common.date", "manager": "ui.common.manager", "questions": "ui.common.questions",
    **{f"n_{f}": f"fit.{f}" for f in FITS},
    **{f"share_{f}": f"fit.{f}" for f in FITS},
    # one name per figure, shared with the comparison workbook (analysis/locale/reports.toml)
    **{name: f"report.figure.{name}" for name in (
        "fits_covered", "balance", "follow_up_share", "threads", "max_depth",
        "mean_thread_depth", "minutes", "manager_minutes", "score_mean",
        *(f"score_{s}" for s in SCORES))},
}
#: Figures with a definition (report.define.*) shown as the column's help.
_DEFINED = ("questions", "fits_covered", "balance", "follow_up_share", "max_depth", "minutes")


def figure_config(frame: pd.DataFrame) -> dict:
    """Column formats for a table of figures under translated headers (shares as percent)."""
    config: dict = {}
    for col in frame.columns:
        if col not in FIGURE_HEADERS:
            continue
        help_text = tr(f"report.define.{col}") if col in _DEFINED else None
        if col == "follow_up_share" or str(col).startswith("share_"):
            fmt = "percent"
        elif col == "balance":
            fmt = "%.2f"
        elif col in ("mean_thread_depth", "minutes", "manager_minutes") or col.startswith(
                "score_"):
            fmt = "%.1f"
        else:
            fmt = None
        config[tr(FIGURE_HEADERS[col])] = st.column_config.NumberColumn(format=fmt,
                                                                       help=help_text)
    return config


def figure_table(frame: pd.DataFrame, columns: list[str], key: str) -> pd.DataFrame:
    """Show ``columns`` of a figures frame under translated headers, with a CSV download; returns
    the table as shown."""
    table = headers(frame, {c: FIGURE_HEADERS[c] for c in columns})
    st.dataframe(table, hide_index=True, key=f"{key}_table",
                 column_config=figure_config(frame[[c for c in columns if c in frame]]))
    download_csv(table, key)
    return table


__all__ = [
    "FIT_COLOURS", "FIT_ORDER", "FOUR_FITS", "Data", "all_data", "chart_with_data",
    "cache_key", "clear_caches", "current_actor", "data", "download_csv", "empty_state", "filter_key", "filters",
    "fit_category_order", "fit_colour_map", "fit_name", "headers", "init_state",
    "labeller_or_none", "lang", "metric", "model", "names", "page_header", "percent",
    "plain", "pseudonyms_on", "render_error", "sidebar", "store", "style_figure", "tr",
]
