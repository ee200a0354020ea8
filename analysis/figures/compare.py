"""Recruitments at a glance, what needs attention, equal conditions, and finalists side by side.
"""
from __future__ import annotations

import itertools

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from analysis.errors import NotFound
from analysis.figures.sessions import (
    FAIR_MINUTES,
    _dates,
    _fit_codes,
    _score_means,
    filter_by_sessions,
    held,
    session_figures,
    session_minutes,
)
from analysis.figures.threads import with_depth
from analysis.format import date_text
from analysis.workbook.schema import FITS, FOUR_FITS, RECOMMENDED_MINUTES

# --------------------------------------------------------------------------------------------
# Overview and attention


def recruitment_overview(sessions: pd.DataFrame, questions: pd.DataFrame) -> pd.DataFrame:
    """One row per recruitment: finalists, held, declined, questions, first_date, last_date and
    ``headline``, a dict the page translates.

    ``headline`` is ``{"kind": "no_questions"}`` or ``{"kind": "coverage", "fit": <most asked of
    the four fits>, "share": <its share of the four-fit questions>, "candidate": <finalist with
    the most follow-ups>, "follow_ups": <their count>}`` (candidate None when nobody followed up).
    """
    cols = ["recruitment", "finalists", "held", "declined", "questions", "first_date",
            "last_date", "headline"]
    if sessions.empty:
        return pd.DataFrame(columns=cols)
    figures = session_figures(sessions, questions)
    status = sessions["status"]
    dates = _dates(sessions["date"])
    base = pd.DataFrame({
        "recruitment": sessions["recruitment"].to_numpy(),
        "held": (status == "held").to_numpy(dtype="int64"),
        "declined": (status == "declined").to_numpy(dtype="int64"),
        "date": dates.to_numpy(),
    })
    out = base.groupby("recruitment", sort=True).agg(
        finalists=("held", "size"), held=("held", "sum"), declined=("declined", "sum"),
        first_date=("date", "min"), last_date=("date", "max"))
    out["first_date"] = out["first_date"].dt.date
    out["last_date"] = out["last_date"].dt.date
    out["questions"] = figures.groupby("recruitment")["questions"].sum().reindex(
        out.index, fill_value=0).astype("int64")
    figures = figures.assign(follow_ups=(figures["follow_up_share"].fillna(0)
                                         * figures["questions"]).round().astype("int64"))
    four_cols = [f"n_{f}" for f in FOUR_FITS]
    four = figures.groupby("recruitment")[four_cols].sum()
    best = (figures.sort_values(["recruitment", "follow_ups", "candidate"],
                                ascending=[True, False, True])
            .drop_duplicates("recruitment").set_index("recruitment"))
    totals = four.sum(axis=1)
    top = np.argmax(four.to_numpy(), axis=1) if len(four) else np.array([], dtype="int64")
    best = best.reindex(four.index)
    counts = four.to_numpy()
    headlines = {}
    for i, (name, total, follow_ups, candidate) in enumerate(zip(
            four.index, totals.tolist(), best["follow_ups"].tolist(),
            best["candidate"].tolist())):
        if total == 0:
            headlines[name] = {"kind": "no_questions"}
            continue
        headlines[name] = {
            "kind": "coverage", "fit": FOUR_FITS[top[i]],
            "share": float(counts[i, top[i]] / total),
            "candidate": candidate if follow_ups > 0 else None,
            "follow_ups": int(follow_ups),
        }
    out["headline"] = [headlines.get(r, {"kind": "no_questions"}) for r in out.index]
    return out.reset_index()[cols]


