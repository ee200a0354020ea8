"""Follow-up depth: questions as threads (a root question and its chain of follow-ups)."""
from __future__ import annotations

import plotly.graph_objects as go
import streamlit as st

import ui
from analysis import FITS

MAX_ROWS = 60

ui.page_header("depth")
ui.require("read_questions")
figures = ui.held_figures_or_stop()
data = ui.data_or_stop()
figures = figures.assign(finalist=ui.finalist_names(figures).to_numpy())
name_of = dict(zip(figures["session_id"], figures["finalist"]))

# -- per finalist -----------------------------------------------------------------------------
st.subheader(ui.tr("ui.depth.per_finalist"), divider="gray")
shown = figures.head(MAX_ROWS)
if len(figures) > MAX_ROWS:
    st.caption(ui.tr("ui.coverage.capped", shown=MAX_ROWS, total=len(figures)))
bars = go.Figure([
    go.Bar(y=shown["finalist"], x=shown[figure], name=ui.tr(ui.FIGURE_HEADERS[figure]),
           orientation="h", marker_color=colour)
    for figure, colour in (("mean_thread_depth", "#7FA7CC"), ("max_depth", "#1F4E79"))])
bars.update_layout(barmode="group", title=ui.tr("ui.depth.bars_title"),
                   xaxis_title=ui.tr("ui.common.depth"), yaxis=dict(autorange="reversed"),
                   height=160 + 36 * len(shown))
ui.chart_with_data(bars, ui.headers(shown, {c: ui.FIGURE_HEADERS[c] for c in (
    "finalist", "questions", "threads", "follow_up_share", "mean_thread_depth", "max_depth")}),
    "depth_bars")
ui.figure_table(figures, ["finalist", "recruitment", "questions", "threads", "follow_up_share",
                          "mean_thread_depth", "max_depth"], "depth_figures")

# -- one conversation ---------------------------------------------------------------------------
st.subheader(ui.tr("ui.depth.timeline"), divider="gray")
sessions = figures["session_id"].tolist()
if st.session_state.get("depth_session") not in sessions:
    st.session_state["depth_session"] = sessions[0]
pick = st.selectbox(ui.tr("ui.depth.pick"), sessions, key="depth_session",
                    format_func=lambda sid: name_of.get(sid, sid))
threads = ui.metric("with_depth", "questions")
mine = threads[threads["session_id"] == pick].sort_values("seq")
if mine.empty:
    ui.empty_state("ui.depth.no_questions")
else:
    # minute on x when every question has one, else the order in which they were asked
    timed = mine["minute"].notna().all()
    x_col = "minute" if timed else "seq"
    roots = sorted(mine["thread"].unique())
    row_of = {root: i + 1 for i, root in enumerate(roots)}
    mine = mine.assign(row=mine["thread"].map(row_of), fit_name=mine["fit"].map(ui.fit_name),
                       x=mine[x_col])
    position = dict(zip(mine["seq"], zip(mine["x"], mine["row"])))
    timeline = go.Figure()
    # grey links from each follow-up to the question it follows up (drawn first, under the dots)
    link_x, link_y = [], []
    for seq, parent in zip(mine["seq"], mine["follow_up_to"]):
        if parent == parent and parent is not None and int(parent) in position:
            (x0, y0), (x1, y1) = position[int(parent)], position[seq]
            link_x += [x0, x1, None]
            link_y += [y0, y1, None]
    timeline.add_trace(go.Scatter(x=link_x, y=link_y, mode="lines", hoverinfo="skip",
                                  line=dict(color="#B0B7C0", width=2),
                                  name=ui.tr("ui.depth.link")))
    for fit in (*FITS, None):
        part = mine[mine["fit"].isna()] if fit is None else mine[mine["fit"] == fit]
        if part.empty:
            continue
        timeline.add_trace(go.Scatter(
            x=part["x"], y=part["row"], mode="markers", name=ui.fit_name(fit),
            marker=dict(size=14 - 2 * part["depth"].clip(upper=3),
                        color=ui.FIT_COLOURS.get(fit, ui.NO_FIT_COLOUR),
                        symbol=["circle" if d == 0 else "diamond" for d in part["depth"]],
                        line=dict(color="white", width=1)),
            customdata=list(zip(part["seq"], part["question"], part["depth"])),
            hovertemplate=(f"{ui.tr('ui.common.seq')} %{{customdata[0]}} · "
                           f"{ui.tr('ui.common.depth')} %{{customdata[2]}}"
                           "<br>%{customdata[1]}<extra></extra>")))
    timeline.update_layout(
        title=ui.tr("ui.depth.timeline_title", candidate=name_of.get(pick, pick)),
        xaxis_title=ui.tr("ui.common.minute" if timed else "ui.depth.order"),
        yaxis=dict(title=ui.tr("ui.depth.thread_axis"), autorange="reversed", dtick=1),
        height=180 + 30 * len(roots))
    ui.chart_with_data(timeline, ui.headers(mine.assign(fit_name=mine["fit_name"]), {
        "seq": "ui.common.seq", "minute": "ui.common.minute", "row": "ui.depth.thread",
        "depth": "ui.common.depth", "fit_name": "ui.common.fit",
        "question": "ui.common.question"}), "depth_timeline")
    st.caption(ui.tr("ui.depth.timeline_help"))

    # -- which fits this finalist dug into ---------------------------------------------------
    st.subheader(ui.tr("ui.depth.dug"), divider="gray")
    dug = ui.metric("dug_into", "questions")
    dug_mine = dug[dug["session_id"] == pick].assign(
        fit_name=lambda f: f["fit"].astype(str).map(ui.fit_name))
    if dug_mine.empty:
        st.caption(ui.tr("ui.depth.no_dug"))
    else:
        dug_bar = go.Figure(go.Bar(
            x=dug_mine["fit_name"], y=dug_mine["follow_ups"],
            marker_color=[ui.FIT_COLOURS.get(str(f), ui.NO_FIT_COLOUR) for f in dug_mine["fit"]],
            customdata=dug_mine[["threads", "max_depth"]].to_numpy(),
            hovertemplate=("%{x}: %{y} " + ui.tr("ui.depth.follow_ups").lower() + "<br>"
                           + ui.tr("report.figure.threads") + ": %{customdata[0]} · "
                           + ui.tr("report.figure.max_depth") + ": %{customdata[1]}"
                           "<extra></extra>")))
        dug_bar.update_layout(
            title=ui.tr("ui.depth.dug_title", candidate=name_of.get(pick, pick)),
            xaxis=dict(title=ui.tr("ui.common.fit"), categoryorder="array",
                       categoryarray=ui.fit_category_order()),
            yaxis=dict(title=ui.tr("ui.depth.follow_ups"), dtick=1), showlegend=False,
            height=360)
        ui.chart_with_data(dug_bar, ui.headers(dug_mine, {
            "fit_name": "ui.common.fit", "threads": "report.figure.threads",
            "follow_ups": "ui.depth.follow_ups", "max_depth": "report.figure.max_depth"}),
            "depth_dug")
