"""Statistics that say how sure they are (issue 12): alpha's bootstrap interval and n, the
"too little data" reading below the documented minimum, and cNPS with its interval."""
from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from analysis import (
    MIN_READING_SESSIONS,
    NPS_MIN_ANSWERS,
    SCORES,
    agreement,
    alpha_interval,
    nps,
    signed_text,
)
from analysis.figures.agreement import _alpha, _ordinal_alphas, _reading_text


def _units(seed: int, n: int) -> list[list[int]]:
    rng = np.random.default_rng(seed)
    return [[int(v) for v in rng.integers(1, 6, int(rng.integers(2, 4)))] for _ in range(n)]


@pytest.mark.parametrize("seed", range(6))
def test_the_vectorised_alpha_is_the_packages_alpha(seed):
    units = _units(seed, 3 + seed)
    counts = np.zeros((len(units), 5))
    for i, values in enumerate(units):
        for v in values:
            counts[i, v - 1] += 1
    assert _ordinal_alphas(counts, np.ones((1, len(units))))[0] == pytest.approx(_alpha(units))


def test_the_interval_holds_alpha_and_is_stable():
    agree = [[v, v] for v in (1, 2, 3, 4, 5)] * 2 + [[2, 3], [4, 5]]
    low, high = alpha_interval(agree)
    assert low <= _alpha(agree) <= high <= 1
    assert alpha_interval(agree, seed=0) == (low, high)  # the same figure on every view
    assert alpha_interval(agree[:1]) == (None, None)


def test_alpha_from_few_sessions_reads_as_too_little_data():
    pairs = [(1, 1), (3, 3), (5, 5)]  # perfect agreement, but only three sessions
    ratings = pd.DataFrame([{"session_id": f"s{i}", "rater": r, "role_insight": v}
                            for i, pair in enumerate(pairs) for r, v in zip("ab", pair)])
    ratings = ratings.reindex(columns=["session_id", "rater", *SCORES])
    sessions = pd.DataFrame({"session_id": ["s0", "s1", "s2"], "recruitment": "R", "open": True})
    row = agreement(ratings, sessions).set_index("criterion").loc["role_insight"]
    assert row["alpha"] == 1.0 and row["sessions"] == 3 and row["little_data"]
    assert pd.notna(row["alpha_low"]) and row["alpha_high"] == 1.0
    text = _reading_text(row["reading"], row["little_data"], 3, "nb")
    assert text.startswith("For lite data") and f"minst {MIN_READING_SESSIONS}" in text
    assert _reading_text("good", False, 9, "nb") == "God enighet."


def test_cnps_has_an_interval_and_a_small_n_flag():
    small = nps(pd.Series([10, 9, 8, 3, 10]))
    assert small["ci_low"] < small["score"] < small["ci_high"] <= 100
    assert small["little_data"]
    big = nps(pd.Series([10, 9, 8, 3, 10] * 20))
    assert not big["little_data"] and big["score"] == small["score"]
    assert big["ci_high"] - big["ci_low"] < small["ci_high"] - small["ci_low"]
    assert nps(pd.Series([9]))["ci_low"] is None
    assert NPS_MIN_ANSWERS == 30


def test_signed_numbers():
    assert signed_text(40.0) == "+40" and signed_text(-30.4) == "\u221230"
    assert signed_text(0.2) == "0" and signed_text(None) == "–"
