"""Candidate feedback: means with confidence intervals, cNPS, distributions and the trend, and
`shared_feedback`, the same figures as they may be shown to people (the privacy rules).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis import config
from analysis.errors import InputError
from analysis.figures.sessions import ALL, _dates
from analysis.workbook.schema import FEEDBACK_ITEMS


def _t975(df: np.ndarray | int) -> np.ndarray | float:
    """The two-sided 95 % Student t quantile t(0.975, df); NaN for df < 1."""
    from scipy.stats import t as student_t  # loaded on first use: scipy is slow to import

    df = np.asarray(df, dtype="float64")
    quantile = np.where(df >= 1, student_t.ppf(0.975, np.maximum(df, 1)), np.nan)
    return float(quantile) if quantile.ndim == 0 else quantile


def mean_ci(values: pd.Series) -> tuple[int, float, float, float]:
    """n, mean and the 95 % t-interval of the mean of ``values`` (missing values dropped)."""
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan
    half = _t975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
    return n, mean, mean - half, mean + half


def feedback_summary(feedback: pd.DataFrame, min_answers: int = 3) -> pd.DataFrame:
    """Per recruitment (and `ALL` pooled) and feedback item: n, mean and 95 % t-interval.

    Columns: recruitment, overall (True on the pooled rows), item, n, mean, ci_low, ci_high,
    small_sample (n < ``min_answers``: the page shows these as too few to read). The interval is
    clipped to the answer scale; it is NaN for fewer than two answers.
    """
    items = [i for i in FEEDBACK_ITEMS if i in feedback]
    long = feedback[["recruitment", *items]].melt(id_vars="recruitment", var_name="item")
    long["value"] = pd.to_numeric(long["value"], errors="coerce")
    long = long.dropna(subset=["value"])
    per = long.groupby(["recruitment", "item"])["value"].agg(["count", "mean", "std"])
    pooled = long.groupby("item")["value"].agg(["count", "mean", "std"])
    pooled.index = pd.MultiIndex.from_product([[ALL], pooled.index], names=per.index.names)
    # every recruitment x item appears, with n = 0 where nobody answered
    full = pd.MultiIndex.from_product([sorted(feedback["recruitment"].dropna().unique()),
                                       list(FEEDBACK_ITEMS)], names=per.index.names)
    table = pd.concat([per.reindex(full), pooled.reindex(
        pd.MultiIndex.from_product([[ALL], list(FEEDBACK_ITEMS)], names=per.index.names))])
    n = table["count"].fillna(0).astype(int).to_numpy()
    t_values = _t975(n - 1)
    half = t_values * table["std"].to_numpy() / np.sqrt(np.maximum(n, 1))
    mean = table["mean"].to_numpy()
    items_idx = table.index.get_level_values("item")
    # the interval never reaches past the answer scale (1–5, or 0–10 for recommend)
    lo_scale = np.where(items_idx == "recommend", 0, 1)
    hi_scale = np.where(items_idx == "recommend", 10, 5)
    out = pd.DataFrame({
        "recruitment": table.index.get_level_values("recruitment"),
        "overall": table.index.get_level_values("recruitment") == ALL,
        "item": items_idx, "n": n, "mean": mean,
        "ci_low": np.where(n > 1, np.maximum(mean - half, lo_scale), np.nan),
        "ci_high": np.where(n > 1, np.minimum(mean + half, hi_scale), np.nan),
        "small_sample": n < min_answers,
    })
    return out.reset_index(drop=True)


#: Fewest answers before a candidate NPS is read without a caveat. Below it the 95 % interval is
#: wider than about ±30 points for a typical spread of answers, so the score says little on its
#: own (the page says so next to it).
NPS_MIN_ANSWERS = 30


def nps(recommend: pd.Series) -> dict:
    """Candidate NPS of 0–10 answers: % promoters (9–10) − % detractors (0–6), with a 95 %
    interval from the standard NPS variance, ``((p + d) - (p - d)²) / n`` for the shares of
    promoters ``p`` and detractors ``d`` (normal approximation, clipped to −100..100).

    Returns a dict with score (None without answers), ci_low, ci_high (None below two answers),
    promoters, passives, detractors, n, and little_data (n below `NPS_MIN_ANSWERS`).

    Examples
    --------
    >>> r = nps(pd.Series([10, 9, 8, 3, 10]))
    >>> r["score"], round(r["ci_low"]), round(r["ci_high"]), r["little_data"]
    (40.0, -30, 100, True)
    """
    x = pd.to_numeric(recommend, errors="coerce").dropna()
    n = int(len(x))
    promoters = int((x >= 9).sum())
    detractors = int((x <= 6).sum())
    passives = n - promoters - detractors
    score = 100.0 * (promoters - detractors) / n if n else None
    ci_low = ci_high = None
    if n >= 2:
        p, d = promoters / n, detractors / n
        half = 100.0 * 1.96 * math.sqrt(max((p + d) - (p - d) ** 2, 0.0) / n)
        ci_low, ci_high = max(score - half, -100.0), min(score + half, 100.0)
    return {"score": score, "ci_low": ci_low, "ci_high": ci_high, "promoters": promoters,
            "passives": passives, "detractors": detractors, "n": n,
            "little_data": n < NPS_MIN_ANSWERS}


def _item_range(item: str) -> range:
    return range(0, 11) if item == "recommend" else range(1, 6)


def feedback_distribution(feedback: pd.DataFrame, item: str) -> pd.DataFrame:
    """How many answers gave each value of ``item``: index = every possible value, one column
    per recruitment (zeros included so the bars line up)."""
    if item not in FEEDBACK_ITEMS:
        raise InputError(f"unknown feedback item {item!r}; expected one of {FEEDBACK_ITEMS}")
    values = pd.to_numeric(feedback[item], errors="coerce")
    frame = pd.DataFrame({"recruitment": feedback["recruitment"], "value": values}).dropna()
    table = pd.crosstab(frame["value"].astype("int64"), frame["recruitment"])
    table = table.reindex(list(_item_range(item)), fill_value=0)
    table.index.name = "value"
    table.columns.name = None
    return table.astype("int64")


def feedback_trend(feedback: pd.DataFrame, freq: str = "MS") -> pd.DataFrame:
    """Answers per period of ``submitted`` (default: calendar month): period, n and the mean of
    each item. Answers without a date are left out."""
    when = _dates(feedback["submitted"]) if "submitted" in feedback else pd.Series(dtype="M8[ns]")
    frame = feedback.assign(_when=when).dropna(subset=["_when"])
    cols = ["period", "n", *FEEDBACK_ITEMS]
    if frame.empty:
        return pd.DataFrame(columns=cols)
    items = frame[list(FEEDBACK_ITEMS)].apply(pd.to_numeric, errors="coerce")
    items.index = pd.DatetimeIndex(frame["_when"])
    means = items.resample(freq).mean()
    n = items.iloc[:, 0].resample(freq).size()
    out = means.assign(n=n).reset_index(names="period")
    return out[out["n"] > 0][cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# What may be shown: the privacy rules


@dataclass(frozen=True)
class SharedFeedback:
    """Candidate feedback as it may be shown to people: in aggregate only, and no number of a
    group with fewer than ``min_answers`` answers (a mean of two answers tells whose answer it
    is). Nothing here links an answer to a session, a finalist or a date.

    ``answers`` is the size of the pooled group (the most answered item); while it is below
    ``min_answers`` nothing should be shown (`enough`). ``summary`` is `feedback_summary` with
    the mean and interval of every small group withheld (NaN), not only flagged. ``nps`` is
    None for too few answers. ``distributions`` holds, per item, how many answers gave each
    value, pooled over the recruitments (per recruitment, a bar of one is one person).
    ``trend`` keeps only periods with enough answers. ``comments`` come from recruitments with
    enough answers, sorted by their text, never by date or session.
    """

    min_answers: int
    answers: int
    summary: pd.DataFrame
    nps: dict | None
    distributions: dict[str, pd.Series] = field(default_factory=dict)
    trend: pd.DataFrame = field(default_factory=pd.DataFrame)
    comments: list[str] = field(default_factory=list)

    @property
    def enough(self) -> bool:
        return self.answers >= self.min_answers


def shared_feedback(feedback: pd.DataFrame,
                    min_answers: int = config.MIN_FEEDBACK_ANSWERS) -> SharedFeedback:
    """The candidate feedback that may be shown (see `SharedFeedback`).

    Examples
    --------
    >>> fb = pd.DataFrame({"recruitment": ["R", "R"], "experience": [5, 4], "learned": [4, 4],
    ...                    "fairness": [5, 5], "recommend": [9, 7], "comment": ["Fint", None]})
    >>> shared = shared_feedback(fb, min_answers=3)
    >>> shared.enough, shared.nps, shared.comments, shared.summary["mean"].isna().all()
    (False, None, [], True)
    """
    summary = feedback_summary(feedback, min_answers)
    small = summary["small_sample"].to_numpy()
    summary = summary.assign(**{col: summary[col].where(~small)
                                for col in ("mean", "ci_low", "ci_high")})
    answers = int(summary.loc[summary["overall"], "n"].max()) if len(summary) else 0
    score = nps(feedback["recommend"]) if "recommend" in feedback else nps(pd.Series(dtype=float))
    distributions = {item: feedback_distribution(feedback, item).sum(axis=1).rename("count")
                     for item in FEEDBACK_ITEMS if item in feedback}
    trend = feedback_trend(feedback)
    trend = trend[trend["n"] >= min_answers].reset_index(drop=True) if len(trend) else trend
    per_group = feedback.groupby("recruitment").size()
    shown = feedback[feedback["recruitment"].isin(per_group[per_group >= min_answers].index)]
    texts = shown["comment"].dropna().astype(str).str.strip() if "comment" in shown else \
        pd.Series(dtype=str)
    comments = sorted((c for c in texts if c), key=str.casefold)
    return SharedFeedback(min_answers, answers, summary,
                          score if score["n"] >= min_answers else None, distributions,
                          trend, comments)
