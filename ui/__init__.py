"""The Streamlit side of Omvendt: what app.py and the pages share.

- `ui.auth`: who is using the app (team-mode sign-in, roles on pages) and the store they see;
- `ui.reads`: cached reads keyed on the store's version and the sidebar's filters, and the model;
- `ui.sidebar`: the shared sidebar (language, filters, pseudonyms);
- `ui.render`: headers, errors, notices, empty states, charts with their data, tables of
  figures, and user text escaped for Markdown and charts;
- `ui.language`: the interface language, translations and fit display names.

Pages import this package (``import ui``) and call the names below; everything they compute comes
from `analysis`.
"""
from ui.auth import (
    account_box,
    cache_key,
    shared_key,
    current_actor,
    require,
    sign_in_gate,
    store,
    team_mode,
    visible_pages,
)
from ui.language import (
    FIT_COLOURS,
    FIT_ORDER,
    NO_FIT_COLOUR,
    fit_category_order,
    fit_colour_map,
    fit_name,
    lang,
    tr,
)
from ui.reads import (
    Data,
    all_data,
    clear_caches,
    data,
    filter_key,
    filters,
    labeller_or_none,
    metric,
    model,
    names,
    page_cache,
    pseudonyms_on,
)
from ui.render import (
    FIGURE_HEADERS,
    PLOT_CONFIG,
    act,
    chart_text,
    chart_with_data,
    data_or_stop,
    download_csv,
    empty_state,
    favicon,
    figure_config,
    figure_table,
    finalist_names,
    headers,
    held_figures_or_stop,
    number,
    numbers_styled,
    numbers_table,
    or_stop,
    page_header,
    percent,
    plain,
    render_error,
    retention_notice,
    session_names,
    signed,
    style_figure,
    tr_markdown,
)
from ui.sidebar import FILTER_KEYS, init_state, sidebar

__all__ = [
    "FIGURE_HEADERS", "FILTER_KEYS", "FIT_COLOURS", "FIT_ORDER", "NO_FIT_COLOUR", "PLOT_CONFIG",
    "Data", "account_box", "act", "all_data", "cache_key", "shared_key", "chart_text", "chart_with_data",
    "clear_caches", "current_actor", "data", "data_or_stop", "download_csv", "empty_state",
    "favicon", "figure_config", "figure_table", "filter_key", "filters", "finalist_names",
    "fit_category_order", "fit_colour_map", "fit_name", "headers", "held_figures_or_stop",
    "init_state", "labeller_or_none", "lang", "metric", "model", "names", "number",
    "numbers_styled", "numbers_table", "or_stop", "page_cache",
    "page_header", "percent", "plain", "pseudonyms_on", "render_error", "require",
    "retention_notice", "session_names", "sidebar", "signed", "sign_in_gate", "store", "style_figure",
    "team_mode", "tr", "tr_markdown", "visible_pages",
]
