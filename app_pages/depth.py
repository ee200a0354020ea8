"""Follow-up depth: questions as threads (a root question and its chain of follow-ups)."""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from analysis import FITS, conversation, short_text

MAX_ROWS = 60
#: Characters of a thread's first question that name its row on the timeline.
ROW_LABEL_WIDTH = 34
#: The conversation's columns under their headers, in the order the table shows them.
CONVERSATION_HEADERS = {
    "seq": "ui.common.seq", "minute": "ui.common.minute", "row": "ui.depth.thread",
    "follow_up_to": "ui.depth.follows", "follow_ups": "ui.depth.follow_ups_under",
    "fit_name": "ui.common.fit", "question": "ui.common.question"}

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
# the depth figures first, so they are on screen at 1280 px; the long recruitment name last
ui.figure_table(figures, ["finalist", "max_depth", "mean_thread_depth", "follow_up_share",
                          "threads", "questions", "recruitment"], "depth_figures", whole=True)

# -- one conversation ---------------------------------------------------------------------------
st.subheader(ui.tr("ui.depth.timeline"), divider="gray")
sessions = figures["session_id"].tolist()
if st.session_state.get("depth_session") not in sessions:
    st.session_state["depth_session"] = sessions[0]
pick = st.selectbox(ui.tr("ui.depth.pick"), sessions, key="depth_session",
                    format_func=lambda sid: name_of.get(sid, sid))
questions = data.questions
mine = conversation(questions[questions["session_id"] == pick])  # in the order asked
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
    text_of = dict(zip(mine["seq"], mine["question"]))
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
        # each point carries its number, the link to the table under the chart
        timeline.add_trace(go.Scatter(
            x=part["x"], y=part["row"], mode="markers+text", name=ui.fit_name(fit),
            text=[str(seq) for seq in part["seq"]], textposition="top center",
            textfont=dict(size=11, color="#5A6672"),
            marker=dict(size=14 - 2 * part["depth"].clip(upper=3),
                        color=ui.FIT_COLOURS.get(fit, ui.NO_FIT_COLOUR),
                        symbol=["circle" if d == 0 else "diamond" for d in part["depth"]],
                        line=dict(color="white", width=1)),
            customdata=list(zip(part["seq"], part["question"], part["depth"])),
            hovertemplate=(f"{ui.tr('ui.common.seq')} %{{customdata[0]}} · "
                           f"{ui.tr('ui.common.depth')} %{{customdata[2]}}"
                           "<br>%{customdata[1]}<extra></extra>")))
    # a thread's row is named by its first question in short (tick labels are not styled, so
    # the data's text is escaped here)
    row_labels = [ui.chart_text(f"{row_of[root]} · " + (
        short_text(text_of[root], ROW_LABEL_WIDTH) if root in text_of
        else ui.tr("ui.depth.missing_root", seq=root))) for root in roots]
    timeline.update_layout(
        title=ui.tr("ui.depth.timeline_title", candidate=name_of.get(pick, pick)),
        xaxis_title=ui.tr("ui.common.minute" if timed else "ui.depth.order"),
        yaxis=dict(title=None, autorange="reversed", tickvals=list(range(1, len(roots) + 1)),
                   ticktext=row_labels),
        height=200 + 36 * len(roots))
    table = mine.assign(
        follow_up_to=mine["follow_up_to"].astype("Int64"), minute=mine["minute"].round(1))
    ui.chart_with_data(timeline, ui.headers(table, CONVERSATION_HEADERS), "depth_timeline")
    st.caption(ui.tr("ui.depth.timeline_help"))

    # -- the same questions to read, linked to the chart by their number -------------------------
    st.markdown(f"**{ui.tr('ui.depth.questions')}**")
    st.caption(ui.tr("ui.depth.questions_help"))
    st.table(ui.headers(table.assign(
        seq=[ui.number(v, 0) for v in table["seq"]],
        minute=[ui.number(v, 0) if v == v else "" for v in table["minute"]],
        row=[ui.number(v, 0) for v in table["row"]],
        follow_up_to=["" if pd.isna(v) else ui.number(v, 0) for v in table["follow_up_to"]],
        follow_ups=[ui.number(v, 0) for v in table["follow_ups"]],
        question=[ui.plain(q) for q in table["question"]]), CONVERSATION_HEADERS),
        hide_index=True)

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
