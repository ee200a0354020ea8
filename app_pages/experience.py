"""Candidate experience: the finalists' feedback, in aggregate only.

What may be shown is decided by `analysis.shared_feedback` (no session, finalist or date next to
an answer; no numbers of a group with fewer than `MIN_FEEDBACK_ANSWERS` answers); this page
draws it.
"""
from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

import ui
from analysis import FEEDBACK_ITEMS, NPS_MIN_ANSWERS, config, markdown_table, month_text

MIN = config.MIN_FEEDBACK_ANSWERS
#: Most recruitments drawn side by side; more go to the table only.
MAX_GROUPS = 8
#: Most comments shown whole, wrapped; more scroll in a grid.
MAX_WHOLE_COMMENTS = 100

ui.page_header("experience")
ui.require("read")
ui.data_or_stop()
feedback = ui.data().feedback
if feedback.empty:
    ui.empty_state("ui.experience.empty")
    st.stop()
st.caption(ui.tr("ui.experience.privacy", n=MIN))

shared = ui.metric("shared_feedback", "feedback", min_answers=MIN)
summary = shared.summary  # a small group's numbers are withheld, not only flagged
pooled = summary[summary["overall"]]
if not shared.enough:
    st.warning(ui.tr("ui.experience.too_few", n=shared.answers, min=MIN),
               icon=":material/group_off:")
    st.stop()

item_name = {i: ui.tr(f"ui.experience.item_{i}") for i in FEEDBACK_ITEMS}

# -- headline numbers -----------------------------------------------------------------------------
score = shared.nps
# the score on a row of its own, how sure it is beside it; the four means in a row below (in
# one row of five the labels and the interval were cut off at 1280 px)
nps_col, nps_note = st.columns([1, 2], vertical_alignment="center")
if score is not None:
    nps_col.metric(ui.tr("ui.experience.nps"), ui.signed(score["score"]), border=True,
                   help=ui.tr("ui.experience.nps_help", promoters=score["promoters"],
                              passives=score["passives"], detractors=score["detractors"],
                              n=score["n"]))
    if score["ci_low"] is not None:
        nps_note.caption(ui.tr("ui.experience.nps_interval", low=ui.signed(score["ci_low"]),
                               high=ui.signed(score["ci_high"]), n=score["n"]))
    if score["little_data"]:
        nps_note.caption(ui.tr("ui.experience.nps_little_data", min=NPS_MIN_ANSWERS))
else:
    nps_col.metric(ui.tr("ui.experience.nps"), "–", border=True,
                   help=ui.tr("ui.experience.too_few_short", min=MIN))
cols = st.columns(len(FEEDBACK_ITEMS))
for col, row in zip(cols, pooled.itertuples()):
    col.metric(item_name[row.item], ui.number(row.mean), border=True,
               help=ui.tr("ui.experience.mean_help", n=row.n, scale=ui.tr(
                   "ui.experience.scale_10" if row.item == "recommend" else "ui.experience.scale_5")))

# -- means with 95 % intervals, per recruitment ---------------------------------------------------
st.subheader(ui.tr("ui.experience.means"), divider="gray")
readable = summary[~summary["small_sample"]].copy()
readable["group"] = readable["recruitment"].where(~readable["overall"], ui.tr("ui.experience.all"))
readable["item_name"] = readable["item"].map(item_name)
if readable["recruitment"].nunique() > MAX_GROUPS + 1:
    readable = readable[readable["overall"]]
    st.caption(ui.tr("ui.experience.many_groups", n=MAX_GROUPS))
means = go.Figure()
palette = ["#1F4E79", "#7FA7CC", "#B5651D", "#555555", "#6A3D9A", "#8C8C8C"]
for i, (group, part) in enumerate(readable.groupby("group", sort=False)):
    means.add_trace(go.Bar(
        x=part["item_name"], y=part["mean"], name=group,
        marker_color="#2F2F2F" if group == ui.tr("ui.experience.all") else palette[i % 6],
        error_y=dict(type="data", symmetric=False, array=part["ci_high"] - part["mean"],
                     arrayminus=part["mean"] - part["ci_low"], color="#333333"),
        customdata=part[["n", "ci_low", "ci_high"]].to_numpy(),
        hovertemplate="%{x}: %{y:.2f} (95 %: %{customdata[1]:.2f}–%{customdata[2]:.2f}, "
                      "n = %{customdata[0]})<extra>%{fullData.name}</extra>"))
means.update_layout(barmode="group", title=ui.tr("ui.experience.means_title"),
                    yaxis_title=ui.tr("ui.experience.mean"), xaxis_title=None)
