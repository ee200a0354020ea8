"""Overview: recruitments with their finalists, what was held and asked, and what needs attention."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import ui
from analysis import (
    CHECK_STATUSES,
    DATE_PATTERN,
    PASS,
    UNKNOWN,
    WARNING,
    fairness_by_recruitment,
    fairness_text,
    headline_text,
    markdown_table,
    process_checks,
)

ui.page_header("overview")
ui.require("read")
ui.retention_notice()
data = ui.data_or_stop()


#: Most unequal-conditions warnings shown one by one; the rest are counted.
MAX_WARNINGS = 10
#: Most recruitments shown as a whole, wrapped table; more scroll in a grid.
SHORT_TABLE = 20


# a shared, read-only resource: st.cache_data unpickled a copy for every view
@ui.page_cache(max_entries=8)
def _process_flags(key: tuple, filters: tuple, _sessions: pd.DataFrame) -> list[tuple[str, dict]]:
    # keyed on the store's version and the filters; the frame itself is not hashed
    return fairness_by_recruitment(_sessions)


overview = ui.metric("recruitment_overview", "sessions", "questions")
issues = ui.metric("attention", "sessions", "questions", "handed_in")
shown = ui.names(data.sessions)

held = int(overview["held"].sum())
cols = st.columns(4)
cols[0].metric(ui.tr("ui.overview.m_recruitments"), len(overview), border=True)
cols[1].metric(ui.tr("ui.overview.m_held"), held, border=True)
cols[2].metric(ui.tr("ui.overview.m_declined"), int(overview["declined"].sum()), border=True)
cols[3].metric(ui.tr("ui.overview.m_questions"), int(overview["questions"].sum()), border=True)

st.subheader(ui.tr("ui.overview.recruitments"), divider="gray")


# The table and its headline sentences are a Python pass over every recruitment (half of this
# page's CPU): made once per store version, filters, language and pseudonyms, for all sessions.
@ui.page_cache(max_entries=16)
def _recruitment_table(key: tuple, filters: tuple, lang: str, pseudonyms: bool,
                       _overview: pd.DataFrame, _sessions: pd.DataFrame,
                       _shown: pd.DataFrame) -> tuple[pd.DataFrame, str]:
    finalists = _shown.groupby("recruitment")["candidate"].agg(lambda s: ", ".join(s))
    # (recruitment, name) -> the name as shown (a pseudonym when they are on)
    _display = dict(zip(zip(_sessions["recruitment"], _sessions["candidate"]),
                        _shown["candidate"]))

    def _headline(row: pd.Series) -> str:
        h = dict(row["headline"])
        if h.get("candidate"):
            h["candidate"] = _display.get((row["recruitment"], h["candidate"]), h["candidate"])
        return headline_text(h, lang)

    table = _overview.assign(finalist_names=_overview["recruitment"].map(finalists),
                             headline=[_headline(row) for _, row in _overview.iterrows()])
    table = ui.headers(table, {
        "recruitment": "ui.common.recruitment", "finalist_names": "ui.overview.col_finalists",
        "held": "ui.overview.col_held", "declined": "ui.overview.col_declined",
        "questions": "ui.common.questions", "first_date": "ui.overview.col_first",
        "last_date": "ui.overview.col_last", "headline": "ui.overview.col_headline"})
    # the headlines read as sentences, one per recruitment, under the table
    lines = "\n".join(f"- **{ui.plain(name)}**: {ui.plain(line)}" for name, line in
                      zip(_overview["recruitment"], table[ui.tr("ui.overview.col_headline")]))
    return table, lines


table, headline_lines = _recruitment_table(ui.shared_key(), ui.filter_key(), ui.lang(),
                                           ui.pseudonyms_on(), overview, data.sessions, shown)
headline_col = ui.tr("ui.overview.col_headline")
if len(table) <= SHORT_TABLE:
    # shown whole with its text wrapped: a grid this wide cut its last columns off at 1280 px
    st.table(markdown_table(table.drop(columns=[headline_col]), ui.lang()), hide_index=True)
else:
    date_format = st.column_config.DateColumn(format=DATE_PATTERN)
    st.dataframe(table.drop(columns=[headline_col]), hide_index=True,
                 key="overview_recruitments", column_config={
                     ui.tr("ui.common.recruitment"): st.column_config.Column(pinned=True),
                     ui.tr("ui.overview.col_first"): date_format,
                     ui.tr("ui.overview.col_last"): date_format})
st.markdown(headline_lines)
ui.download_csv(table, "overview_recruitments")

def _questions_filtered(fits: list[str] | None):
    def state(issues: pd.DataFrame, flags: list) -> tuple[str, dict]:
        # the Questions page: its review queue of uncertain labels on top, the table sorted with
        # the least sure first (or filtered to questions without a fit)
        out = {"questions_sort": "confidence", "questions_page": 1, "questions_search": ""}
        if fits is not None:
            out["questions_fit"] = fits
        return "app_pages/questions.py", out
    return state


def _ratings_session(issues: pd.DataFrame, flags: list) -> tuple[str, dict]:
    if ui.current_actor().role == "rater":  # a rater picks among their own sessions there
        return "app_pages/ratings.py", {}
    missing = issues.loc[issues["kind"] == "missing_ratings", "session_id"]
    return "app_pages/ratings.py", {"ratings_session": missing.iloc[0]} if len(missing) else {}


def _planning_recruitment(issues: pd.DataFrame, flags: list) -> tuple[str, dict]:
    return "app_pages/planning.py", {"planning_recruitment": flags[0][0]} if flags else {}


#: Attention kind -> (the page that resolves it, the state that filters it there).
_RESOLVE = {"unlabelled": _questions_filtered(["none"]),
            "low_confidence": _questions_filtered(None),
            "missing_ratings": _ratings_session,
            "process": _planning_recruitment}


# What needs attention, one row per finding, in words: once per version, filters, language and
# pseudonyms (a translated text per row of a store-wide list).
@ui.page_cache(max_entries=16)
def _attention_table(key: tuple, filters: tuple, lang: str, pseudonyms: bool,
                     _issues: pd.DataFrame, _sessions: pd.DataFrame) -> pd.DataFrame:
    listed = ui.names(_issues.merge(_sessions[["session_id", "candidate"]], on="session_id",
                                    how="left"))
    listed = listed.assign(
        what=[ui.tr(f"ui.overview.kind_{k}") for k in listed["kind"]],
        detail=[ui.tr(f"ui.overview.detail_{k}", n=c)
                for k, c in zip(listed["kind"], listed["count"])])
    return ui.headers(listed, {
        "what": "ui.overview.col_kind", "recruitment": "ui.common.recruitment",
        "session_id": "ui.common.session", "candidate": "ui.common.candidate",
        "detail": "ui.overview.col_detail"})


st.subheader(ui.tr("ui.overview.attention"), divider="gray")
flags = _process_flags(ui.shared_key(), ui.filter_key(), data.sessions)
if issues.empty and not flags:
    st.success(ui.tr("ui.overview.all_clear"), icon=":material/check_circle:")
else:
    kinds = ["unlabelled", "low_confidence", "missing_ratings", "duration"]
    counts = issues.groupby("kind").size().reindex(kinds, fill_value=0)
    # two rows of three: in five columns the labels were cut off at 1280 px
    cols = [*st.columns(3), *st.columns(3)][:len(kinds) + 1]
    go_to = None
    for col, kind in zip(cols, kinds):
        col.metric(ui.tr(f"ui.overview.kind_{kind}"), int(counts[kind]), border=True,
                   help=ui.tr(f"ui.overview.kind_{kind}_help"))
        if counts[kind] and kind in _RESOLVE and col.button(
                ui.tr(f"ui.overview.go_{kind}"), key=f"overview_go_{kind}", type="tertiary",
                icon=":material/arrow_forward:"):
            go_to = kind
    cols[-1].metric(ui.tr("ui.overview.kind_process"), len(flags), border=True,
                    help=ui.tr("ui.overview.kind_process_help"))
    if flags and cols[-1].button(ui.tr("ui.overview.go_process"), key="overview_go_process",
                                 type="tertiary", icon=":material/arrow_forward:"):
        go_to = "process"
    if go_to:
        # open the page that resolves it, already filtered to what needs attention
        page, state = _RESOLVE[go_to](issues, flags)
        st.session_state.update(state)
        st.switch_page(page)
    for name, flag in flags[:MAX_WARNINGS]:
        st.warning(f"**{ui.plain(name)}** — {ui.plain(fairness_text(flag, ui.lang()))}",
                   icon=":material/balance:")
    if len(flags) > MAX_WARNINGS:
        st.caption(ui.tr("ui.overview.process_more", n=len(flags) - MAX_WARNINGS))
    if not issues.empty:
        listed = _attention_table(ui.shared_key(), ui.filter_key(), ui.lang(), ui.pseudonyms_on(),
                                  issues, data.sessions)
        st.dataframe(listed, hide_index=True, key="overview_attention")
        ui.download_csv(listed, "overview_attention")
        st.caption(ui.tr("ui.overview.attention_where"))

st.subheader(ui.tr("ui.overview.process_title"), divider="gray")
st.caption(ui.tr("ui.overview.process_caption"))

#: Most recruitments whose process check is listed here (the latest first); Planning shows any one.
MAX_PROCESS = 15
_ICON = {PASS: ":material/check_circle:", WARNING: ":material/warning:",
         UNKNOWN: ":material/help:"}


# The checks in words, one expander and one Markdown block per recruitment (a block per line was
# ~120 elements, each sent to the browser on every view): once per version, filters and language.
@ui.page_cache(max_entries=16)
def _process_lines(key: tuple, filters: tuple, lang: str, _sessions: pd.DataFrame,
                   _handed_in: pd.DataFrame, _settings: pd.DataFrame) -> list[tuple[str, str]]:
    # keyed on the store's version and the filters; the frames themselves are not hashed
    out = []
    for name, lines in process_checks(_sessions, _handed_in, _settings, latest=MAX_PROCESS):
        counts = {s: sum(line.status == s for line in lines) for s in CHECK_STATUSES}
        summary = "  ".join(f"{_ICON[s]} {counts[s]}" for s in CHECK_STATUSES)
        out.append((f"**{ui.plain(name)}** — {summary}", "  \n".join(
            f"{_ICON[line.status]} **{line.rule_text(lang)}** ({line.status_text(lang)}): "
            f"{ui.plain(line.text(lang))}" for line in lines)))
    return out


checks = _process_lines(ui.shared_key(), ui.filter_key(), ui.lang(), data.sessions,
                        data.handed_in, ui.all_data()["recruitments"])
for title, body in checks:
    with st.expander(title, expanded=False):
        st.markdown(body)
if data.sessions["recruitment"].nunique() > MAX_PROCESS:
    st.caption(ui.tr("ui.overview.process_more_recruitments", n=MAX_PROCESS))
