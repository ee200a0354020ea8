"""Rendering helpers for the pages: headers, errors, empty states, charts with their data,
tables of figures, and plain text from the data."""
from __future__ import annotations

import hashlib
from typing import Any, Callable

import numpy as np
import pandas as pd
import streamlit as st

import analysis
from analysis import (
    FITS,
    SCORES,
    FileRejected,
    OmvendtError,
    PermissionDenied,
    WorkbookError,
    escape_html,
    MISSING,
    chart_separators,
    escape_markdown,
    markdown_table,
    number_formatter,
    safe_csv,
    signed_text,
)
from ui.auth import current_actor
from ui.language import lang, tr
from ui.reads import TTL, Data, all_data, data, metric, names, retention_due_count

#: Plotly config for every chart: no mode bar clutter, no link to an online editor.
PLOT_CONFIG: dict[str, Any] = {"displaylogo": False, "modeBarButtonsToRemove": ["lasso2d",
                                                                                "select2d"]}


@st.cache_resource(show_spinner=False)
def favicon() -> str:
    """The tab icon, drawn here: a Material icon or emoji favicon would be fetched from a CDN,
    and nothing may leave the machine. A ``data:`` URL, made once: given an image, Streamlit
    encodes it as PNG and files it with its media manager on every run of every page."""
    import base64
    import io

    from PIL import Image, ImageDraw

    img = Image.new("RGBA", (64, 64), (0, 0, 0, 0))
    draw = ImageDraw.Draw(img)
    draw.rounded_rectangle((4, 8, 44, 40), radius=8, fill="#1F4E79")
    draw.rounded_rectangle((20, 24, 60, 56), radius=8, fill="#E69F00")
    png = io.BytesIO()
    img.save(png, format="PNG")
    return "data:image/png;base64," + base64.b64encode(png.getvalue()).decode("ascii")


def data_or_stop() -> Data:
    """The filtered data, or an empty state that says what to do (and the page stops)."""
    if all_data()["sessions"].empty:
        empty_state("ui.common.no_data")
        # only a role that may import has the Import page in its menu to link to
        if current_actor().can("import"):
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


def session_names(sessions: pd.DataFrame, with_key: bool = False) -> dict[str, str]:
    """session_id -> "finalist · recruitment · date", with pseudonyms when they are on: what a
    session picker shows (see `analysis.format.session_names`)."""
    shown = names(sessions[["session_id", "candidate", "recruitment", "date"]], sessions)
    return analysis.session_names(shown, with_key)


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
        fix = f" {tr_markdown(f'fix.{exc.code}')}" if analysis.has(f"fix.{exc.code}") else ""
        st.error(f"**{plain(exc.file)}**: {tr_markdown(f'problem.{exc.code}', **exc.params)}{fix}",
                 icon=":material/block:")
    elif isinstance(exc, WorkbookError):
        st.error(tr("ui.errors.workbook", n=len(exc.problems)), icon=":material/error:")
    elif isinstance(exc, PermissionDenied):
        st.warning(tr("ui.errors.permission", action=exc.action), icon=":material/lock:")
    else:  # the message may quote what the user typed
        st.error(tr_markdown("ui.errors.generic", detail=str(exc)), icon=":material/error:")


def retention_notice() -> None:
    """Say on the Overview when candidates' personal data is past retention (admins act on it)."""
    if not current_actor().can("retention"):
        return
    due = retention_due_count()  # cached per store version and day
    if due:
        st.warning(tr("trust.admin.retention_notice", n=due), icon=":material/auto_delete:")


def empty_state(key: str, **params: object) -> None:
    """An empty page says why it is empty and what to do about it."""
    st.info(tr_markdown(key, **params), icon=":material/info:")


def headers(frame: pd.DataFrame, columns: dict[str, str]) -> pd.DataFrame:
    """``frame`` with only ``columns`` (name -> translation key), in that order, under translated
    headers: what tables and downloads show."""
    keep = [c for c in columns if c in frame.columns]
    return frame[keep].rename(columns={c: tr(columns[c]) for c in keep})


_GRID = "#E6EBF1"


#: The name the house look is registered under in Plotly (`plotly.io.templates`).
TEMPLATE = "omvendt"


