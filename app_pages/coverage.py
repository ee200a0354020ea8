"""Fit coverage: how many questions each finalist asked in each fit, and how evenly."""
from __future__ import annotations

import textwrap

import pandas as pd
import plotly.graph_objects as go
import streamlit as st
from plotly.subplots import make_subplots

import ui
from analysis import (
    FITS,
    FOUR_FITS,
    MAX_COMPARED,
    UNCERTAIN_BELOW,
    coverage_panels,
    coverage_scale,
    recruitments_by_recency,
)

#: Most rows a chart draws before it asks for a narrower filter (a 2,000-row heatmap is noise).
MAX_ROWS = 60
#: Recruitments side by side in one row of the comparison (more wrap to the next row).
PANELS_PER_ROW = 3

ui.page_header("coverage")
ui.require("read_questions")
figures = ui.held_figures_or_stop()
data = ui.data_or_stop()
unsure, counted = ui.metric("uncertain_count", "questions")  # once per version and filters
if unsure:  # how far to trust a difference between finalists
    st.info(ui.tr("ui.coverage.uncertain_note", uncertain=unsure, total=counted,
                  threshold=ui.percent(UNCERTAIN_BELOW)), icon=":material/help:")

shares = st.toggle(ui.tr("ui.coverage.as_shares"), key="coverage_shares")


# What this page derives from the store is made once per version, filters, language, pseudonyms
# and choices, and shared read-only by every session: a pass over every finalist of the store
# and two Plotly figures cost most of a view's CPU (docs/SCALING.md).
@ui.page_cache(max_entries=16)
def _named(key: tuple, filters: tuple, lang: str, pseudonyms: bool,
           _figures: pd.DataFrame) -> tuple[pd.DataFrame, dict, list[str]]:
    named = _figures.assign(finalist=ui.finalist_names(_figures).to_numpy())
    return (named, dict(zip(named["session_id"], named["finalist"])),
            recruitments_by_recency(named))  # the most recent first


view_key = (ui.shared_key(), ui.filter_key(), ui.lang(), ui.pseudonyms_on())
figures, name_of, recruitments = _named(*view_key, figures)

# -- one recruitment at a time; side by side only on request --------------------------------------
compare = len(recruitments) > 1 and st.toggle(
    ui.tr("ui.coverage.compare"), key="coverage_compare", help=ui.tr("ui.coverage.compare_help"))
if compare:
    chosen = recruitments[:MAX_COMPARED]
    if len(recruitments) > MAX_COMPARED:
        st.caption(ui.tr("ui.coverage.compare_capped", shown=MAX_COMPARED,
                         total=len(recruitments)))
else:
    if st.session_state.get("coverage_recruitment") not in recruitments:
        st.session_state["coverage_recruitment"] = recruitments[0]
    chosen = [st.selectbox(ui.tr("ui.common.recruitment"), recruitments,
                           key="coverage_recruitment", help=ui.tr("ui.coverage.recruitment_help"))]


@ui.page_cache(max_entries=32)
def _chosen(key: tuple, filters: tuple, lang: str, pseudonyms: bool, shares: bool,
            chosen: tuple[str, ...], _figures: pd.DataFrame, _name_of: dict):
    matrix = ui.metric("fit_matrix", "questions", "sessions", normalize=shares)
    matrix = matrix.assign(finalist=matrix.index.map(_name_of),
                           recruitment=matrix.index.map(dict(zip(_figures["session_id"],
                                                                   _figures["recruitment"]))))
    panels = coverage_panels(matrix, _figures, list(chosen))
    matrix = pd.concat([rows for _, rows in panels])  # the chosen recruitments, in panel order
    return panels, matrix, _figures[_figures["session_id"].isin(matrix.index)]


panels, matrix, figures = _chosen(*view_key, shares, tuple(chosen), figures, name_of)
shown = matrix.head(MAX_ROWS)
if len(matrix) > MAX_ROWS:
    st.caption(ui.tr("ui.coverage.capped", shown=MAX_ROWS, total=len(matrix)))


def cell_text(value: float) -> str:
    return ui.percent(value) if shares else ui.number(value, 0)


