"""The figures of `analysis.figures` on hand-built frames with answers worked out by hand."""
from __future__ import annotations

import datetime as dt
import json
import math

import numpy as np
import pandas as pd
import pytest

from analysis import figures
from analysis import FITS, SCORES
from analysis.errors import InputError, NotFound
from analysis.store.core import with_effective_fit


def sessions_frame(*rows: dict) -> pd.DataFrame:
    """Sessions as `Store.sessions` returns them; every row is held 09:00–09:35 unless given."""
    base = {"recruitment": "R", "date": dt.date(2026, 3, 4), "start": dt.time(9, 0),
            "end": dt.time(9, 35), "manager_minutes": 25.0, "status": "held",
            "manager": "Per", "required_raters": 2}
    out = []
    for i, row in enumerate(rows):
        full = {**base, "session_id": f"S{i + 1}", "candidate": f"Cand {i + 1}", **row}
        out.append(full)
    return pd.DataFrame(out)


def questions_frame(session_id: str, fits: list, follow: list | None = None,
                    **extra) -> pd.DataFrame:
    """Questions with seq 1..n, the given effective fits and follow_up_to values."""
    n = len(fits)
    follow = follow or [None] * n
    frame = pd.DataFrame({
        "id": range(n), "session_id": session_id, "seq": range(1, n + 1),
        "minute": [float(i * 2) for i in range(n)], "question": [f"q{i}" for i in range(1, n + 1)],
        "follow_up_to": pd.array(follow, dtype="Float64").astype("float64"),
        "fit": pd.Series(fits, dtype=object), "fit_source": ["model"] * n,
        "fit_confidence": [0.9] * n,
    })
    return frame.assign(**extra)


def one(frame: pd.DataFrame, session_id: str = "S1") -> pd.Series:
    return frame.set_index("session_id").loc[session_id]


# --------------------------------------------------------------------------------------------
# depth and threads


CHAIN = dict(fits=["job", "job", "group", "supervisor", "supervisor", "job"],
             # 1 root; 2 -> 1; 3 -> 2; 4 root; 5 -> 4; 6 -> 1 (a second branch of thread 1)
             follow=[None, 1, 2, None, 4, 1])


def test_depth_follows_chains_and_branches():
    q = figures.with_depth(questions_frame("S1", **CHAIN))
    assert q["depth"].tolist() == [0, 1, 2, 0, 1, 1]
    assert q["thread"].tolist() == [1, 1, 1, 4, 4, 1]


def test_depth_is_per_session_and_order_independent():
    a = questions_frame("A", ["job"] * 3, [None, 1, 2])
    b = questions_frame("B", ["job"] * 3, [None, None, 1])
    both = pd.concat([a, b]).sample(frac=1, random_state=3)  # shuffled rows
    q = figures.with_depth(both).set_index(["session_id", "seq"]).sort_index()
    assert q["depth"].tolist() == [0, 1, 2, 0, 0, 1]
    assert q["thread"].tolist() == [1, 1, 1, 1, 2, 1]


def test_depth_survives_broken_links():
    # validation forbids these; the figures must still end (a self-link, a missing parent)
    q = figures.with_depth(questions_frame("S1", ["job"] * 3, [None, 2, 9]))
    assert q["depth"].tolist() == [0, 1, 1]
    assert q["thread"].tolist() == [1, 2, 9]


def test_session_figures_thread_figures():
    f = one(figures.session_figures(sessions_frame({}), questions_frame("S1", **CHAIN)))
    assert f["questions"] == 6
    assert f["threads"] == 2
    assert f["follow_up_share"] == pytest.approx(4 / 6)
    assert f["max_depth"] == 2
    # thread 1 reaches depth 2, thread 4 depth 1
    assert f["mean_thread_depth"] == pytest.approx(1.5)


# --------------------------------------------------------------------------------------------
# fit coverage


