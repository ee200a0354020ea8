"""Per-session figures: filters, follow-up threads and depth, minutes, fit coverage and balance.

Every function is pure (frames in, frames out) over the frames the store returns. The
per-session figures are computed with numpy over whole columns (no Python loop per session or
question) because the pages call them on 2,000 sessions / 50,000 questions.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from analysis.figures.threads import thread_arrays
from analysis.format import finalist_names
from analysis.workbook.schema import FITS, FOUR_FITS, SCORES, parse_time

#: The label of the row that pools every recruitment in `feedback_summary`.
ALL = "all"
#: Largest difference in minutes between finalists before `fairness_flags` reports it.
FAIR_MINUTES = 5.0

#: Per-session figures in the order the command line prints them (``fit_counts`` is a dict of
#: the five fits -> count, built from the ``n_<fit>`` columns of `session_figures`).
FIGURE_COLUMNS: list[str] = [
    "session_id", "recruitment", "candidate", "questions", "fit_counts", "fits_covered",
    "balance", "follow_up_share", "threads", "max_depth", "mean_thread_depth", "minutes",
]
FIT_COUNT_COLUMNS = [f"n_{f}" for f in FITS]
SCORE_COLUMNS = [f"score_{s}" for s in SCORES]


# --------------------------------------------------------------------------------------------
# Filters


@dataclass(frozen=True)
class Filters:
    """The sidebar's filter: empty tuples and None mean "no restriction"."""

    recruitments: tuple[str, ...] = ()
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    candidates: tuple[str, ...] = ()


def _dates(values: pd.Series) -> pd.Series:
    """Dates (date objects, strings or timestamps) as datetime64, missing as NaT."""
    return pd.to_datetime(values, errors="coerce")


def _date_mask(dates: pd.Series, filters: Filters, keep_missing: bool = False) -> pd.Series:
    stamps = _dates(dates)
    mask = pd.Series(True, index=dates.index)
    if filters.date_from is not None:
        mask &= stamps >= pd.Timestamp(filters.date_from)
    if filters.date_to is not None:
        mask &= stamps <= pd.Timestamp(filters.date_to)
    if keep_missing:
        mask |= stamps.isna()
    return mask


def filter_sessions(sessions: pd.DataFrame, filters: Filters) -> pd.DataFrame:
    """The sessions that match ``filters`` (recruitment, date range inclusive, candidate name)."""
    mask = _date_mask(sessions["date"], filters)
    if filters.recruitments:
        mask &= sessions["recruitment"].isin(filters.recruitments)
    if filters.candidates:
        mask &= sessions["candidate"].isin(filters.candidates)
    return sessions[mask.to_numpy()]


