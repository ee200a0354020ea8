"""Agreement between raters: Krippendorff's alpha (ordinal), per recruitment and criterion, over
open sessions only, with a plain reading of its size.
"""
from __future__ import annotations

import math
from typing import TYPE_CHECKING

import krippendorff
import numpy as np
import pandas as pd

from analysis.i18n import t
from analysis.workbook.schema import SCORES
from analysis.store.ratings import SCORE_RANGE
from analysis.store.ratings import session_states
from analysis.store.ratings import visible_ratings

if TYPE_CHECKING:  # the store imports this module lazily; avoid the cycle at import time
    from analysis.store.core import Store


#: Alpha thresholds from Krippendorff (2004): >= 0.8 reliable, >= 0.667 tentative conclusions.
ALPHA_GOOD = 0.8
ALPHA_TENTATIVE = 0.667
#: Fewest sessions with two or more ratings before an alpha is computed at all.
MIN_AGREEMENT_SESSIONS = 2


def _alpha(per_session: list[list[int]]) -> float | None:
    """Ordinal Krippendorff's alpha over sessions (units) with their raters' scores."""
    lo, hi = SCORE_RANGE
    domain = list(range(lo, hi + 1))
    counts = np.zeros((len(per_session), len(domain)))
    for i, values in enumerate(per_session):
        for v in values:
            counts[i, v - lo] += 1
    with np.errstate(divide="ignore", invalid="ignore"):
        value = krippendorff.alpha(value_counts=counts, value_domain=domain,
                                   level_of_measurement="ordinal")
    value = float(value)
    return None if math.isnan(value) or math.isinf(value) else value


def agreement(ratings: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """Krippendorff's alpha (ordinal) per recruitment and criterion, over open sessions.

    Parameters
    ----------
    ratings : DataFrame
        Rating rows with ``session_id`` and the five scores (e.g. `visible_ratings`).
    sessions : DataFrame
        ``session_id, recruitment, open`` (e.g. `session_states`); closed sessions are left out,
        so an agreement figure can never leak a closed session's scores.

    Returns
    -------
    DataFrame
        ``recruitment, criterion, alpha, sessions, ratings, reading``; ``sessions`` is how many
        sessions with two or more scores the figure rests on, ``alpha`` is NA when it cannot be
        computed and ``reading`` is a key for `agreement_reading`.

    Examples
    --------
    >>> r = pd.DataFrame({"session_id": ["a", "a", "b", "b"], "role_insight": [4, 4, 2, 2],
    ...                   **{s: [3, 3, 3, 3] for s in SCORES[1:]}})
    >>> s = pd.DataFrame({"session_id": ["a", "b"], "recruitment": ["R", "R"], "open": [True] * 2})
    >>> float(agreement(r, s).set_index("criterion").loc["role_insight", "alpha"])
    1.0
    """
    open_sessions = sessions[sessions["open"].astype(bool)]
    merged = ratings.merge(open_sessions[["session_id", "recruitment"]], on="session_id")
    rows = []
    # every recruitment gets its rows, so one with nothing open yet says so instead of vanishing
    for recruitment in sorted(sessions["recruitment"].dropna().unique()):
        part = merged[merged["recruitment"] == recruitment]
        for criterion in SCORES:
            values = part[["session_id", criterion]].dropna()
            units = [[int(v) for v in group[criterion]]
                     for _, group in values.groupby("session_id")]
            units = [u for u in units if len(u) >= 2]
            n_ratings = sum(len(u) for u in units)
            alpha = _alpha(units) if len(units) >= MIN_AGREEMENT_SESSIONS else None
            rows.append((recruitment, criterion, alpha, len(units), n_ratings,
                         _reading_key(alpha, len(units), units)))
    frame = pd.DataFrame(rows, columns=["recruitment", "criterion", "alpha", "sessions",
                                        "ratings", "reading"])
    frame["alpha"] = frame["alpha"].astype("Float64")
    return frame


def _reading_key(alpha: float | None, n_sessions: int, units: list[list[int]]) -> str:
    if n_sessions < MIN_AGREEMENT_SESSIONS:
        return "too_few"
    if alpha is None:
        # every score the same: the raters agree, but alpha has no variation to measure against
        return "no_variation" if len({v for u in units for v in u}) <= 1 else "undefined"
    if alpha >= ALPHA_GOOD:
        return "good"
    if alpha >= ALPHA_TENTATIVE:
        return "tentative"
    return "low"


def agreement_reading(key: str, lang: str = "nb", **params: object) -> str:
    """The plain-language reading of an agreement figure (see `agreement`)."""
    return t(f"agreement.reading.{key}", lang, min=MIN_AGREEMENT_SESSIONS, **params)


def recruitment_agreement(store: "Store", lang: str = "nb") -> pd.DataFrame:
    """`agreement` over what the store's actor may see, with the criterion and the reading
    translated (``criterion_label``, ``reading_text``)."""
    states = session_states(store)
    frame = agreement(visible_ratings(store), states)
    frame["criterion_label"] = frame["criterion"].map(lambda c: t(f"ratings.score.{c}", lang))
    frame["reading_text"] = frame["reading"].map(lambda k: agreement_reading(k, lang))
    return frame