@pytest.mark.parametrize("fits, covered, balance", [
    (["job", "group", "supervisor", "organization"], 4, 1.0),
    (["job", "job", "group", "group", "supervisor", "supervisor", "organization",
      "organization", "other", "other", "other"], 4, 1.0),  # other changes nothing
    (["job", "job", "job"], 1, 0.0),
    (["job", "group"], 2, 0.5),  # ln 2 / ln 4
    (["other", "other"], 0, 0.0),
    ([None, None], 0, 0.0),
])
def test_fits_covered_and_balance(fits, covered, balance):
    f = one(figures.session_figures(sessions_frame({}), questions_frame("S1", fits)))
    assert f["fits_covered"] == covered
    assert f["balance"] == pytest.approx(balance)
    assert f["balance"] >= 0 and not math.copysign(1, f["balance"]) < 0  # never -0.0


def test_balance_of_uneven_split():
    f = one(figures.session_figures(sessions_frame({}), questions_frame("S1", ["job"] * 3 + ["group"])))
    expected = -(0.75 * math.log(0.75) + 0.25 * math.log(0.25)) / math.log(4)
    assert f["balance"] == pytest.approx(expected)


def test_fit_counts_use_the_effective_fit():
    raw = pd.DataFrame({
        "session_id": "S1", "seq": [1, 2, 3, 4], "minute": 1.0, "question": ["a", "b", "c", "d"],
        "follow_up_to": np.nan, "id": range(4),
        "fit_correction": [None, "organization", None, None],
        "fit_workbook": [None, "job", "supervisor", None],
        "fit_model": ["group", "group", "group", None],
        "model_confidence": [0.8, 0.8, 0.8, np.nan],
    })
    q = with_effective_fit(raw)
    f = one(figures.session_figures(sessions_frame({}), q))
    # model, correction over workbook over model, workbook over model, unlabelled
    assert (f["n_group"], f["n_organization"], f["n_supervisor"], f["n_job"]) == (1, 1, 1, 0)
    assert f["questions"] == 4 and f["fits_covered"] == 3


def test_session_figures_rows_minutes_and_scores():
    sessions = sessions_frame(
        {"start": dt.time(9, 0), "end": dt.time(9, 38)},
        {"status": "declined", "start": None, "end": None},
        {"start": "10:05", "end": "10:35", "manager_minutes": None},  # text times work too
    )
    questions = pd.concat([questions_frame("S1", ["job", None]), questions_frame("S2", ["job"])])
    ratings = pd.DataFrame({"session_id": ["S1", "S1"], "rater": ["a", "b"],
                            "role_insight": [4, 3], "priorities": [3, 3],
                            "conversation": [5, None], "follow_up": [4, 4], "composure": [2, 5]})
    table = figures.session_figures(sessions, questions, ratings)
    assert table["session_id"].tolist() == ["S1", "S3"]  # the declined session is left out
    s1, s3 = one(table, "S1"), one(table, "S3")
    assert s1["minutes"] == 38 and s3["minutes"] == 30
    assert s1["manager_minutes"] == 25 and math.isnan(s3["manager_minutes"])
    assert (s1["questions"], s1["n_job"]) == (2, 1)  # the unlabelled question counts as asked
    assert s1["score_role_insight"] == 3.5 and s1["score_conversation"] == 5.0
    assert s1["score_mean"] == pytest.approx((3.5 + 3 + 5 + 4 + 3.5) / 5)
    # a held session without questions: nothing to share, balance 0
    assert s3["questions"] == 0 and s3["threads"] == 0 and s3["balance"] == 0
    assert math.isnan(s3["follow_up_share"]) and math.isnan(s3["mean_thread_depth"])
    assert math.isnan(s3["score_mean"])
    assert "score_mean" not in figures.session_figures(sessions, questions)


def test_figure_records_have_exactly_the_agreed_keys_and_no_nan():
    sessions = sessions_frame({}, {"end": None})
    questions = questions_frame("S1", **CHAIN)
    records = figures.figure_records(figures.session_figures(sessions, questions))
    assert [list(r) for r in records] == [figures.FIGURE_COLUMNS] * 2
    assert records[0]["fit_counts"] == {"job": 3, "group": 1, "supervisor": 2,
                                        "organization": 0, "other": 0}
    assert records[0]["follow_up_share"] == 0.6667
    assert records[1]["minutes"] is None and records[1]["follow_up_share"] is None
    json.dumps(records, allow_nan=False)  # raises on NaN


