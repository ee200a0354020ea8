"""The shared sidebar: language, filters and the pseudonym switch."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from analysis import DATE_PATTERN, OmvendtError
from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t
from ui.language import tr
from ui.reads import all_data, candidate_choices, filter_choices, names, pseudonyms_on
from ui.render import render_error

FILTER_KEYS = ("filter_recruitments", "filter_dates", "filter_candidates")


def init_state() -> None:
    """Cross-page state with its defaults; set once, kept across page changes."""
    # A link may start a session in a language (``?lang=en``): a page shared or bookmarked in English.
    asked = st.query_params.get("lang")
    st.session_state.setdefault("lang", asked if asked in LANGUAGES else DEFAULT_LANGUAGE)
    st.session_state.setdefault("filter_recruitments", [])
    st.session_state.setdefault("filter_dates", ())
    st.session_state.setdefault("filter_candidates", [])
    st.session_state.setdefault("pseudonyms", False)


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
        # the choices are computed once per store version, not on every run of every session
        recruitments, date_range = filter_choices()
        _keep_known("filter_recruitments", recruitments)
        # Streamlit's own "Select all" and "No results" are English only: no "Select all"
        # (an empty filter already means all), and the help says what "No results" means
        st.multiselect(tr("ui.sidebar.recruitments"), recruitments, key="filter_recruitments",
                       placeholder=tr("ui.sidebar.all"), select_all=False,
                       help=tr("ui.sidebar.pick_help"))
        if date_range:
            lo, hi = date_range
            chosen = st.session_state.get("filter_dates") or ()
            if any(not isinstance(d, dt.date) or d < lo or d > hi for d in chosen):
                st.session_state["filter_dates"] = ()
            st.date_input(tr("ui.sidebar.dates"), min_value=lo, max_value=hi,
                          key="filter_dates", format=DATE_PATTERN,
                          help=tr("ui.sidebar.dates_help"))
        picked = st.session_state.get("filter_recruitments") or []
        pool = sessions[sessions["recruitment"].isin(picked)] if picked else sessions
        candidates = candidate_choices(tuple(picked))
        _keep_known("filter_candidates", candidates)
        shown_as = _candidate_names(pool, sessions)
        st.multiselect(tr("ui.sidebar.candidates"), candidates, key="filter_candidates",
                       format_func=lambda c: shown_as.get(c, c), placeholder=tr("ui.sidebar.all"),
                       select_all=False, help=tr("ui.sidebar.pick_help"))
        st.toggle(tr("ui.sidebar.pseudonyms"), key="pseudonyms",
                  help=tr("ui.sidebar.pseudonyms_help"))
        if any(st.session_state.get(k) for k in FILTER_KEYS):
            st.button(tr("ui.sidebar.clear"), key="filter_clear", on_click=_clear_filters,
                      icon=":material/filter_alt_off:")


def _clear_filters() -> None:
    st.session_state["filter_recruitments"] = []
    st.session_state["filter_dates"] = ()
    st.session_state["filter_candidates"] = []


def _candidate_names(pool: pd.DataFrame, sessions: pd.DataFrame) -> dict[str, str]:
    """Candidate name -> what the filter shows: the name, or its pseudonyms when they are on."""
    if not pseudonyms_on():
        return {}
    shown = names(pool[["session_id", "candidate", "recruitment"]], sessions)
    shown["label"] = shown["candidate"] + " · " + shown["recruitment"]
    return (pool.assign(label=shown["label"].to_numpy()).groupby("candidate")["label"]
            .agg(lambda s: ", ".join(sorted(set(s)))).to_dict())