def attention(sessions: pd.DataFrame, questions: pd.DataFrame, ratings: pd.DataFrame | None,
              low_confidence: float = 0.5) -> pd.DataFrame:
    """What needs someone's attention, one row per session and kind.

    Kinds: ``unlabelled`` (questions without any fit; count = questions), ``low_confidence``
    (model labels below ``low_confidence``; count = questions), ``missing_ratings`` (held
    sessions with fewer ratings than the recruitment's ``required_raters``, default 2;
    count = ratings still missing; skipped when ``ratings`` is None) and ``duration`` (held
    sessions whose candidate part is outside `RECOMMENDED_MINUTES`; count = minutes used).
    Columns: kind, recruitment, session_id, count.
    """
    cols = ["kind", "recruitment", "session_id", "count"]
    recruitment_of = dict(zip(sessions["session_id"], sessions["recruitment"]))
    parts = []
    q = filter_by_sessions(questions, sessions)
    unlabelled = q["fit"].isna()
    source = q["fit_source"] if "fit_source" in q else pd.Series("", index=q.index)
    confidence = pd.to_numeric(q["fit_confidence"], errors="coerce") \
        if "fit_confidence" in q else pd.Series(np.nan, index=q.index)
    low = (source == "model") & (confidence < low_confidence) & ~unlabelled
    for kind, mask in (("unlabelled", unlabelled), ("low_confidence", low)):
        counts = q.loc[mask.to_numpy(), "session_id"].value_counts(sort=False)
        parts.append(pd.DataFrame({"kind": kind, "session_id": counts.index,
                                   "count": counts.to_numpy()}))
    done = held(sessions)
    if ratings is not None:
        required = (pd.to_numeric(done["required_raters"], errors="coerce").fillna(2)
                    if "required_raters" in done else pd.Series(2, index=done.index))
        have = done["session_id"].map(ratings["session_id"].value_counts()).fillna(0)
        missing = (required - have).to_numpy()
        short = missing > 0
        parts.append(pd.DataFrame({"kind": "missing_ratings",
                                   "session_id": done["session_id"].to_numpy()[short],
                                   "count": missing[short]}))
    minutes = session_minutes(done).to_numpy()
    lo, hi = RECOMMENDED_MINUTES
    off = ~np.isnan(minutes) & ((minutes < lo) | (minutes > hi))
    parts.append(pd.DataFrame({"kind": "duration", "session_id": done["session_id"].to_numpy()[off],
                               "count": minutes[off]}))
    out = pd.concat([p for p in parts if len(p)], ignore_index=True) if any(
        len(p) for p in parts) else pd.DataFrame(columns=["kind", "session_id", "count"])
    out["recruitment"] = out["session_id"].map(recruitment_of)
    out["count"] = pd.to_numeric(out["count"]).round(1)
    if (out["count"] == out["count"].round()).all():
        out["count"] = out["count"].astype("int64")
    return out[cols].reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Finalists side by side


def fairness_flags(sessions: pd.DataFrame) -> list[dict]:
    """Where the held finalists of one recruitment did not get the same conditions.

    Returns dicts with ``kind`` and the parameters of its message:
    ``{"kind": "minutes", "low", "high", "difference"}`` when minutes used differ by more than 5;
    ``{"kind": "day", "dates": "dd.mm.yyyy, ...", "count"}`` when they were on different days;
    ``{"kind": "manager", "managers": "A, B", "count"}`` when they met different managers.
    Missing values (no times, no manager) are not counted as a difference.
    """
    done = held(sessions)
    if len(done) < 2:
        return []
    minutes = session_minutes(done)
    managers = None
    if "manager" in done:
        managers = sorted({str(m).strip() for m in done["manager"].dropna() if str(m).strip()})
    return _flags(minutes.min(), minutes.max(), sorted(set(_dates(done["date"]).dropna())),
                  managers)


def _flags(low: float, high: float, days: list, managers: list[str] | None) -> list[dict]:
    """`fairness_flags` of one recruitment's held sessions: the least and most minutes used
    (NaN when unknown), its distinct days and its distinct managers, both sorted."""
    flags: list[dict] = []
    if high - low > FAIR_MINUTES:  # False when either is NaN
        flags.append({"kind": "minutes", "low": round(float(low), 1),
                      "high": round(float(high), 1), "difference": round(float(high - low), 1)})
    if len(days) > 1:
        flags.append({"kind": "day", "dates": ", ".join(date_text(d) for d in days),
                      "count": len(days)})
    if managers is not None and len(managers) > 1:
        flags.append({"kind": "manager", "managers": ", ".join(managers),
                      "count": len(managers)})
    return flags


def _distinct(frame: pd.DataFrame, column: str) -> dict[str, list]:
    """Each recruitment's distinct non-missing values of ``column``, sorted."""
    pairs = frame[["recruitment", column]].dropna().drop_duplicates().sort_values(
        ["recruitment", column])
    return {name: [v for _, v in group] for name, group in itertools.groupby(
        zip(pairs["recruitment"].tolist(), pairs[column].tolist()), key=lambda p: p[0])}


