"""The figures, defined once: fit coverage, follow-up depth, minutes, rater scores, candidate
feedback, and the finalists' comparison.

Every function is pure (frames in, frames out) and works on the frames the store returns
(`Store.sessions`, `Store.questions` with the effective ``fit``, `Store.ratings`,
`Store.feedback`); nothing here touches the database. The pages and the command line show the
numbers computed here, so each figure has exactly one definition (issue 4, "The figures").

The per-session figures are computed with numpy over whole columns (no Python loop per session or
per question) because the pages call them on 2,000 sessions / 50,000 questions.
"""
from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from analysis.errors import InputError, NotFound
from analysis.schema import FEEDBACK_ITEMS, FITS, FOUR_FITS, SCORES, parse_time

#: The label of the row that pools every recruitment in `feedback_summary`.
ALL = "all"
#: The recommended length of the candidate's part, in minutes (inclusive).
RECOMMENDED_MINUTES = (30.0, 40.0)
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
# Threads and depth


def _thread_arrays(questions: pd.DataFrame) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Depth, root position (-1 when the chain ends at a missing question) and thread seq.

    Follows every chain one step per round, all questions at once, so the cost is the deepest
    chain times a vectorised step rather than a loop per question.
    """
    n = len(questions)
    seq = questions["seq"].to_numpy(dtype="int64")
    fu_raw = pd.to_numeric(questions["follow_up_to"], errors="coerce").to_numpy(dtype="float64")
    has_fu = ~np.isnan(fu_raw)
    fu = np.where(has_fu, fu_raw, -1).astype("int64")
    codes, _ = pd.factorize(questions["session_id"])
    codes = codes.astype("int64")
    width = int(max(seq.max(initial=0), fu.max(initial=0))) + 1
    index = pd.Index(codes * width + seq)
    parent = np.where(has_fu, index.get_indexer(codes * width + fu), -1)
    # a question that follows itself would loop forever; treat it as a broken link
    parent = np.where(parent == np.arange(n), -1, parent)

    depth = np.zeros(n, dtype="int64")
    root = np.arange(n)
    thread = seq.copy()
    active = np.flatnonzero(has_fu)
    for _ in range(n):  # a cycle (which validation forbids) ends here at the latest
        if not len(active):
            break
        depth[active] += 1
        p = parent[root[active]]
        found = p >= 0
        lost = active[~found]
        thread[lost] = fu[root[lost]]
        root[lost] = -1
        moved = active[found]
        root[moved] = p[found]
        thread[moved] = seq[p[found]]
        active = moved[has_fu[p[found]]]
    return depth, root, thread


def with_depth(questions: pd.DataFrame) -> pd.DataFrame:
    """``questions`` with ``depth`` (0 without follow_up_to, else the parent's depth + 1) and
    ``thread`` (the seq of the thread's root question)."""
    if questions.empty:
        return questions.assign(depth=pd.Series(dtype="int64"),
                                thread=pd.Series(dtype="int64"))
    depth, _, thread = _thread_arrays(questions)
    return questions.assign(depth=depth, thread=thread)


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
    """One row of figures per held session (see the module docstring of issue 4).

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
        depth, root, _ = _thread_arrays(q)
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


def _labels(frame: pd.DataFrame) -> pd.Series:
    """Row labels: the candidate, or "candidate (recruitment)" when the name is not unique."""
    names = frame["candidate"].astype(str)
    labels = names.where(~names.duplicated(keep=False),
                         names + " (" + frame["recruitment"].astype(str) + ")")
    # the same name twice in one recruitment: the session_id tells them apart
    clash = labels.duplicated(keep=False)
    return labels.where(~clash, labels + " [" + frame["session_id"].astype(str) + "]")


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
    matrix.insert(0, "candidate", _labels(figures).to_numpy())
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
    depth, root, _ = _thread_arrays(questions)
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
    sessions whose candidate part is outside 30–40 minutes; count = minutes used).
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


def _format_date(value: object) -> str:
    stamp = pd.Timestamp(value)
    return stamp.strftime("%d.%m.%Y")


def fairness_flags(sessions: pd.DataFrame) -> list[dict]:
    """Where the held finalists of one recruitment did not get the same conditions.

    Returns dicts with ``kind`` and the parameters of its message:
    ``{"kind": "minutes", "low", "high", "difference"}`` when minutes used differ by more than 5;
    ``{"kind": "day", "dates": "dd.mm.yyyy, ...", "count"}`` when they were on different days;
    ``{"kind": "manager", "managers": "A, B", "count"}`` when they met different managers.
    Missing values (no times, no manager) are not counted as a difference.
    """
    done = held(sessions)
    flags: list[dict] = []
    if len(done) < 2:
        return flags
    minutes = session_minutes(done).dropna()
    if len(minutes) >= 2 and minutes.max() - minutes.min() > FAIR_MINUTES:
        flags.append({"kind": "minutes", "low": round(float(minutes.min()), 1),
                      "high": round(float(minutes.max()), 1),
                      "difference": round(float(minutes.max() - minutes.min()), 1)})
    days = sorted(set(_dates(done["date"]).dropna()))
    if len(days) > 1:
        flags.append({"kind": "day", "dates": ", ".join(_format_date(d) for d in days),
                      "count": len(days)})
    if "manager" in done:
        managers = sorted({str(m).strip() for m in done["manager"].dropna() if str(m).strip()})
        if len(managers) > 1:
            flags.append({"kind": "manager", "managers": ", ".join(managers),
                          "count": len(managers)})
    return flags


def fairness_by_recruitment(sessions: pd.DataFrame) -> list[tuple[str, dict]]:
    """`fairness_flags` for every recruitment at once, as (recruitment, flag) pairs.

    One grouped pass finds the recruitments whose held finalists differ in minutes, day or
    manager; only those are examined in detail, so 2,000 sessions cost milliseconds.
    """
    done = held(sessions)
    if done.empty:
        return []
    managers = done["manager"].astype("string").str.strip().replace("", pd.NA) \
        if "manager" in done else pd.Series(pd.NA, index=done.index)
    grouped = pd.DataFrame({"recruitment": done["recruitment"],
                            "minutes": session_minutes(done), "day": _dates(done["date"]),
                            "manager": managers}).groupby("recruitment")
    agg = grouped.agg(n=("day", "size"), lo=("minutes", "min"), hi=("minutes", "max"),
                      days=("day", "nunique"), managers=("manager", "nunique"))
    suspect = agg[(agg["n"] >= 2) & (((agg["hi"] - agg["lo"]) > FAIR_MINUTES)
                                     | (agg["days"] > 1) | (agg["managers"] > 1))].index
    return [(name, flag) for name in sorted(suspect)
            for flag in fairness_flags(done[done["recruitment"] == name])]


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
    """The finalists of ``recruitment`` side by side (the Compare page and its export).

    Raises
    ------
    NotFound
        When no session belongs to ``recruitment``.
    """
    mine = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    if mine.empty:
        raise NotFound(f"unknown recruitment: {recruitment}")
    q = filter_by_sessions(questions, held(mine))
    figures = session_figures(mine, q, ratings)
    score_cols = [c for c in figures if c.startswith("score_")] if ratings is not None else []
    table = figures[["session_id", "candidate", *COMPARISON_FIGURES, *score_cols]]

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
    return Comparison(table.reset_index(drop=True), shares, fairness_flags(mine), listed,
                      recruitment, bool(score_cols) and bool(table[score_cols].notna().any().any()))
