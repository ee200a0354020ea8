"""Compare finalists: one recruitment's finalists side by side, and the workbook for the hiring team."""
from __future__ import annotations

import re
from functools import partial

import plotly.graph_objects as go
import streamlit as st

import ui
from analysis import (
    UNCERTAIN_BELOW, uncertain_count,
    COMPARISON_FIGURES,
    COMPARISON_MIME,
    FINALIST_COLOURS,
    FITS,
    FOUR_FITS,
    NotFound,
    comparison_pdf,
    comparison_workbook,
    fairness_lines,
    markdown_table,
    number_text,
    pseudonymise_comparison,
    record_comparison_export,
    with_scores,
)

ui.require("read")
ui.page_header("compare")
data = ui.data_or_stop()
recruitments = sorted(data.sessions["recruitment"].unique())
if st.session_state.get("compare_recruitment") not in recruitments:
    st.session_state["compare_recruitment"] = recruitments[0]
recruitment = st.selectbox(ui.tr("ui.common.recruitment"), recruitments,
                           key="compare_recruitment")


# the scores each person may see, added to the comparison everyone shares (made once per version)
@ui.page_cache(max_entries=64)
def _scored(key: tuple, filters: tuple, recruitment: str, _comparison, _ratings):
    return with_scores(_comparison, _ratings) if _ratings is not None else _comparison


try:
    comparison = _scored(ui.cache_key(), ui.filter_key(), recruitment,
                         ui.metric("compare_finalists", "sessions", "questions",
                                   before=(recruitment,)), data.ratings)
except NotFound as exc:
    ui.render_error(exc)
    st.stop()
if comparison.figures.empty:
    ui.empty_state("ui.compare.none_held")
    st.stop()

figures = comparison.figures.assign(recruitment=recruitment)
unsure, counted = uncertain_count(
    data.questions[data.questions["session_id"].isin(figures["session_id"])])
if unsure:  # how far to trust a difference between finalists
    st.info(ui.tr("ui.coverage.uncertain_note", uncertain=unsure, total=counted,
                  threshold=ui.percent(UNCERTAIN_BELOW)), icon=":material/help:")
figures["finalist"] = ui.finalist_names(figures).to_numpy()  # or pseudonyms, as the sidebar says
name_of = dict(zip(figures["session_id"], figures["finalist"]))

# -- the fairness line ----------------------------------------------------------------------------
for line in fairness_lines(comparison.fairness, ui.lang()):  # managers' names: plain text
    if comparison.fairness:
        st.warning(ui.plain(line), icon=":material/balance:")
    else:
        st.success(ui.plain(line), icon=":material/balance:")

# -- fit shares as grouped bars, and the key figures ---------------------------------------------
# (grouped bars per fit, read at a glance; the radar they replace had overlapping rings and
# clipped labels)
# The chart and its table are made and styled once per version, filters, recruitment, language
# and pseudonyms, and shared read-only: building a Plotly figure cost ~10 ms per view.
@ui.page_cache(max_entries=32)
def _shares_chart(key: tuple, filters: tuple, recruitment: str, lang: str, pseudonyms: bool,
                  _comparison, _name_of: dict) -> tuple[go.Figure, object]:
    theta = [ui.fit_name(f) for f in FOUR_FITS]
    bars = go.Figure()
    for i, (sid, row) in enumerate(_comparison.shares.iterrows()):
        bars.add_trace(go.Bar(
            y=theta, x=[float(row[f]) for f in FOUR_FITS], orientation="h",
            name=_name_of.get(sid, row["candidate"]), marker_color=FINALIST_COLOURS[i % len(FINALIST_COLOURS)],
            text=[ui.percent(row[f]) for f in FOUR_FITS], textposition="outside",
            hovertemplate="%{y}: %{text}<extra>%{fullData.name}</extra>"))
    bars.update_layout(title=ui.tr("ui.compare.radar_title"), barmode="group",
                       height=160 + 26 * len(FOUR_FITS) * max(len(_comparison.shares), 1),
                       yaxis=dict(autorange="reversed"),
                       xaxis=dict(range=[0, 1.15], tickvals=[0, 0.25, 0.5, 0.75, 1],
                                  ticktext=[ui.percent(v) for v in (0, 0.25, 0.5, 0.75, 1)]))
    shares = _comparison.shares.reset_index()
    shares = shares.assign(finalist=shares["session_id"].map(_name_of))
    return ui.style_figure(bars), ui.headers(shares, {"finalist": "ui.common.candidate",
                                                      **{f: f"fit.{f}" for f in FOUR_FITS}})


# one above the other: side by side at 1280 px the table cut off the third finalist
left, right = st.container(), st.container()
with left:
    bars, shares_table = _shares_chart(ui.shared_key(), ui.filter_key(), recruitment, ui.lang(),
                                       ui.pseudonyms_on(), comparison, name_of)
    ui.chart_with_data(bars, shares_table, "compare_shares", styled=True)
    declined = data.sessions[(data.sessions["recruitment"] == recruitment)
                             & (data.sessions["status"] == "declined")]
    if len(declined):  # a finalist who declined is part of the recruitment: said, not dropped
        st.caption(ui.tr("ui.compare.declined", names=", ".join(
            ui.plain(n) for n in ui.finalist_names(declined))))