def fairness_by_recruitment(sessions: pd.DataFrame) -> list[tuple[str, dict]]:
    """`fairness_flags` for every recruitment at once, as (recruitment, flag) pairs.

    Grouped passes find the recruitments whose held finalists differ in minutes, day or
    manager, and their distinct days and managers, so 2,000 sessions cost milliseconds.
    """
    done = held(sessions)
    if done.empty:
        return []
    frame = pd.DataFrame({"recruitment": done["recruitment"],
                          "minutes": session_minutes(done), "day": _dates(done["date"])})
    if "manager" in done:
        frame["manager"] = done["manager"].astype("string").str.strip().replace("", pd.NA)
    agg = frame.groupby("recruitment").agg(
        n=("day", "size"), lo=("minutes", "min"), hi=("minutes", "max"),
        days=("day", "nunique"),
        **({"managers": ("manager", "nunique")} if "manager" in frame else {}))
    unequal = ((agg["hi"] - agg["lo"]) > FAIR_MINUTES) | (agg["days"] > 1)
    if "managers" in agg:
        unequal |= agg["managers"] > 1
    suspect = agg[(agg["n"] >= 2) & unequal]
    if suspect.empty:
        return []
    frame = frame[frame["recruitment"].isin(suspect.index)]
    days = _distinct(frame, "day")
    managers = _distinct(frame, "manager") if "manager" in frame else None
    return [(name, flag) for name, row in zip(suspect.index, suspect.itertuples())
            for flag in _flags(row.lo, row.hi, days.get(name, []),
                               None if managers is None else managers.get(name, []))]


@dataclass(frozen=True)
class Comparison:
    """The finalists of one recruitment side by side.

    ``figures``: one row per held finalist (session_id, candidate, questions, fits_covered,
    balance, follow_up_share, max_depth, minutes, and score_<criterion>/score_mean when ratings
    were given). ``shares``: index session_id, ``candidate`` and the four fits' shares of the
    four-fit questions (for the radar). ``fairness``: `fairness_flags`. ``questions``:
    session_id, candidate, fit, seq, minute, question, follow_up_to, depth, ordered by finalist,
    fit (in `FITS` order, unlabelled last) and seq.
    """

    figures: pd.DataFrame
    shares: pd.DataFrame
    fairness: list[dict]
    questions: pd.DataFrame
    recruitment: str = ""
    has_scores: bool = field(default=False)


#: The key figures of the comparison table, in order.
COMPARISON_FIGURES = ["questions", "fits_covered", "balance", "follow_up_share", "max_depth",
                      "minutes"]


def compare_finalists(recruitment: str, sessions: pd.DataFrame, questions: pd.DataFrame,
                      ratings: pd.DataFrame | None = None) -> Comparison:
    """The finalists of ``recruitment`` side by side (the Compare page and its export); with
    ``ratings``, their mean scores too (see `with_scores`).

    Raises
    ------
    NotFound
        When no session belongs to ``recruitment``.
    """
    mine = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    if mine.empty:
        raise NotFound(f"unknown recruitment: {recruitment}")
    q = filter_by_sessions(questions, held(mine))
    figures = session_figures(mine, q)
    table = figures[["session_id", "candidate", *COMPARISON_FIGURES]]

    four = figures[[f"n_{f}" for f in FOUR_FITS]].to_numpy(dtype="float64")
    total = four.sum(axis=1, keepdims=True)
    shares = pd.DataFrame(np.where(total > 0, four / np.where(total > 0, total, 1), 0.0),
                          columns=list(FOUR_FITS), index=pd.Index(figures["session_id"],
                                                                  name="session_id"))
    shares.insert(0, "candidate", figures["candidate"].to_numpy())

    listed = with_depth(q.reset_index(drop=True))
    listed = listed.assign(candidate=listed["session_id"].map(
        dict(zip(figures["session_id"], figures["candidate"]))))
    order = pd.Index(figures["session_id"]).get_indexer(listed["session_id"])
    fit_order = _fit_codes(listed["fit"])
    listed = listed.assign(_o=order, _f=np.where(fit_order < 0, len(FITS), fit_order))
    listed = listed.sort_values(["_o", "_f", "seq"])
    qcols = ["session_id", "candidate", "fit", "seq", "minute", "question", "follow_up_to",
             "depth"]
    listed = listed[[c for c in qcols if c in listed]].reset_index(drop=True)
    comparison = Comparison(table.reset_index(drop=True), shares, fairness_flags(mine), listed,
                            recruitment)
    return comparison if ratings is None else with_scores(comparison, ratings)


def with_scores(comparison: Comparison, ratings: pd.DataFrame) -> Comparison:
    """``comparison`` with each finalist's mean scores (score_<criterion>, score_mean) from
    ``ratings``: what one person may see (`visible_ratings`), added to a comparison made without
    them, which everyone can share."""
    scores = _score_means(ratings, comparison.figures["session_id"])
    table = pd.concat([comparison.figures.reset_index(drop=True), scores], axis=1)
    return replace(comparison, figures=table,
                   has_scores=bool(table[list(scores.columns)].notna().any().any()))