def test_fit_matrix_counts_shares_and_labels():
    sessions = sessions_frame({"candidate": "Kari", "recruitment": "A"},
                              {"candidate": "Kari", "recruitment": "B"},
                              {"candidate": "Ola", "recruitment": "A"})
    questions = pd.concat([questions_frame("S1", ["job", "job", "group", "other"]),
                           questions_frame("S2", ["organization", None])])
    counts = figures.fit_matrix(questions, sessions)
    assert list(counts.columns) == ["candidate", "job", "group", "supervisor", "organization",
                                    "other"]
    assert counts.loc["S1", ["job", "group", "other"]].tolist() == [2, 1, 1]
    assert counts["candidate"].tolist() == ["Kari (A)", "Kari (B)", "Ola"]
    shares = figures.fit_matrix(questions, sessions, normalize=True)
    assert shares.loc["S1", "job"] == 0.5
    assert shares.loc["S2", "organization"] == 1.0  # of the labelled questions
    assert shares.loc["S3", list(FITS)].sum() == 0


def test_dug_into_counts_follow_ups_by_the_root_question_fit():
    dug = figures.dug_into(questions_frame("S1", **CHAIN))
    rows = {r.fit: (r.threads, r.follow_ups, r.max_depth) for r in dug.itertuples()}
    # thread 1 (job) has 3 follow-ups, one of them labelled group; thread 4 (supervisor) has 1
    assert rows == {"job": (1, 3, 2), "supervisor": (1, 1, 1)}


# --------------------------------------------------------------------------------------------
# candidate feedback


def test_nps():
    result = figures.nps(pd.Series([10, 9, 8, 7, 6, 0]))
    assert {k: result[k] for k in ("score", "promoters", "passives", "detractors", "n")} == {
        "score": 0.0, "promoters": 2, "passives": 2, "detractors": 2, "n": 6}
    assert result["ci_low"] < 0 < result["ci_high"] and result["little_data"]
    assert figures.nps(pd.Series([9, 9, 9, 7, None]))["score"] == 75.0
    assert figures.nps(pd.Series([3, 5]))["score"] == -100.0
    assert figures.nps(pd.Series([], dtype=float)) == {
        "score": None, "ci_low": None, "ci_high": None, "promoters": 0, "passives": 0,
        "detractors": 0, "n": 0, "little_data": True}


#: Two-sided 95 % Student t quantiles t(0.975, df) from a printed table (df: value).
T975 = {2: 4.303, 4: 2.776, 10: 2.228, 30: 2.042, 120: 1.980}


def test_mean_ci_matches_the_t_interval():
    # 1..5: mean 3, s = sqrt(2.5), se = s/sqrt(5), t(0.975, 4) = 2.776
    n, mean, low, high = figures.mean_ci(pd.Series([1, 2, 3, 4, 5]))
    half = T975[4] * math.sqrt(2.5) / math.sqrt(5)
    assert (n, mean) == (5, 3.0)
    assert (low, high) == pytest.approx((3 - half, 3 + half), abs=1e-3)
    assert low == pytest.approx(1.037, abs=1e-3)
    n1, mean1, low1, high1 = figures.mean_ci(pd.Series([4, None]))
    assert (n1, mean1) == (1, 4.0) and math.isnan(low1) and math.isnan(high1)


@pytest.mark.parametrize("df", sorted(T975))
def test_mean_ci_uses_the_t_quantile_of_n_minus_one_degrees_of_freedom(df):
    # n values -1, +1 alternating (n = df + 1; an odd n gets one 0): the half-width / se is t
    n = df + 1
    values = pd.Series([(-1) ** i for i in range(n - n % 2)] + [0] * (n % 2), dtype=float)
    _, mean, low, high = figures.mean_ci(values)
    se = values.std(ddof=1) / math.sqrt(n)
    assert (high - mean) / se == pytest.approx(T975[df], abs=1.5e-3)


def feedback_frame() -> pd.DataFrame:
    return pd.DataFrame({
        "recruitment": ["A", "A", "A", "B", "B"],
        "session_id": ["S1", None, "S2", "S3", None],
        "submitted": [dt.date(2026, 1, 10), dt.date(2026, 1, 20), None, dt.date(2026, 3, 1),
                      None],
        "experience": [5, 4, 3, 4, 5], "learned": [4, 4, 4, None, 2],
        "fairness": [5, 5, 5, 5, 5], "recommend": [9, 7, 10, 2, 9],
    })