means_table = summary.assign(
    group=summary["recruitment"].where(~summary["overall"], ui.tr("ui.experience.all")),
    item_name=summary["item"].map(item_name),
    flag=summary["small_sample"].map({True: ui.tr("ui.experience.small"), False: ""}))
means_table = ui.headers(means_table, {
    "group": "ui.common.recruitment", "item_name": "ui.experience.item", "n": "ui.common.n",
    "mean": "ui.experience.mean", "ci_low": "ui.experience.ci_low",
    "ci_high": "ui.experience.ci_high", "flag": "ui.experience.flag"})
ui.chart_with_data(means, means_table, "experience_means")
small = summary[summary["small_sample"] & ~summary["overall"]]["recruitment"].unique()
if len(small):
    st.caption(ui.tr("ui.experience.small_groups", n=len(small), min=MIN))
st.caption(ui.tr("ui.experience.ci_help"))

# -- distributions --------------------------------------------------------------------------------
st.subheader(ui.tr("ui.experience.distribution"), divider="gray")
item = st.segmented_control(ui.tr("ui.experience.item"), FEEDBACK_ITEMS, key="experience_item",
                            format_func=item_name.get, default="experience")
item = item or "experience"
counts = shared.distributions[item].reset_index()  # pooled over the recruitments
dist_bar = go.Figure(go.Bar(x=counts["value"], y=counts["count"], marker_color="#1F4E79",
                            hovertemplate="%{x}: %{y}<extra></extra>"))
dist_bar.update_layout(title=ui.tr("ui.experience.distribution_title", item=item_name[item],
                                   n=int(counts["count"].sum())),
                       xaxis_title=ui.tr("ui.experience.answer"),
                       yaxis_title=ui.tr("ui.common.n"))
dist_bar.update_xaxes(dtick=1)
if item == "recommend":
    dist_bar.add_vrect(x0=-0.5, x1=6.5, fillcolor="#D55E00", opacity=0.07, line_width=0,
                       annotation_text=ui.tr("ui.experience.detractors"),
                       annotation_position="top left")
    dist_bar.add_vrect(x0=8.5, x1=10.5, fillcolor="#009E73", opacity=0.07, line_width=0,
                       annotation_text=ui.tr("ui.experience.promoters"),
                       annotation_position="top right")
ui.chart_with_data(dist_bar, ui.headers(counts, {"value": "ui.experience.answer",
                                                 "count": "ui.common.n"}), "experience_dist")

# -- trend ---------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.experience.trend"), divider="gray")
trend = shared.trend
if trend.empty:
    st.caption(ui.tr("ui.experience.no_trend", min=MIN))
else:
    months = [month_text(p, ui.lang()) for p in trend["period"]]
    line = go.Figure([
        go.Scatter(x=trend["period"], y=trend[i], name=item_name[i], mode="lines+markers",
                   line=dict(color=colour), customdata=list(zip(months, trend["n"])),
                   hovertemplate="%{customdata[0]}: %{y:.2f} (n = %{customdata[1]})<extra>"
                                 + item_name[i] + "</extra>")
        for i, colour in zip(("experience", "learned", "fairness"),
                             ("#1F4E79", "#B5651D", "#6A3D9A"))])
    line.update_layout(title=ui.tr("ui.experience.trend_title"),
                       xaxis_title=ui.tr("ui.experience.month"),
                       yaxis_title=ui.tr("ui.experience.mean"))
    line.update_yaxes(range=[1, 5.2])
    # month ticks in the interface language ("mar. 2026"), one per month with data
    line.update_xaxes(tickvals=list(trend["period"]), ticktext=months)
    ui.chart_with_data(line, ui.headers(trend.assign(period=months),
                                        {"period": "ui.experience.month", "n": "ui.common.n",
                                         **{i: f"ui.experience.item_{i}"
                                            for i in FEEDBACK_ITEMS}}), "experience_trend")
    st.caption(ui.tr("ui.experience.trend_help", min=MIN))

# -- comments -------------------------------------------------------------------------------------
st.subheader(ui.tr("ui.experience.comments"), divider="gray")
if not shared.comments:
    st.caption(ui.tr("ui.experience.no_comments", min=MIN))
else:
    comments = pd.DataFrame({ui.tr("ui.experience.comment"): shared.comments})
    if len(comments) <= MAX_WHOLE_COMMENTS:  # read in full, wrapped; a grid cut long ones off
        st.table(markdown_table(comments, ui.lang()), hide_index=True)
    else:
        st.dataframe(comments, hide_index=True, key="experience_comments")
    st.caption(ui.tr("ui.experience.comments_help", n=len(shared.comments), min=MIN))