@st.cache_resource(show_spinner=False)
def _template() -> dict:
    """A small plain template, made Plotly's default for every figure the app draws from now
    on; returns it as Plotly stores it in a figure.

    Plotly's own default ("plotly") is applied to every new figure and then replaced: setting
    a template on a figure is validated, 7 ms per chart per page view, and building a figure
    with the large default another 2.5 ms. As the default, ours is applied when the figure is
    made, without validation (docs/SCALING.md)."""
    import plotly.graph_objects as go
    import plotly.io as pio

    axis = dict(gridcolor=_GRID, linecolor=_GRID, zerolinecolor=_GRID, automargin=True)
    # The whole look lives in the template, which the browser applies as defaults: setting the
    # same margin, legend, font and title on each figure cost 10-15 ms of Plotly's validation
    # per chart per page view (docs/SCALING.md). A page's own setting wins (the radar's legend).
    template = go.layout.Template(layout=dict(
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
    pio.templates[TEMPLATE] = template
    pio.templates.default = TEMPLATE
    return template.to_plotly_json()


def style_figure(fig, height: int | None = None):
    """One look for every chart: white background, the title at the top, the legend between
    title and plot (never over either), room for long labels; and the data's text (names,
    questions) shown as text, never as Plotly's HTML (`chart_text`)."""
    _escape_chart_text(fig)
    ours = _template()
    # a figure made after the first styled one already carries the template (Plotly's default)
    if fig.layout._props.get("template") != ours:
        fig.layout.template = TEMPLATE
    # decimal and thousands marks of the interface language ("0,5" in Norwegian)
    fig.layout.separators = chart_separators(lang())
    if height:
        fig.update_layout(height=height)
    return fig


#: Trace properties that carry the data's text into a chart (labels, legend, hover).
_TEXT_PROPERTIES = ("name", "x", "y", "text", "hovertext", "customdata", "theta", "labels",
                    "legendgroup")


def chart_text(value: Any) -> Any:
    """The data's text as Plotly shows it: ``<a href>``, ``<b>`` and entities in a name stay
    text (see `analysis.format.escape_html`). Numbers, dates and arrays of them pass through;
    what a chart's selection returns for a category is its escaped text."""
    if isinstance(value, str):
        return escape_html(value)
    if isinstance(value, np.ndarray):
        return value if value.dtype.kind not in "OUS" else np.array(
            [chart_text(v) for v in value.ravel().tolist()], dtype=object).reshape(value.shape)
    if isinstance(value, (list, tuple, pd.Series, pd.Index)):
        return [chart_text(v) for v in list(value)]
    return value


def _escape_chart_text(fig) -> None:
    """Escape the data's text in every trace, and the titles (which quote names); a figure is
    escaped once, however often it is styled."""
    if getattr(fig, "_omvendt_escaped", False):
        return
    for trace in fig.data:
        # Plotly's own dict of what the trace sets, read without the deep copy that
        # to_plotly_json() makes (3 ms per chart); only read, never changed here
        props = getattr(trace, "_props", None)
        if not isinstance(props, dict):
            props = trace.to_plotly_json()
        escaped = {p: chart_text(props[p]) for p in _TEXT_PROPERTIES if p in props}
        # only what escaping changed goes back through Plotly's validation, which costs
        # milliseconds per trace on every page view (docs/SCALING.md)
        changed = {p: v for p, v in escaped.items() if not _unchanged(v, props[p])}
        if changed:
            trace.update(changed)
    layout = fig.layout
    for title in (layout.title, *(axis.title for axis in (layout.xaxis, layout.yaxis))):
        if title.text and escape_html(title.text) != title.text:
            title.text = escape_html(title.text)
    object.__setattr__(fig, "_omvendt_escaped", True)


def _unchanged(escaped: Any, original: Any) -> bool:
    """Whether `chart_text` left a trace property as it was."""
    if escaped is original:
        return True
    if isinstance(original, np.ndarray):
        return original.ravel().tolist() == np.ravel(escaped).tolist()
    if isinstance(original, (list, tuple)):
        return list(escaped) == list(original)
    return escaped == original


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
        numbers_table(frame, key=f"{key}_table")
        download_csv(frame, key)
    return event


def download_csv(frame: pd.DataFrame, key: str, label_key: str = "ui.common.download_csv") -> None:
    """A CSV download of exactly the table shown, written only when it is clicked (writing
    every table's CSV on every run cost a tenth of a page view's CPU: docs/SCALING.md)."""
    language = lang()  # read now: the file is written later, outside the page's run
    st.download_button(tr(label_key), lambda: safe_csv(frame, language),
                       file_name=f"omvendt_{key}.csv",
                       mime="text/csv", key=f"{key}_csv", icon=":material/download:",
                       on_click="ignore")


def plain(text: object) -> str:
    """Text from the data (names, questions, notes, file names) as plain text inside Markdown
    (see `analysis.format.escape_markdown`): every place that writes user text through
    st.markdown, a title, a caption, an alert, a table or a widget label passes it here."""
    return escape_markdown(text)


def tr_markdown(key: str, **params: object) -> str:
    """`tr` for a Markdown place (an alert, a caption, a label): the parameters, which may be
    user text, render as text; the translation itself may use Markdown."""
    return tr(key, **{k: plain(v) if isinstance(v, str) else v for k, v in params.items()})


def percent(value: float | None) -> str:
    """A share as the current language writes it ("45 %" in Norwegian, "45%" in English)."""
    return analysis.percent_text(value, lang())


def signed(value: float | None, digits: int = 0) -> str:
    """A number with its sign ("+40", "−30") in the current language."""
    return signed_text(value, lang(), digits)


def number(value: float | None, digits: int = 1) -> str:
    """A number with the current language's decimal mark."""
    return analysis.number_text(value, lang(), digits)


def finalist_names(frame: pd.DataFrame) -> pd.Series:
    """One unique display name per session row (needs session_id, candidate, recruitment): the
    name, or its pseudonym when they are on (see `analysis.format.finalist_names`)."""
    return analysis.finalist_names(names(frame[["session_id", "candidate", "recruitment"]]))


#: Translation keys of the per-session figures' column headers (`analysis.session_figures`).
FIGURE_HEADERS: dict[str, str] = {
    "finalist": "ui.common.candidate", "candidate": "ui.common.candidate",
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


def _figure_digits(col: str) -> int | None:
    """Decimals a figure is shown with (None: a share, shown as percent)."""
    if col == "follow_up_share" or str(col).startswith("share_"):
        return None
    if col == "balance":
        return 2
    if col in ("mean_thread_depth", "minutes", "manager_minutes") or str(col).startswith(
            "score_"):
        return 1
    return 0


def figure_config(frame: pd.DataFrame) -> dict:
    """Column help for a table of figures under translated headers (the numbers themselves are
    written by `figure_styler`, in the interface language)."""
    config: dict = {}
    for col in frame.columns:
        if col not in FIGURE_HEADERS:
            continue
        help_text = tr(f"report.define.{col}") if col in _DEFINED else None
        config[tr(FIGURE_HEADERS[col])] = st.column_config.Column(help=help_text)
    return config


def numbers_styled(table: pd.DataFrame, digits: dict[str, int | None] | None = None,
                   default: int = 2):
    """``table`` as a pandas Styler whose numbers are written as the interface language writes
    them (`analysis.format.number_formatter`: "0,57" in Norwegian); ``digits`` maps a column to
    its decimals (None: a share in percent). Sorting still uses the numbers."""
    return _styled(table, digits or {}, default, lang())


def _styled(table: pd.DataFrame, digits: dict[str, int | None], default: int, language: str):
    formats = {}
    for col in table.columns:
        if col in digits or pd.api.types.is_float_dtype(table[col]):
            d = digits.get(col, default)
            formats[col] = number_formatter(language, d or 0, percent=d is None)
    return table.style.format(formats, na_rep=MISSING)


def numbers_table(table: pd.DataFrame, digits: dict[str, int | None] | None = None, *,
                  key: str, default: int = 2, column_config: dict | None = None) -> None:
    """``st.dataframe`` of `numbers_styled` (numbers in the interface language, columns that
    still sort as numbers), drawn once per table content and language and then replayed.

    The Styler writes every cell in Python when Streamlit sends it: 70 % of a Coverage view's
    CPU (docs/SCALING.md). The finished element is kept in a bounded, shared cache keyed on a
    hash of the table's values, columns and types (never stale: other data is another key) and
    the language; a hit sends the same element again without touching the Styler.
    """
    digits = digits or {}
    config = column_config or {}
    _numbers_table(_fingerprint(table), lang(), key, tuple(digits.items()), default,
                   repr(sorted(config.items())), table, config)


def _fingerprint(table: pd.DataFrame) -> str:
    """A hash of ``table``'s columns, types and values (vectorised: ~1 ms for 2,000 rows)."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(repr((list(table.columns), [str(t) for t in table.dtypes],
                        table.shape)).encode())
    if len(table) and len(table.columns):
        digest.update(pd.util.hash_pandas_object(table, index=False).to_numpy().tobytes())
    return digest.hexdigest()


# st.cache_resource records the element st.dataframe sends and replays it on a hit (Streamlit's
# element replay for cached functions); the table is not hashed (``_table``): its fingerprint is.
@st.cache_resource(max_entries=64, ttl=TTL, show_spinner=False)
def _numbers_table(fingerprint: str, language: str, key: str, digits: tuple, default: int,
                   config_key: str, _table: pd.DataFrame, _config: dict) -> None:
    styler = _styled(_table, dict(digits), default, language)
    styler.set_uuid(hashlib.blake2b(key.encode(), digest_size=6).hexdigest())
    st.dataframe(styler, hide_index=True, key=key, column_config=_config or None)


#: Most rows a table of figures is shown whole with; longer ones scroll in a grid.
WHOLE_TABLE_ROWS = 20


def figure_table(frame: pd.DataFrame, columns: list[str], key: str,
                 whole: bool = False) -> pd.DataFrame:
    """Show ``columns`` of a figures frame under translated headers, with a CSV download; returns
    the table as shown. ``whole``: a short table is shown whole with its text wrapped (no column
    help, no sorting), for tables too wide for a grid at 1280 px."""
    table = headers(frame, {c: FIGURE_HEADERS[c] for c in columns})
    digits = {tr(FIGURE_HEADERS[c]): _figure_digits(c) for c in columns
              if c in frame and pd.api.types.is_numeric_dtype(frame[c])}
    if whole and len(table) <= WHOLE_TABLE_ROWS:
        # shown whole, its text wrapping: in a grid its last columns were cut off at 1280 px
        st.table(markdown_table(table, lang(), digits), hide_index=True)
    else:
        numbers_table(table, digits, key=f"{key}_table",
                      column_config=figure_config(frame[[c for c in columns if c in frame]]))
    download_csv(table, key)
    return table