def filter_by_sessions(frame: pd.DataFrame, sessions: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` (questions, ratings, ...) whose session_id is in ``sessions``."""
    return frame[frame["session_id"].isin(sessions["session_id"]).to_numpy()]


def filter_feedback(feedback: pd.DataFrame, sessions: pd.DataFrame,
                    filters: Filters) -> pd.DataFrame:
    """Feedback answers matching the recruitment and date parts of ``filters``.

    An answer's date is its ``submitted`` date, else the date of the session it is linked to;
    answers with no known date are kept. The candidate filter is deliberately ignored: feedback
    is shown only in aggregate, and narrowing it to one finalist would tell whose answer it is.
    Anonymous answers (no session) are kept by their recruitment.
    """
    mask = pd.Series(True, index=feedback.index)
    if filters.recruitments:
        mask &= feedback["recruitment"].isin(filters.recruitments)
    if filters.date_from is not None or filters.date_to is not None:
        submitted = _dates(feedback["submitted"]) if "submitted" in feedback else \
            pd.Series(pd.NaT, index=feedback.index)
        session_date = _dates(feedback["session_id"].map(
            dict(zip(sessions["session_id"], sessions["date"]))))
        when = submitted.where(submitted.notna(), session_date)
        mask &= _date_mask(when, filters, keep_missing=True)
    return feedback[mask.to_numpy()]


# --------------------------------------------------------------------------------------------
# Per-session figures


def _minute_of_day(values: pd.Series) -> np.ndarray:
    """Clock times (time objects, "HH:MM" text, timedeltas) as minutes after midnight."""
    def one(v: object) -> float:
        if isinstance(v, dt.time):  # what the store returns: the fast path
            return v.hour * 60 + v.minute + v.second / 60
        if v is None or (isinstance(v, float) and math.isnan(v)) or v is pd.NaT:
            return np.nan
        try:
            t = parse_time(v)
        except (ValueError, TypeError):
            return np.nan
        return t.hour * 60 + t.minute + t.second / 60

    return np.fromiter((one(v) for v in values), dtype="float64", count=len(values))


def session_minutes(sessions: pd.DataFrame) -> pd.Series:
    """Minutes of the candidate's part (end − start) per session; NaN when a time is missing."""
    minutes = _minute_of_day(sessions["end"]) - _minute_of_day(sessions["start"])
    return pd.Series(minutes, index=sessions.index, dtype="float64")


def _fit_codes(fit: pd.Series) -> np.ndarray:
    """Position of each effective fit in `FITS`, -1 when the question has no label."""
    return pd.Categorical(fit, categories=list(FITS)).codes.astype("int64")


def _balance(four: np.ndarray) -> np.ndarray:
    """Shannon entropy of each row's shares over the four fits, divided by ln 4."""
    total = four.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(total > 0, four / np.where(total > 0, total, 1), 0.0)
        terms = np.where(share > 0, share * np.log(np.where(share > 0, share, 1)), 0.0)
    # 0.0 - x, not -x: an empty or single-fit row is 0.0, never -0.0 in the JSON
    return (0.0 - terms.sum(axis=1)) / math.log(4)


def _score_means(ratings: pd.DataFrame, session_ids: pd.Series) -> pd.DataFrame:
    """Mean over raters of each criterion per session, and ``score_mean`` (the mean of the
    criterion means, so a criterion left blank by one rater does not weigh the others down)."""
    cols = [s for s in SCORES if s in ratings]
    means = (ratings[["session_id", *cols]].assign(
        **{c: pd.to_numeric(ratings[c], errors="coerce").astype("float64") for c in cols})
        .groupby("session_id")[cols].mean())
    means = means.reindex(columns=list(SCORES)).reindex(session_ids.to_numpy())
    means.columns = SCORE_COLUMNS
    means["score_mean"] = means[SCORE_COLUMNS].mean(axis=1)
    return means.reset_index(drop=True)


def held(sessions: pd.DataFrame) -> pd.DataFrame:
    """The sessions that were held (not declined)."""
    return sessions[(sessions["status"] == "held").to_numpy()]


def session_figures(sessions: pd.DataFrame, questions: pd.DataFrame,
                    ratings: pd.DataFrame | None = None) -> pd.DataFrame:
    """One row of figures per held session.

    Columns: session_id, recruitment, candidate, date, manager, questions, n_<fit> for the five
    fits, fits_covered, balance, follow_up_share, threads, max_depth, mean_thread_depth, minutes,
    manager_minutes, and with ``ratings`` also score_<criterion> and score_mean. Unlabelled
    questions count in ``questions`` and ``follow_up_share`` but in no fit. Shares and means of a
    session without questions are NaN (null in JSON); ``balance`` is then 0.
    """
    base = held(sessions).reset_index(drop=True)
    out = pd.DataFrame({c: base[c] if c in base else None
                        for c in ("session_id", "recruitment", "candidate", "date", "manager")})
    n_sessions = len(base)
    pos = pd.Index(base["session_id"]).get_indexer(questions["session_id"])
    mine = pos >= 0
    q, pos = questions[mine], pos[mine]

    counts = np.bincount(pos, minlength=n_sessions).astype("int64")
    fit = _fit_codes(q["fit"])
    labelled = fit >= 0
    by_fit = np.bincount(pos[labelled] * len(FITS) + fit[labelled],
                         minlength=n_sessions * len(FITS)).reshape(n_sessions, len(FITS))
    out["questions"] = counts
    for i, col in enumerate(FIT_COUNT_COLUMNS):
        out[col] = by_fit[:, i]
    four = by_fit[:, :len(FOUR_FITS)]
    out["fits_covered"] = (four > 0).sum(axis=1).astype("int64")
    out["balance"] = _balance(four)

    if len(q):
        depth, root, _ = thread_arrays(q)
        is_root = root == np.arange(len(q))
        max_depth = np.zeros(n_sessions, dtype="int64")
        np.maximum.at(max_depth, pos, depth)
        thread_max = np.zeros(len(q), dtype="int64")
        linked = root >= 0
        np.maximum.at(thread_max, root[linked], depth[linked])
        thread_sum = np.bincount(pos[is_root], weights=thread_max[is_root],
                                 minlength=n_sessions)
    else:
        max_depth = np.zeros(n_sessions, dtype="int64")
        thread_sum = np.zeros(n_sessions)
    # a follow-up is a question with follow_up_to set (even if its parent is missing)
    has_fu = pd.to_numeric(q["follow_up_to"], errors="coerce").notna().to_numpy()
    follow_ups = np.bincount(pos[has_fu], minlength=n_sessions)
    threads = np.bincount(pos[~has_fu], minlength=n_sessions)
    with np.errstate(divide="ignore", invalid="ignore"):
        out["follow_up_share"] = np.where(counts > 0, follow_ups / np.maximum(counts, 1), np.nan)
        out["threads"] = threads.astype("int64")
        out["max_depth"] = max_depth.astype("int64")
        out["mean_thread_depth"] = np.where(threads > 0, thread_sum / np.maximum(threads, 1),
                                            np.nan)
    out["minutes"] = session_minutes(base).to_numpy()
    out["manager_minutes"] = (pd.to_numeric(base["manager_minutes"], errors="coerce")
                              .to_numpy(dtype="float64") if "manager_minutes" in base
                              else np.nan)
    if ratings is not None:
        out = pd.concat([out, _score_means(ratings, out["session_id"])], axis=1)
    return out


def _json_number(value: object, digits: int) -> object:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (np.integer, int)) and not isinstance(value, bool):
        return int(value)
    value = float(value)
    if math.isnan(value):
        return None
    return round(value, digits)


def figure_records(figures: pd.DataFrame) -> list[dict]:
    """`session_figures` as JSON-ready dicts with exactly the keys of `FIGURE_COLUMNS`
    (floats rounded to 4 decimals, minutes to 2, NaN as None)."""
    records = []
    for row in figures.to_dict("records"):
        rec: dict = {}
        for key in FIGURE_COLUMNS:
            if key == "fit_counts":
                rec[key] = {f: int(row[f"n_{f}"]) for f in FITS}
            elif key in ("session_id", "recruitment", "candidate"):
                rec[key] = None if pd.isna(row[key]) else str(row[key])
            else:
                rec[key] = _json_number(row[key], 2 if key == "minutes" else 4)
        records.append(rec)
    return records


# --------------------------------------------------------------------------------------------
# Fit coverage


def fit_matrix(questions: pd.DataFrame, sessions: pd.DataFrame,
               normalize: bool = False) -> pd.DataFrame:
    """Candidates × fits: questions per effective fit for every held session.

    The index is session_id; ``candidate`` is the row label ("candidate (recruitment)" when a
    name occurs in more than one recruitment); then the five fits in `FITS` order. With
    ``normalize`` the values are shares of the session's labelled questions (0 when none).
    """
    figures = session_figures(sessions, questions)
    matrix = figures[FIT_COUNT_COLUMNS].astype("float64" if normalize else "int64")
    matrix.columns = list(FITS)
    if normalize:
        total = matrix.sum(axis=1)
        matrix = matrix.div(total.where(total > 0, 1), axis=0)
    matrix.insert(0, "candidate", finalist_names(figures).to_numpy())
    matrix.index = pd.Index(figures["session_id"], name="session_id")
    return matrix


def dug_into(questions: pd.DataFrame) -> pd.DataFrame:
    """Which fits each candidate dug into: per session and fit of the thread's root question,
    the threads, the follow-ups in them and their largest depth.

    Columns: session_id, fit, threads, follow_ups, max_depth (one row per session and fit that
    has at least one thread; threads whose root has no label are left out).
    """
    cols = ["session_id", "fit", "threads", "follow_ups", "max_depth"]
    if questions.empty:
        return pd.DataFrame(columns=cols)
    depth, root, _ = thread_arrays(questions)
    linked = root >= 0
    frame = pd.DataFrame({
        "session_id": questions["session_id"].to_numpy()[linked],
        "fit": questions["fit"].to_numpy()[root[linked]],
        "root": root[linked],
        "depth": depth[linked],
    })
    frame = frame[frame["fit"].isin(FITS)]
    out = (frame.groupby(["session_id", "fit"], observed=True)
           .agg(threads=("root", "nunique"), questions=("depth", "size"),
                max_depth=("depth", "max"))
           .reset_index())
    out["follow_ups"] = out["questions"] - out["threads"]
    out["fit"] = pd.Categorical(out["fit"], categories=list(FITS), ordered=True)
    return out.sort_values(["session_id", "fit"])[cols].reset_index(drop=True)



#: Most recruitments the coverage page draws side by side (narrow the filter to see others).
MAX_COMPARED = 6


def recruitments_by_recency(figures: pd.DataFrame) -> list[str]:
    """The recruitments of ``figures`` (needs recruitment and date), the most recent first.

    A recruitment's date is the date of its last session; ties are broken by name, and a
    recruitment without any date comes last. What the coverage page offers, and picks first.

    Examples
    --------
    >>> f = pd.DataFrame({"recruitment": ["A", "B", "A"],
    ...                   "date": ["2026-03-01", "2026-02-01", "2026-01-01"]})
    >>> recruitments_by_recency(f)
    ['A', 'B']
    """
    known = figures[figures["recruitment"].notna().to_numpy()]
    if known.empty:
        return []
    last = (pd.DataFrame({"recruitment": known["recruitment"].astype(str).to_numpy(),
                          "date": _dates(known["date"]).to_numpy()})
            .groupby("recruitment")["date"].max().reset_index())
    last["undated"] = last["date"].isna()
    # newest first: sort by the negated date, so names break ties in reading order
    last["age"] = -last["date"].fillna(pd.Timestamp.min).astype("int64")
    return last.sort_values(["undated", "age", "recruitment"])["recruitment"].tolist()


def coverage_panels(matrix: pd.DataFrame, figures: pd.DataFrame,
                    recruitments: list[str]) -> list[tuple[str, pd.DataFrame]]:
    """`fit_matrix` split into one panel per recruitment, in the order of ``recruitments``.

    ``figures`` (session_id, recruitment) says which recruitment a row of ``matrix`` belongs to;
    a recruitment without any row in ``matrix`` gets no panel. Rows keep their order.
    """
    of = dict(zip(figures["session_id"], figures["recruitment"]))
    belongs = matrix.index.map(of).to_numpy()
    panels = []
    for recruitment in recruitments:
        rows = matrix[belongs == recruitment]
        if len(rows):
            panels.append((recruitment, rows))
    return panels


def coverage_scale(panels: list[tuple[str, pd.DataFrame]], normalize: bool = False) -> float:
    """The top of the one colour scale every coverage panel shares: 1 (100 %) for shares, else
    the largest count of any fit in any panel, at least 1 (so an empty panel is white, not
    dark).

    Examples
    --------
    >>> m = pd.DataFrame({f: [0, 2] for f in FITS})
    >>> coverage_scale([("A", m)]), coverage_scale([("A", m)], normalize=True)
    (2.0, 1.0)
    """
    if normalize:
        return 1.0
    top = max((float(rows[list(FITS)].to_numpy().max()) for _, rows in panels if len(rows)),
              default=0.0)
    return max(top, 1.0)
