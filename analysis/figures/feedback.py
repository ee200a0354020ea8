"""Candidate feedback: means with confidence intervals, cNPS, distributions and the trend.
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

from analysis.errors import InputError
from analysis.workbook.schema import FEEDBACK_ITEMS
from analysis.figures.sessions import ALL
from analysis.figures.sessions import _dates

# --------------------------------------------------------------------------------------------
# Candidate feedback

#: Two-sided 95 % Student t quantiles t(0.975, df) for df = 1..30.
_T975 = (12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
         2.201, 2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
         2.080, 2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042)
_Z975 = 1.959964


def t_quantile_975(df: int) -> float:
    """t(0.975, df): from the table for df ≤ 30, else the Cornish–Fisher expansion
    z + (z³ + z)/(4·df) + (5z⁵ + 16z³ + 3z)/(96·df²), accurate to 0.001 there (scipy is not a
    dependency)."""
    if df < 1:
        return math.nan
    if df <= len(_T975):
        return _T975[df - 1]
    z = _Z975
    return z + (z ** 3 + z) / (4 * df) + (5 * z ** 5 + 16 * z ** 3 + 3 * z) / (96 * df ** 2)


def mean_ci(values: pd.Series) -> tuple[int, float, float, float]:
    """n, mean and the 95 % t-interval of the mean of ``values`` (missing values dropped)."""
    x = pd.to_numeric(values, errors="coerce").dropna().to_numpy(dtype="float64")
    n = len(x)
    if n == 0:
        return 0, math.nan, math.nan, math.nan
    mean = float(x.mean())
    if n == 1:
        return 1, mean, math.nan, math.nan
    half = t_quantile_975(n - 1) * float(x.std(ddof=1)) / math.sqrt(n)
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
    t_values = np.array([t_quantile_975(int(k) - 1) if k > 1 else math.nan for k in n])
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


def nps(recommend: pd.Series) -> dict:
    """Candidate NPS of 0–10 answers: % promoters (9–10) − % detractors (0–6).

    Returns a dict with score (None without answers), promoters, passives, detractors, n.
    """
    x = pd.to_numeric(recommend, errors="coerce").dropna()
    n = int(len(x))
    promoters = int((x >= 9).sum())
    detractors = int((x <= 6).sum())
    passives = n - promoters - detractors
    score = 100.0 * (promoters - detractors) / n if n else None
    return {"score": score, "promoters": promoters, "passives": passives,
            "detractors": detractors, "n": n}


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


