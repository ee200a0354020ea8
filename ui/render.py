"""Rendering helpers for the pages: headers, errors, empty states, charts with their data,
tables of figures, and plain text from the data."""
from __future__ import annotations

import re
from typing import Any, Callable

import pandas as pd
import streamlit as st

from analysis import (
    FITS,
    SCORES,
    FileRejected,
    OmvendtError,
    PermissionDenied,
    WorkbookError,
    safe_csv,
)
from ui.language import lang, tr
from ui.reads import Data, all_data, data, metric, names

#: Fits in their one order, each with one colour on every chart (Okabe–Ito, colour-blind safe).


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


def data_or_stop() -> Data:
    """The filtered data, or an empty state that says what to do (and the page stops)."""
    if all_data()["sessions"].empty:
        empty_state("ui.common.no_data")
        st.page_link("app_pages/import_data.py", label=tr("ui.import.title"),
                     icon=":material/upload_file:")
        st.stop()
    d = data()
    if d.sessions.empty:
        empty_state("ui.common.no_match")
        st.stop()
    return d


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
    # The whole look lives in the template, which the browser applies as defaults: setting the
    # same margin, legend, font and title on each figure cost 10-15 ms of Plotly's validation
    # per chart per page view (docs/SCALING.md). A page's own setting wins (the radar's legend).
    return go.layout.Template(layout=dict(
        paper_bgcolor="white", plot_bgcolor="white",
        font=dict(color="#1E2A35", family="sans-serif", size=13),
        xaxis=axis, yaxis=axis, hoverlabel=dict(font_size=13),
        polar=dict(bgcolor="white", radialaxis=dict(gridcolor=_GRID, linecolor=_GRID),
                   angularaxis=dict(gridcolor=_GRID, linecolor=_GRID)),
        margin=dict(l=10, r=10, t=100, b=10),
        legend=dict(orientation="h", yanchor="bottom", y=1.02, xanchor="left", x=0,
                    traceorder="normal"),
        title=dict(x=0, xanchor="left", y=1, yref="container", yanchor="top",
                   pad=dict(t=14, l=4), font=dict(size=16))))


def style_figure(fig, height: int | None = None):
    """One look for every chart: white background, the title at the top, the legend between
    title and plot (never over either), room for long labels."""
    fig.layout.template = _template()
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
    """A CSV download of exactly the table shown, written only when it is clicked (writing
    every table's CSV on every run cost a tenth of a page view's CPU: docs/SCALING.md)."""
    st.download_button(tr(label_key), lambda: safe_csv(frame), file_name=f"omvendt_{key}.csv",
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