def test_feedback_summary_flags_small_samples_and_pools_all():
    summary = figures.feedback_summary(feedback_frame(), min_answers=3).set_index(
        ["recruitment", "item"])
    a = summary.loc[("A", "experience")]
    assert (a["n"], a["mean"], bool(a["small_sample"])) == (3, 4.0, False)
    half = T975[2] * 1.0 / math.sqrt(3)  # t(0.975, 2), s = 1: 1.52..6.48, clipped at the top
    assert (a["ci_low"], a["ci_high"]) == pytest.approx((4 - half, 5), abs=1e-3)
    b = summary.loc[("B", "learned")]
    assert b["n"] == 1 and bool(b["small_sample"]) and math.isnan(b["ci_low"])
    pooled = summary.loc[(figures.ALL, "experience")]
    assert pooled["n"] == 5 and bool(pooled["overall"]) and pooled["mean"] == 4.2
    # B's experience (4, 5): the t-interval is -1.85..10.85, clipped to the 1–5 scale
    assert tuple(summary.loc[("B", "experience"), ["ci_low", "ci_high"]]) == (1, 5)
    assert not summary.loc[("A", "fairness"), "small_sample"]
    assert summary.loc[("A", "fairness"), ["ci_low", "ci_high"]].tolist() == [5, 5]


def test_feedback_distribution_and_trend():
    dist = figures.feedback_distribution(feedback_frame(), "recommend")
    assert dist.index.tolist() == list(range(11))
    assert dist.loc[9].tolist() == [1, 1] and dist.loc[2, "B"] == 1 and dist.values.sum() == 5
    assert figures.feedback_distribution(feedback_frame(), "experience").index.tolist() == [1, 2, 3,
                                                                                         4, 5]
    with pytest.raises(InputError):
        figures.feedback_distribution(feedback_frame(), "nonsense")
    trend = figures.feedback_trend(feedback_frame())
    assert [p.strftime("%Y-%m") for p in trend["period"]] == ["2026-01", "2026-03"]
    assert trend["n"].tolist() == [2, 1]
    assert trend["experience"].tolist() == [4.5, 4.0]


# --------------------------------------------------------------------------------------------
# filters


def test_filter_sessions():
    sessions = sessions_frame(
        {"recruitment": "A", "date": dt.date(2026, 1, 1), "candidate": "Kari"},
        {"recruitment": "A", "date": dt.date(2026, 2, 1), "candidate": "Ola"},
        {"recruitment": "B", "date": dt.date(2026, 3, 1), "candidate": "Kari"},
    )
    def pick(**kw) -> list[str]:
        return figures.filter_sessions(sessions, figures.Filters(**kw))["session_id"].tolist()

    assert pick() == ["S1", "S2", "S3"]
    assert pick(recruitments=("A",)) == ["S1", "S2"]
    assert pick(date_from=dt.date(2026, 2, 1)) == ["S2", "S3"]  # inclusive
    assert pick(date_to=dt.date(2026, 2, 1)) == ["S1", "S2"]
    assert pick(candidates=("Kari",), recruitments=("B",)) == ["S3"]
    questions = pd.concat([questions_frame(s, ["job"]) for s in ("S1", "S2", "S3")])
    kept = figures.filter_by_sessions(questions, figures.filter_sessions(sessions, figures.Filters(("B",))))
    assert kept["session_id"].tolist() == ["S3"]


def test_filter_feedback_keeps_anonymous_answers_and_ignores_the_candidate():
    sessions = sessions_frame({"date": dt.date(2026, 2, 5)}, {"date": dt.date(2026, 1, 5)},
                              {"recruitment": "B"})
    fb = feedback_frame()
    def pick(**kw) -> list[int]:
        return figures.filter_feedback(fb, sessions, figures.Filters(**kw)).index.tolist()

    assert pick(recruitments=("A",)) == [0, 1, 2]
    # row 2 has no date of its own: its session's (5 Jan) counts; row 4 has none at all: kept
    assert pick(date_from=dt.date(2026, 1, 15)) == [1, 3, 4]
    assert pick(date_to=dt.date(2026, 1, 15)) == [0, 2, 4]
    assert pick(candidates=("Cand 1",)) == [0, 1, 2, 3, 4]


