"""Fit coverage: how many questions each finalist asked in each fit, and how evenly."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import ui
from analysis import FITS, FOUR_FITS, UNCERTAIN_BELOW, uncertain_count

#: Most rows a chart draws before it asks for a narrower filter (a 2,000-row heatmap is noise).
MAX_ROWS = 60

ui.page_header("coverage")
ui.require("read_questions")
figures = ui.held_figures_or_stop()
data = ui.data_or_stop()
unsure, counted = uncertain_count(data.questions)
if unsure:  # how far to trust a difference between finalists
    st.info(ui.tr("ui.coverage.uncertain_note", uncertain=unsure, total=counted,
                  threshold=ui.percent(UNCERTAIN_BELOW)), icon=":material/help:")

shares = st.toggle(ui.tr("ui.coverage.as_shares"), key="coverage_shares")
matrix = ui.metric("fit_matrix", "questions", "sessions", normalize=shares)
figures = figures.assign(finalist=ui.finalist_names(figures).to_numpy())
name_of = dict(zip(figures["session_id"], figures["finalist"]))
matrix = matrix.assign(finalist=matrix.index.map(name_of))

shown = matrix.head(MAX_ROWS)
if len(matrix) > MAX_ROWS:
    st.caption(ui.tr("ui.coverage.capped", shown=MAX_ROWS, total=len(matrix)))

# -- heatmap: finalists x fits; a click opens the questions behind the cell -----------------------
st.subheader(ui.tr("ui.coverage.heatmap"), divider="gray")
fit_names = [ui.fit_name(f) for f in FITS]
values = shown[list(FITS)].to_numpy()
text = [[ui.percent(v) if shares else ui.number(v, 0) for v in row] for row in values]
heat = go.Figure(go.Heatmap(
    z=values, x=fit_names, y=shown["finalist"].tolist(), text=text, texttemplate="%{text}",
    colorscale="Blues", zmin=0, customdata=[[sid] * len(FITS) for sid in shown.index],
    colorbar=dict(title=ui.tr("ui.common.share" if shares else "ui.common.count")),
    hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>", xgap=2, ygap=2))
heat.update_layout(title=ui.tr("ui.coverage.heatmap_title"),
                   xaxis_title=ui.tr("ui.common.fit"), yaxis_title=None,
                   yaxis=dict(autorange="reversed"), height=160 + 32 * len(shown))
heat_table = ui.headers(matrix.reset_index(), {"finalist": "ui.common.candidate",
                                               **{f: f"fit.{f}" for f in FITS}})
event = ui.chart_with_data(heat, heat_table, "coverage_heatmap", on_select="rerun")

# A click on a cell picks the finalist and fit below (only when the click is new, so the pickers
# stay free to change afterwards).
points = (event or {}).get("selection", {}).get("points", []) if event else []
if points:
    point = points[0]
    click = (point.get("y"), point.get("x"))
    if click != st.session_state.get("coverage_last_click"):
        st.session_state["coverage_last_click"] = click
        # the chart holds the names as Plotly shows text (`ui.chart_text`)
        by_name = {ui.chart_text(v): k for k, v in name_of.items()}
        if click[0] in by_name:
            st.session_state["coverage_pick_session"] = by_name[click[0]]
        fit_by_name = {ui.fit_name(f): f for f in FITS}
        if click[1] in fit_by_name:
            st.session_state["coverage_pick_fit"] = fit_by_name[click[1]]

st.markdown(f"**{ui.tr('ui.coverage.behind')}**")
sessions = list(matrix.index)
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
long = shown.melt(id_vars=["finalist"], value_vars=list(FITS), var_name="fit", value_name="value")
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
bar_table = ui.headers(long, {"finalist": "ui.common.candidate", "fit_name": "ui.common.fit",
                              "value": "ui.common.share" if shares else "ui.common.count"})
ui.chart_with_data(bars, bar_table, "coverage_bars")

# -- coverage score ---------------------------------------------------------------------------------
st.subheader(ui.tr("ui.coverage.score"), divider="gray")
st.caption(ui.tr("ui.coverage.score_help"))
# the columns people act on first, so they are on screen at 1280 px
ui.figure_table(figures, ["finalist", "fits_covered", "balance", "questions",
                          *[f"n_{f}" for f in FITS], "recruitment"], "coverage_figures")
covered = figures["fits_covered"].value_counts().reindex(range(5), fill_value=0)
st.caption(ui.tr("ui.coverage.all_four", n=int(covered[4]), total=len(figures),
                 fits=", ".join(ui.fit_name(f) for f in FOUR_FITS)))