def heatmap(panels: list, top: float) -> go.Figure:
    """Fits (rows) x finalists (columns), one panel per recruitment side by side, on one colour
    scale from 0 to ``top``. Each cell carries an invisible marker: Streamlit reports a click on
    a marker as a selection, never one on a heatmap cell."""
    cols = min(len(panels), PANELS_PER_ROW)
    rows = -(-len(panels) // cols)
    titles = None
    if compare:  # subplot titles are annotations, which `ui.style_figure` does not escape
        titles = ["<br>".join(ui.chart_text(line) for line in textwrap.wrap(name, 34 if cols > 2
                                                                             else 60))
                  for name, _ in panels]
    # a column as wide as its widest panel's finalists, so every cell is about as wide
    widths = [max(len(part) for _, part in panels[c::cols]) for c in range(cols)]
    fig = make_subplots(rows=rows, cols=cols, shared_yaxes=True, subplot_titles=titles,
                        column_widths=widths, horizontal_spacing=0.03,
                        vertical_spacing=0.5 / rows if rows > 1 else 0)
    fit_names = {f: ui.fit_name(f) for f in FITS}
    for i, (_, part) in enumerate(panels):
        row, col = i // cols + 1, i % cols + 1
        sids = list(part.index)
        x = list(range(len(sids)))
        z = part[list(FITS)].to_numpy().T  # one row per fit
        text = [[cell_text(v) for v in fit_row] for fit_row in z]
        fig.add_trace(go.Heatmap(z=z, x=x, y=list(FITS), text=text, texttemplate="%{text}",
                                 coloraxis="coloraxis", hoverinfo="skip", xgap=3, ygap=3),
                      row=row, col=col)
        fig.add_trace(go.Scatter(
            x=[j for _ in FITS for j in x], y=[f for f in FITS for _ in x], mode="markers",
            marker=dict(size=1, opacity=0), showlegend=False,
            customdata=[[sid, name_of.get(sid, sid), fit_names[f], text[k][j]]
                        for k, f in enumerate(FITS) for j, sid in enumerate(sids)],
            hovertemplate="%{customdata[1]}<br>%{customdata[2]}: %{customdata[3]}"
                          "<extra></extra>"), row=row, col=col)
        # names wrapped under their column; the data's text escaped (ticks are not styled)
        fig.update_xaxes(tickvals=x, ticktext=["<br>".join(
            ui.chart_text(line) for line in textwrap.wrap(name_of.get(s, s), 10 if compare
                                                          else 18))
            for s in sids], tickangle=0, range=[-0.5, len(sids) - 0.5], showgrid=False,
            zeroline=False, ticks="", row=row, col=col)
    fig.update_yaxes(tickvals=list(FITS), ticktext=[fit_names[f] for f in FITS],
                     autorange="reversed", showgrid=False, zeroline=False, ticks="")
    fig.update_layout(
        title=ui.tr("ui.coverage.compare_title") if compare else
        ui.tr("ui.coverage.heatmap_title_one", recruitment=panels[0][0]),
        coloraxis=dict(colorscale="Blues", cmin=0, cmax=top, colorbar=dict(
            title=ui.tr("ui.common.share" if shares else "ui.common.count"),
            tickformat=".0%" if shares else "d", dtick=None if shares else max(1, -(-top // 5)))),
        hovermode="closest", hoverdistance=-1, height=120 + rows * 300,
        margin=dict(t=110 if compare else 64))
    if titles:
        fig.update_annotations(font_size=13)
    return fig


# -- heatmap: fits x finalists; a click opens the questions behind the cell -----------------------
st.subheader(ui.tr("ui.coverage.heatmap"), divider="gray")
top = coverage_scale(panels, shares)
scale = ui.tr("ui.coverage.scale_shares") if shares else ui.tr("ui.coverage.scale_counts",
                                                               n=int(top))
st.caption(f"{scale} {ui.tr('ui.coverage.scale_shared')}" if compare else scale)
heat_table = ui.headers(shown.reset_index(), {"finalist": "ui.common.candidate",
                                              "recruitment": "ui.common.recruitment",
                                              **{f: f"fit.{f}" for f in FITS}})


@ui.page_cache(max_entries=32)
def _heatmap(key: tuple, filters: tuple, lang: str, pseudonyms: bool, shares: bool,
             compare: bool, chosen: tuple[str, ...], _panels: list, _top: float) -> go.Figure:
    return ui.style_figure(heatmap(_panels, _top))


event = ui.chart_with_data(_heatmap(*view_key, shares, compare, tuple(chosen), panels, top),
                           heat_table, "coverage_heatmap", on_select="rerun", styled=True)

# A click on a cell picks the finalist and fit below (only when the click is new, so the pickers
# stay free to change afterwards). The selection holds the chart's text (`ui.chart_text`).
sessions = list(matrix.index)
points = ((event or {}).get("selection") or {}).get("points") or []
if points and points[0].get("customdata"):
    by_key = {ui.chart_text(sid): sid for sid in sessions}
    click = (by_key.get(points[0]["customdata"][0]), points[0].get("y"))
    if click != st.session_state.get("coverage_last_click") and click[0] and click[1] in FITS:
        st.session_state["coverage_last_click"] = click
        st.session_state["coverage_pick_session"], st.session_state["coverage_pick_fit"] = click

st.markdown(f"**{ui.tr('ui.coverage.behind')}**")
st.caption(ui.tr("ui.coverage.behind_help"))
if st.session_state.get("coverage_pick_session") not in sessions:
    st.session_state["coverage_pick_session"] = sessions[0]
left, right = st.columns(2)
pick = left.selectbox(ui.tr("ui.common.candidate"), sessions, key="coverage_pick_session",
                      format_func=lambda sid: name_of.get(sid, sid))
fit = right.selectbox(ui.tr("ui.common.fit"), FITS, key="coverage_pick_fit",
                      format_func=ui.fit_name)
behind = data.questions[(data.questions["session_id"] == pick) & (data.questions["fit"] == fit)]
if behind.empty:
    st.caption(ui.tr_markdown("ui.coverage.none_behind", candidate=name_of.get(pick, pick),
                     fit=ui.fit_name(fit)))
else:
    st.dataframe(ui.headers(behind.assign(source=[ui.tr(f"source.{s}") if s else ""
                                                  for s in behind["fit_source"]]),
                            {"seq": "ui.common.seq", "minute": "ui.common.minute",
                             "question": "ui.common.question", "source": "ui.coverage.source"}),
                 hide_index=True, key="coverage_behind")

# -- stacked bar: the same counts as bars in the fits' fixed colours ----------------------------
st.subheader(ui.tr("ui.coverage.bars"), divider="gray")


@ui.page_cache(max_entries=32)
def _bars(key: tuple, filters: tuple, lang: str, pseudonyms: bool, shares: bool,
          chosen: tuple[str, ...], _shown: pd.DataFrame) -> tuple[go.Figure, pd.DataFrame]:
    shown = _shown  # (not hashed: the key says which rows these are)
    long = shown.melt(id_vars=["finalist"], value_vars=list(FITS), var_name="fit",
                      value_name="value")
    long["fit_name"] = long["fit"].map(ui.fit_name)
    value_title = ui.tr("ui.common.share" if shares else "ui.coverage.n_questions")
    bars = go.Figure([
        go.Bar(y=shown["finalist"], x=shown[fit], name=ui.fit_name(fit), orientation="h",
               marker_color=ui.FIT_COLOURS[fit],
               hovertemplate="%{y}: %{x}<extra>" + ui.fit_name(fit) + "</extra>")
        for fit in FITS])
    bars.update_layout(barmode="stack", title=ui.tr("ui.coverage.bars_title"),
                       xaxis_title=value_title, yaxis=dict(autorange="reversed"),
                       height=160 + 28 * len(shown))
    if shares:
        bars.update_xaxes(tickformat=".0%")
    else:  # whole questions: no "0,5" ticks
        bars.update_xaxes(dtick=max(1, -(-int(shown[list(FITS)].sum(axis=1).max()) // 8)))
    bar_table = ui.headers(long, {"finalist": "ui.common.candidate", "fit_name": "ui.common.fit",
                                  "value": "ui.common.share" if shares else "ui.common.count"})
    return ui.style_figure(bars), bar_table


bars, bar_table = _bars(*view_key, shares, tuple(chosen), shown)
ui.chart_with_data(bars, bar_table, "coverage_bars", styled=True)

# -- coverage score ---------------------------------------------------------------------------------
st.subheader(ui.tr("ui.coverage.score"), divider="gray")
st.caption(ui.tr("ui.coverage.score_help"))
# the columns people act on first; the counts per fit are in the map above (and its Data tab),
# so the table fits on screen at 1280 px (with them its last columns were cut off)
ui.figure_table(figures, ["finalist", "fits_covered", "balance", "questions", "recruitment"],
                "coverage_figures")
covered = figures["fits_covered"].value_counts().reindex(range(5), fill_value=0)
st.caption(ui.tr("ui.coverage.all_four", n=int(covered[4]), total=len(figures),
                 fits=", ".join(ui.fit_name(f) for f in FOUR_FITS)))