# --------------------------------------------------------------------------------------------
# fairness, attention, overview, comparison


def test_fairness_flags_do_not_fire_for_equal_conditions():
    sessions = sessions_frame({"end": dt.time(9, 35)}, {"end": dt.time(9, 40)},  # 5 min apart
                              {"manager": None},  # an unknown manager is no difference
                              {"status": "declined", "date": dt.date(2026, 5, 1),
                               "manager": "Someone else", "start": None, "end": None})
    assert figures.fairness_flags(sessions) == []
    assert figures.fairness_flags(sessions_frame({"end": dt.time(10, 30)})) == []  # alone


def test_fairness_flags_fire_for_each_kind():
    sessions = sessions_frame(
        {"end": dt.time(9, 32)},
        {"end": dt.time(9, 38), "date": dt.date(2026, 3, 5), "manager": "Pål"},
    )
    flags = {f["kind"]: f for f in figures.fairness_flags(sessions)}
    assert set(flags) == {"minutes", "day", "manager"}
    assert flags["minutes"] == {"kind": "minutes", "low": 32.0, "high": 38.0, "difference": 6.0}
    assert flags["day"]["count"] == 2 and flags["day"]["dates"] == "04.03.2026, 05.03.2026"
    assert flags["manager"]["managers"] == "Per, Pål"
    only_minutes = sessions_frame({"end": dt.time(9, 30)}, {"end": dt.time(9, 36)})
    assert [f["kind"] for f in figures.fairness_flags(only_minutes)] == ["minutes"]
    only_day = sessions_frame({}, {"date": dt.date(2026, 3, 9)})
    assert [f["kind"] for f in figures.fairness_flags(only_day)] == ["day"]


def test_fairness_by_recruitment_matches_fairness_flags_per_recruitment():
    # the grouped pass must give what each recruitment alone gives, for every kind and for the
    # values that are no difference (unknown minutes or manager, a blank manager, declined)
    sessions = sessions_frame(
        {"recruitment": "A", "end": dt.time(9, 32)},
        {"recruitment": "A", "end": dt.time(9, 38), "date": dt.date(2026, 3, 5), "manager": "Pål"},
        {"recruitment": "A", "end": None, "manager": "  "},
        {"recruitment": "B", "manager": None}, {"recruitment": "B", "end": dt.time(9, 42)},
        {"recruitment": "C", "start": None, "end": None},
        {"recruitment": "C", "status": "declined", "date": dt.date(2026, 6, 1), "manager": "Ola"},
        {"recruitment": "C", "date": dt.date(2026, 3, 9), "manager": " Per "},
        {"recruitment": "D", "manager": "Ola"})
    expected = [(name, flag) for name in ("A", "B", "C", "D")
                for flag in figures.fairness_flags(sessions[sessions["recruitment"] == name])]
    assert {name for name, _ in expected} == {"A", "B", "C"}
    assert figures.fairness_by_recruitment(sessions) == expected
    no_manager = sessions.drop(columns=["manager"])
    assert figures.fairness_by_recruitment(no_manager) == [
        (name, flag) for name in ("A", "B", "C", "D")
        for flag in figures.fairness_flags(no_manager[no_manager["recruitment"] == name])]
    assert figures.fairness_by_recruitment(sessions_frame({}, {"end": dt.time(9, 38)})) == []


def test_attention_lists_each_kind():
    sessions = sessions_frame({"end": dt.time(9, 45)}, {"required_raters": 3},
                              {"status": "declined", "start": None, "end": None})
    q1 = questions_frame("S1", ["job", None, "group"], fit_confidence=[0.9, np.nan, 0.3])
    q2 = questions_frame("S2", ["job", "job"], fit_confidence=[0.2, 1.0],
                         fit_source=["model", "workbook"])
    ratings = pd.DataFrame({"session_id": ["S1", "S1", "S2"], "rater": ["a", "b", "a"]})
    items = figures.attention(sessions, pd.concat([q1, q2]), ratings)
    got = {(r.kind, r.session_id): r.count for r in items.itertuples()}
    assert got == {("unlabelled", "S1"): 1, ("low_confidence", "S1"): 1,
                   ("low_confidence", "S2"): 1, ("missing_ratings", "S2"): 2,
                   ("duration", "S1"): 45}
    assert set(items["recruitment"]) == {"R"}
    no_ratings = figures.attention(sessions, pd.concat([q1, q2]), None)
    assert "missing_ratings" not in set(no_ratings["kind"])


