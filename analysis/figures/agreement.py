"""Agreement between raters: Krippendorff's alpha (ordinal), per recruitment and criterion, over
open sessions only, with how many sessions it rests on, a bootstrap interval and a plain reading
of its size, which says "too little data" below `MIN_READING_SESSIONS`.
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
#: Fewest sessions before an alpha is read as good, tentative or low. Below it the figure and its
#: interval are shown, with "too little data": from a handful of sessions one disagreement moves
#: alpha from 1 to below 0, and the bootstrap interval of 2-4 sessions spans most of [-1, 1].
#: Five is the smallest recruitment pool (2-3 finalists) times two recruitments.
MIN_READING_SESSIONS = 5
#: Bootstrap resamples of the sessions for alpha's interval (percentile, 95 %), with a fixed seed
#: so that a figure does not change between page views.
BOOTSTRAP_RESAMPLES = 1000


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


def _ordinal_alphas(counts: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Ordinal Krippendorff's alpha for many weightings of the same units at once (the bootstrap):
    ``counts`` is units x values (how many raters gave each value), ``weights`` resamples x units
    (how often each unit was drawn). NaN where a resample has no variation. The same formula as
    the ``krippendorff`` package (coincidences, ordinal distances), vectorised."""
    m = counts.sum(axis=1)
    per_unit = (counts[:, :, None] * counts[:, None, :]
                - np.einsum("uc,ck->uck", counts, np.eye(counts.shape[1])))
    per_unit = per_unit / np.maximum(m - 1, 1)[:, None, None]
    o = np.einsum("bu,uck->bck", weights, per_unit)  # coincidences per resample
    n_c = o.sum(axis=2)
    n = n_c.sum(axis=1)
    cum = np.cumsum(n_c, axis=1)
    # ordinal distance: (sum of n_g for g from c to k, minus half of n_c and n_k) squared
    c_idx, k_idx = np.meshgrid(np.arange(n_c.shape[1]), np.arange(n_c.shape[1]), indexing="ij")
    lo, hi = np.minimum(c_idx, k_idx), np.maximum(c_idx, k_idx)
    between = cum[:, hi] - cum[:, lo] + n_c[:, lo]
    delta = (between - (n_c[:, c_idx] + n_c[:, k_idx]) / 2) ** 2
    observed = (o * delta).sum(axis=(1, 2))
    expected = (n_c[:, :, None] * n_c[:, None, :] * delta).sum(axis=(1, 2))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(expected > 0, 1 - (n - 1) * observed / expected, np.nan)


def alpha_interval(units: list[list[int]], resamples: int = BOOTSTRAP_RESAMPLES,
                   seed: int = 0) -> tuple[float | None, float | None]:
    """A 95 % percentile bootstrap interval for `_alpha`, resampling sessions (the units) with
    replacement; resamples without variation (alpha undefined) are left out. (None, None) below
    `MIN_AGREEMENT_SESSIONS` sessions or when fewer than half of the resamples give an alpha.

    Examples
    --------
    >>> low, high = alpha_interval([[1, 1], [3, 3], [5, 5], [2, 3], [4, 4]])
    >>> -1 <= low <= high <= 1
    True
    """
    if len(units) < MIN_AGREEMENT_SESSIONS:
        return None, None
    lo, hi = SCORE_RANGE
    counts = np.zeros((len(units), hi - lo + 1))
    for i, values in enumerate(units):
        for v in values:
            counts[i, v - lo] += 1
    rng = np.random.default_rng(seed)
    picks = rng.integers(0, len(units), (resamples, len(units)))
    weights = np.zeros((resamples, len(units)))
    np.add.at(weights, (np.arange(resamples)[:, None], picks), 1)
    values = _ordinal_alphas(counts, weights)
    values = values[np.isfinite(values)]
    if len(values) < resamples / 2:
        return None, None
    low, high = np.percentile(values, [2.5, 97.5])
    return float(low), float(high)


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
        ``recruitment, criterion, alpha, alpha_low, alpha_high, sessions, ratings, reading,
        little_data``; ``sessions`` is how many sessions with two or more scores the figure
        rests on (its n), ``alpha`` is NA when it cannot be computed, ``alpha_low`` and
        ``alpha_high`` its 95 % bootstrap interval (`alpha_interval`), ``reading`` a key for
        `agreement_reading` and ``little_data`` true below `MIN_READING_SESSIONS` sessions.

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
    # each (recruitment, criterion)'s scores per session, in one pass over the rows: a pandas
    # mask and groupby per recruitment and criterion cost 10 s on 775 recruitments
    scores: dict[tuple, dict[str, list[int]]] = {}
    for recruitment, session, *values in merged[["recruitment", "session_id", *SCORES]].itertuples(
            index=False, name=None):
        for criterion, value in zip(SCORES, values):
            if not pd.isna(value):
                scores.setdefault((recruitment, criterion), {}).setdefault(
                    session, []).append(int(value))
    rows = []
    # every recruitment gets its rows, so one with nothing open yet says so instead of vanishing
    for recruitment in sorted(sessions["recruitment"].dropna().unique()):
        for criterion in SCORES:
            by_session = scores.get((recruitment, criterion), {})
            # sessions in order (the bootstrap's seeded draws depend on it), two scores or more
            units = [by_session[k] for k in sorted(by_session) if len(by_session[k]) >= 2]
            n_ratings = sum(len(u) for u in units)
            alpha = _alpha(units) if len(units) >= MIN_AGREEMENT_SESSIONS else None
            low, high = alpha_interval(units) if alpha is not None else (None, None)
            rows.append((recruitment, criterion, alpha, low, high, len(units), n_ratings,
                         _reading_key(alpha, len(units), units),
                         len(units) < MIN_READING_SESSIONS))
    frame = pd.DataFrame(rows, columns=["recruitment", "criterion", "alpha", "alpha_low",
                                        "alpha_high", "sessions", "ratings", "reading",
                                        "little_data"])
    for col in ("alpha", "alpha_low", "alpha_high"):
        frame[col] = frame[col].astype("Float64")
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
    return t(f"agreement.reading.{key}", lang, min=MIN_AGREEMENT_SESSIONS,
             min_reading=MIN_READING_SESSIONS, **params)


def _reading_text(key: str, little_data: bool, n: int, lang: str) -> str:
    """A figure's reading; a good, tentative or low alpha from too few sessions reads as "too
    little data" instead (the size of such an alpha says little)."""
    if little_data and key in ("good", "tentative", "low"):
        return agreement_reading("little_data", lang, n=n)
    return agreement_reading(key, lang)


def recruitment_agreement(store: "Store", lang: str = "nb",
                          recruitment: str | None = None) -> pd.DataFrame:
    """`agreement` over what the store's actor may see, with the criterion and the reading
    translated (``criterion_label``, ``reading_text``); of one ``recruitment`` if given (every
    recruitment of a 2,000-session store takes seconds, one a few milliseconds)."""
    states = session_states(store)
    if recruitment is not None:
        states = states[(states["recruitment"] == recruitment).to_numpy()]
    frame = agreement(visible_ratings(store), states)
    frame["criterion_label"] = frame["criterion"].map(lambda c: t(f"ratings.score.{c}", lang))
    frame["reading_text"] = [_reading_text(k, little, n, lang) for k, little, n in
                             zip(frame["reading"], frame["little_data"], frame["sessions"])]
    return frame