with right:
    st.markdown(f"**{ui.tr('ui.compare.figures')}**")
    score_cols = [c for c in figures.columns if c.startswith("score_")]
    if not comparison.has_scores:
        score_cols = []
    rows = [*COMPARISON_FIGURES, *score_cols]
    side = figures.set_index("finalist")[rows].T
    side.index = [ui.tr(ui.FIGURE_HEADERS[r]) for r in rows]
    formatted = side.astype(object)
    for name, r in zip(side.index, rows):
        if r == "follow_up_share":
            shown = [ui.percent(v) for v in side.loc[name]]
        elif r == "minutes":
            shown = [number_text(v, ui.lang(), 1, whole=True) for v in side.loc[name]]
        elif r == "balance" or r.startswith("score_"):
            shown = [ui.number(v, 2 if r == "balance" else 1) for v in side.loc[name]]
        else:
            shown = [ui.number(v, 0) for v in side.loc[name]]
        formatted.loc[name] = shown
    formatted.index.name = ui.tr("ui.compare.figure")
    formatted.columns.name = None
    st.table(markdown_table(formatted.reset_index(), ui.lang()), hide_index=True)
    ui.download_csv(formatted.reset_index(), "compare_figures")
    if not comparison.has_scores:
        st.caption(ui.tr("ui.compare.no_scores"))
    st.caption(ui.tr("report.define.neutral"))

# -- their questions, in columns grouped by fit ----------------------------------------------------
st.subheader(ui.tr("ui.compare.questions"), divider="gray")


# Each finalist's questions as one Markdown block, grouped by fit: written once per version,
# filters, recruitment and language (a block per fit and a Python pass per view cost a quarter
# of this page's CPU).
@ui.page_cache(max_entries=32)
def _questions_by_fit(key: tuple, filters: tuple, recruitment: str, lang: str,
                      _questions) -> dict[str, tuple[int, str]]:
    out = {}
    for sid, mine in _questions.groupby("session_id", sort=False):
        blocks = []
        for fit in (*FITS, None):
            part = mine[mine["fit"].isna()] if fit is None else mine[mine["fit"] == fit]
            if part.empty:
                continue
            colour = ui.FIT_COLOURS.get(fit, ui.NO_FIT_COLOUR)
            lines = [f"<span style='color:{colour}'>■</span> **{ui.fit_name(fit)}** "
                     f"({len(part)})"]
            for q in part.itertuples():
                indent = "&nbsp;" * 4 * int(q.depth)
                arrow = "↳ " if q.depth else ""
                lines.append(f"{indent}{arrow}{int(q.seq)}\\. {ui.plain(q.question)}")
            blocks.append("  \n".join(lines))
        out[sid] = (len(mine), "\n\n".join(blocks))
    return out


by_fit = _questions_by_fit(ui.shared_key(), ui.filter_key(), recruitment, ui.lang(),
                           comparison.questions)
columns = st.columns(len(figures))
for col, (_, finalist) in zip(columns, figures.iterrows()):
    with col:
        st.markdown(f"#### {ui.plain(finalist['finalist'])}")
        n, body = by_fit.get(finalist["session_id"], (0, ""))
        st.caption(ui.tr("ui.compare.n_questions", n=n))
        if body:
            st.markdown(body, unsafe_allow_html=True)

# -- export ----------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.compare.export"), divider="gray")
if ui.current_actor().can("export"):
    def _audit_export(fmt: str) -> None:
        record_comparison_export(ui.store(), recruitment, ui.pseudonyms_on(), fmt)

    exported = comparison
    if ui.pseudonyms_on():  # the export hides names exactly as the page does
        exported = pseudonymise_comparison(comparison, ui.all_data()["sessions"], ui.lang())
    # a finalist who declined is named in the files too (as a pseudonym when they are on)
    gone = tuple(ui.finalist_names(declined)) if len(declined) else ()
    safe_name = re.sub(r"[^\w\-]+", "_", recruitment).strip("_")[:60] or "rekruttering"
    with st.container(horizontal=True):  # the two files side by side
        # both files are written when clicked (the workbook ~0.1 s, the PDF ~0.5 s): on every
        # view, for every person, the workbook cost a tenth of a second after each write
        st.download_button(
            ui.tr("ui.compare.export_button"),
            partial(comparison_workbook, exported, ui.lang(), declined=gone),
            file_name=f"omvendt_{safe_name}.xlsx", key="compare_export",
            mime=COMPARISON_MIME["xlsx"], on_click=_audit_export, args=("xlsx",),
            icon=":material/download:", type="primary")
        st.download_button(
            ui.tr("report.pdf.download"), partial(comparison_pdf, exported, ui.lang(),
                                                  declined=gone),
            file_name=f"omvendt_{safe_name}.pdf", key="compare_export_pdf",
            mime=COMPARISON_MIME["pdf"], on_click=_audit_export, args=("pdf",),
            icon=":material/picture_as_pdf:")
    st.caption(ui.tr("ui.compare.export_help") + " " + ui.tr("report.pdf.help"))
else:
    st.caption(ui.tr("ui.errors.permission", action="export"))