def test_recruitment_overview():
    sessions = sessions_frame(
        {"recruitment": "A", "candidate": "Kari"}, {"recruitment": "A", "candidate": "Ola"},
        {"recruitment": "A", "status": "declined", "date": dt.date(2026, 3, 1)},
        {"recruitment": "B"})
    questions = pd.concat([questions_frame("S1", ["job", "job", "group"], [None, 1, None]),
                           questions_frame("S2", ["job", "supervisor"], [None, 1])])
    overview = figures.recruitment_overview(sessions, questions).set_index("recruitment")
    a = overview.loc["A"]
    assert (a["finalists"], a["held"], a["declined"], a["questions"]) == (3, 2, 1, 5)
    assert (a["first_date"], a["last_date"]) == (dt.date(2026, 3, 1), dt.date(2026, 3, 4))
    assert a["headline"] == {"kind": "coverage", "fit": "job", "share": 0.6,
                             "candidate": "Kari", "follow_ups": 1}
    assert overview.loc["B", "headline"] == {"kind": "no_questions"}


def test_compare_finalists():
    sessions = sessions_frame({"candidate": "Kari"}, {"candidate": "Ola", "end": dt.time(9, 45)},
                              {"candidate": "Per", "status": "declined"},
                              {"recruitment": "Other"})
    questions = pd.concat([
        questions_frame("S1", ["group", "job", "job", None], [None, None, 2, None]),
        questions_frame("S2", ["organization", "organization"]),
        questions_frame("S4", ["job"]),
    ])
    ratings = pd.DataFrame({"session_id": ["S1", "S1"], "rater": ["a", "b"],
                            **{s: [4, 2] for s in SCORES}})
    c = figures.compare_finalists("R", sessions, questions, ratings)
    assert c.recruitment == "R" and c.has_scores
    assert c.figures["candidate"].tolist() == ["Kari", "Ola"]
    assert c.figures.columns[:8].tolist() == ["session_id", "candidate", *figures.COMPARISON_FIGURES]
    assert c.figures.set_index("candidate").loc["Kari", "score_mean"] == 3.0
    assert c.shares.loc["S1", ["job", "group", "supervisor", "organization"]].tolist() == [
        2 / 3, 1 / 3, 0, 0]
    assert [f["kind"] for f in c.fairness] == ["minutes"]
    kari = c.questions[c.questions["candidate"] == "Kari"]
    # grouped by fit in FITS order, unlabelled last, with their depth
    assert kari["seq"].tolist() == [2, 3, 1, 4]
    assert kari["depth"].tolist() == [0, 1, 0, 0]
    assert set(c.questions["session_id"]) == {"S1", "S2"}
    bare = figures.compare_finalists("R", sessions, questions)
    assert not bare.has_scores and not [col for col in bare.figures if col.startswith("score_")]
    # a comparison made without ratings (shared by everyone) plus one person's scores is the same
    scored = figures.with_scores(bare, ratings)
    pd.testing.assert_frame_equal(scored.figures, c.figures)
    assert scored.has_scores and scored.fairness == c.fairness
    assert not figures.with_scores(bare, ratings.iloc[:0]).has_scores  # nothing visible to them
    with pytest.raises(NotFound):
        figures.compare_finalists("Nope", sessions, questions)


def test_empty_inputs_give_empty_frames():
    sessions = sessions_frame({})
    empty_q = questions_frame("S1", [])
    assert figures.session_figures(sessions.iloc[:0], empty_q).empty
    assert one(figures.session_figures(sessions, empty_q))["questions"] == 0
    assert figures.dug_into(empty_q).empty
    assert figures.with_depth(empty_q).empty
    assert figures.recruitment_overview(sessions.iloc[:0], empty_q).empty
    assert figures.attention(sessions.iloc[:0], empty_q, None).empty
    empty_fb = feedback_frame().iloc[:0]
    assert figures.feedback_trend(empty_fb).empty
    assert (figures.feedback_summary(empty_fb)["n"] == 0).all()


