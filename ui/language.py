"""The interface language, and the words that depend on it: translations and fit names."""
from __future__ import annotations

import streamlit as st

import analysis
from analysis import FITS
from analysis.i18n import DEFAULT_LANGUAGE, LANGUAGES, t

#: Fits in their one order, each with one colour on every chart (Okabe–Ito, colour-blind safe).
FIT_ORDER: tuple[str, ...] = FITS
FIT_COLOURS: dict[str, str] = {
    "job": "#0072B2",
    "group": "#E69F00",
    "supervisor": "#009E73",
    "organization": "#CC79A7",
    "other": "#999999",
}
#: The colour of questions without a fit.
NO_FIT_COLOUR = "#D9D9D9"


def lang() -> str:
    """The language the user picked in the sidebar (nb by default)."""
    value = st.session_state.get("lang", DEFAULT_LANGUAGE)
    return value if value in LANGUAGES else DEFAULT_LANGUAGE


def tr(key: str, **params: object) -> str:
    """Translate ``key`` into the current language (see `analysis.i18n.t`)."""
    return t(key, lang(), **params)


def fit_name(fit: object) -> str:
    """A fit code's display name in the current language (see `analysis.format.fit_name`)."""
    return analysis.fit_name(fit, lang())


def fit_colour_map() -> dict[str, str]:
    """Fit display name -> colour, for Plotly's ``color_discrete_map``."""
    return {fit_name(f): c for f, c in FIT_COLOURS.items()} | {fit_name(None): NO_FIT_COLOUR}


def fit_category_order() -> list[str]:
    """Fit display names in `FIT_ORDER`, for Plotly's ``category_orders``."""
    return [fit_name(f) for f in FIT_ORDER]