# -- coverage: one recruitment at a time, compared on one scale --------------------------------


def test_recruitments_by_recency_puts_the_latest_first_and_undated_last():
    f = pd.DataFrame({"recruitment": ["Old", "New", "Old", "Tie B", "Tie A", "None", None],
                      "date": [dt.date(2026, 1, 1), dt.date(2026, 5, 1), dt.date(2026, 2, 1),
                               dt.date(2026, 3, 1), dt.date(2026, 3, 1), None,
                               dt.date(2027, 1, 1)]})
    assert figures.recruitments_by_recency(f) == ["New", "Tie A", "Tie B", "Old", "None"]
    assert figures.recruitments_by_recency(f.iloc[:0]) == []


def test_coverage_panels_split_the_matrix_by_recruitment_in_the_asked_order():
    s = sessions_frame({"recruitment": "A"}, {"recruitment": "B"}, {"recruitment": "A"})
    q = pd.concat([questions_frame("S1", ["job", "job"]), questions_frame("S2", ["group"]),
                   questions_frame("S3", [None])])
    matrix = figures.fit_matrix(q, s)
    f = figures.session_figures(s, q)
    panels = figures.coverage_panels(matrix, f, ["B", "A", "C"])
    assert [name for name, _ in panels] == ["B", "A"]  # no panel for a recruitment without rows
    assert list(panels[0][1].index) == ["S2"] and list(panels[1][1].index) == ["S1", "S3"]
    assert figures.coverage_scale(panels) == 2.0
    assert figures.coverage_scale(panels, normalize=True) == 1.0
    # an empty panel set (or all zeros) still has a scale to draw
    assert figures.coverage_scale([("A", matrix.loc[["S3"]])]) == 1.0
    assert figures.coverage_scale([]) == 1.0


# -- depth: the conversation read beside its timeline -------------------------------------------


def test_conversation_lists_each_question_with_its_thread_and_follow_ups():
    q = questions_frame("S1", ["job", "job", None, "group"], follow=[None, 1, 2, None])
    q = q.iloc[[3, 1, 0, 2]]  # the store's order is not the reading order
    out = figures.conversation(q)
    assert list(out.columns) == figures.CONVERSATION_COLUMNS
    assert out["seq"].tolist() == [1, 2, 3, 4]
    assert out["thread"].tolist() == [1, 1, 1, 4]
    assert out["depth"].tolist() == [0, 1, 2, 0]
    assert out["follow_ups"].tolist() == [2, 1, 0, 0]
    assert out["follow_up_to"].fillna(0).tolist() == [0, 1, 2, 0]
    assert out["question"].tolist() == ["q1", "q2", "q3", "q4"]
    assert figures.conversation(q.iloc[:0]).empty


def test_conversation_keeps_a_follow_up_of_a_missing_question():
    q = questions_frame("S1", ["job", "job"], follow=[None, 7])
    out = figures.conversation(q)
    assert out["depth"].tolist() == [0, 1] and out["thread"].tolist() == [1, 7]


@pytest.mark.parametrize(("text", "width", "short"), [
    ("Hvorfor er stillingen ledig nå?", 40, "Hvorfor er stillingen ledig nå?"),
    ("Hvordan er turnusen lagt opp i dag, og hvor mye overtid er det?", 30,
     "Hvordan er turnusen lagt opp…"),
    ("Hva  forventer\ndu av meg?", 40, "Hva forventer du av meg?"),  # one line
    ("Overtidsbetalingsordningsreglementet gjelder?", 12, "Overtidsbet…"),  # no space to cut at
    ("<b>Hei</b> og hopp", 11, "<b>Hei</b>…"),  # text, not markup: escaping is the chart's job
])
def test_short_text_cuts_at_a_word(text, width, short):
    assert figures.short_text(text, width) == short
    assert len(figures.short_text(text, width)) <= width
