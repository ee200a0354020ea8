"""Independent ratings: blind until complete or revealed, for every role, on SQLite and PostgreSQL;
handing in, revealing, settings, and the agreement statistic against Krippendorff's own example."""
from __future__ import annotations

import krippendorff
import numpy as np
import pandas as pd
import pytest
from sqlalchemy import select

from analysis import (
    RatingLocked,
    agreement,
    agreement_reading,
    handed_in,
    ratings_snapshot,
    rating_rights,
    recruitment_agreement,
    reveal,
    session_states,
    set_required_raters,
    side_by_side,
    submit_rating,
    visible_ratings,
)
from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.store.auth import Actor
from analysis.store.models import Account, Assignment, AuditEvent
from analysis.workbook.schema import SCORES
from tests.conftest import minimal_sheets

SCORES_4 = dict.fromkeys(SCORES, 4)
ADMIN = Actor("ada", "admin")
RECRUITER = Actor("rita", "recruiter")
PER = Actor("per", "rater")            # account display name "Per Leder" (see `_one_rating`)
OLGA = Actor("Olga Observatør", "rater")
VIEWER = Actor("vera", "viewer")


def _one_rating(store, make_upload, labeller):
    """A1 with only the manager's rating in (closed: 1 of 2), and an account for Per."""
    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[:1]
    store.import_upload(make_upload(sheets), labeller)
    with store.transaction() as db:
        db.add(Account(username="per", display_name="Per Leder", role="rater"))
        # the two raters of A1 (without assignments only its recorded manager Per may rate it)
        db.add(Assignment(username="per", session_key="A1"))
        db.add(Assignment(username="Olga Observatør", session_key="A1"))
    return store


@pytest.fixture
def closed(store, make_upload, labeller):
    return _one_rating(store, make_upload, labeller)


@pytest.mark.parametrize("actor", [ADMIN, RECRUITER, OLGA, VIEWER], ids=lambda a: a.role)
def test_nobody_sees_others_scores_before_complete(closed, actor):
    other = closed.as_actor(actor)
    # through the store API, the module API and for one session: nothing of Per's rating
    for frame in (other.ratings(), visible_ratings(other), visible_ratings(other, "A1")):
        assert frame.empty
    # but everyone sees who handed in, and when
    who = handed_in(other, "A1")
    assert list(who["rater"]) == ["Per Leder"]
    assert set(who.columns) == {"session_id", "rater", "role", "submitted", "source"}


def test_rater_sees_own_rating_only_while_closed(closed):
    per = closed.as_actor(PER)
    mine = per.ratings()
    assert list(mine["rater"]) == ["Per Leder"] and mine["own"].all()
    assert mine.loc[0, "note"] == "God samtale"  # one's own note, although raters lack read_notes
    submit_rating(closed.as_actor(OLGA), "A1", "Olga Observatør", "observer",
                     dict.fromkeys(SCORES, 2), "Nervøs i starten")
    # the session is now complete: both appear, but a rater does not read the other's note
    both = per.ratings().set_index("rater")
    assert list(both.index) == ["Olga Observatør", "Per Leder"]
    assert both.loc["Olga Observatør", "role_insight"] == 2
    assert pd.isna(both.loc["Olga Observatør", "note"])
    assert both.loc["Per Leder", "note"] == "God samtale"


@pytest.mark.parametrize("reader", [ADMIN, RECRUITER, PER, OLGA, VIEWER], ids=lambda a: a.name)
def test_one_snapshot_filtered_per_person_is_what_each_reads_alone(closed, reader):
    # a server reads the ratings once per version (as anyone of the role) and filters them per
    # person: that must be exactly each person's own read, while closed and once complete
    def same_as_alone():
        snapshot = ratings_snapshot(closed.as_actor(Actor(" shared ", reader.role)))
        person = closed.as_actor(reader)
        pd.testing.assert_frame_equal(visible_ratings(person, snapshot=snapshot),
                                      visible_ratings(person))
        return snapshot

    closed_snapshot = same_as_alone()
    submit_rating(closed.as_actor(OLGA), "A1", "Olga Observatør", "observer", SCORES_4, "Trygg")
    same_as_alone()
    assert (visible_ratings(closed.as_actor(PER), snapshot=closed_snapshot)["rater"].tolist()
            == ["Per Leder"])  # the snapshot from before Olga's rating: still closed


def test_after_completion_notes_follow_the_role(closed):
    submit_rating(closed.as_actor(OLGA), "A1", "Olga Observatør", "observer", SCORES_4,
                     "Trygg")
    recruiter = closed.as_actor(RECRUITER).ratings().set_index("rater")
    assert recruiter.loc["Olga Observatør", "note"] == "Trygg"
    assert recruiter.loc["Per Leder", "note"] == "God samtale"
    viewer = closed.as_actor(VIEWER).ratings()
    assert len(viewer) == 2 and viewer["note"].isna().all()
    assert viewer["role_insight"].notna().all()  # a viewer sees the scores once complete


def test_reveal_opens_a_closed_session_and_is_audited(closed):
    with pytest.raises(PermissionDenied):
        reveal(closed.as_actor(PER), "A1")
    with pytest.raises(PermissionDenied):
        reveal(closed.as_actor(VIEWER), "A1")
    when = reveal(closed.as_actor(RECRUITER), "A1")
    assert reveal(closed.as_actor(ADMIN), "A1") == when  # a second reveal keeps the first
    state = session_states(closed, "A1").iloc[0]
    assert state["open"] and not state["complete"] and state["revealed_by"] == "rita"
    seen = visible_ratings(closed.as_actor(OLGA), "A1")
    assert list(seen["rater"]) == ["Per Leder"] and seen.loc[0, "conversation"] == 5
    assert pd.isna(seen.loc[0, "note"])  # raters still do not read others' notes
    with closed.engine.connect() as conn:
        events = conn.execute(select(AuditEvent.actor, AuditEvent.target)
                              .where(AuditEvent.action == "reveal_ratings")).all()
    assert [tuple(e) for e in events] == [("rita", "A1")]


def test_rating_is_locked_once_visible(closed):
    per = closed.as_actor(PER)
    submit_rating(per, "A1", "Per Leder", "manager", SCORES_4, "Endret før")  # still closed
    assert per.ratings().loc[0, "note"] == "Endret før"
    reveal(closed.as_actor(RECRUITER), "A1")
    with pytest.raises(RatingLocked, match="visible"):
        submit_rating(per, "A1", "Per Leder", "manager", dict.fromkeys(SCORES, 1))
    with pytest.raises(RatingLocked):
        submit_rating(closed.as_actor(ADMIN), "A1", "Per Leder", "manager", SCORES_4)
    assert per.ratings().loc[0, "role_insight"] == 4


def test_submitted_rating_is_stored_from_the_app(closed):
    submit_rating(closed.as_actor(OLGA), "A1", "Olga Observatør", "observer",
                     {s: float(v) for s, v in zip(SCORES, (1, 2, 3, 4, 5))}, "  ")
    row = closed.as_actor(ADMIN).ratings().set_index("rater").loc["Olga Observatør"]
    assert row["source"] == "app" and pd.notna(row["submitted"]) and pd.isna(row["note"])
    assert [row[s] for s in SCORES] == [1, 2, 3, 4, 5]
    assert session_states(closed, "A1").iloc[0]["complete"]


@pytest.mark.parametrize("scores, match", [
    ({**SCORES_4, "composure": 6}, "composure"),
    ({**SCORES_4, "composure": 0}, "composure"),
    ({**SCORES_4, "composure": 2.5}, "composure"),
    ({**SCORES_4, "composure": "x"}, "composure"),
    ({s: 4 for s in SCORES[:4]}, "composure"),
    ({**SCORES_4, "charisma": 5}, "charisma"),
])
def test_bad_scores_are_refused(sqlite_store, make_upload, labeller, scores, match):
    store = _one_rating(sqlite_store, make_upload, labeller)
    with pytest.raises(InputError, match=match):
        submit_rating(store, "A1", "Olga", "observer", scores)
    assert session_states(store, "A1").iloc[0]["handed_in"] == 1


def test_who_may_rate(sqlite_store, make_upload, labeller):
    store = _one_rating(sqlite_store, make_upload, labeller)
    with pytest.raises(PermissionDenied):
        submit_rating(store.as_actor(VIEWER), "A1", "vera", "observer", SCORES_4)
    with pytest.raises(PermissionDenied, match="rate_for_others"):
        submit_rating(store.as_actor(OLGA), "A1", "Per Leder", "manager", SCORES_4)
    with pytest.raises(InputError, match="role"):
        submit_rating(store, "A1", "Olga", "boss", SCORES_4)
    with pytest.raises(InputError, match="role"):
        submit_rating(store.as_actor(OLGA), "A1", "Olga Observatør", "", SCORES_4)  # no default
    with pytest.raises(NotFound):
        submit_rating(store, "NOPE", "Olga", "observer", SCORES_4)
    # with assignments, a rater may only rate the sessions assigned to them
    with pytest.raises(PermissionDenied, match="rate_unassigned"):
        submit_rating(store.as_actor(Actor("vic", "rater")), "A1", "vic", "observer", SCORES_4)
    submit_rating(store.as_actor(OLGA), "A1", "Olga Observatør", "observer", SCORES_4)
    # a recruiter may type in a rating handed in on paper
    submit_rating(store.as_actor(RECRUITER), "A1", "Siri Skriver", "observer", SCORES_4)
    assert session_states(store).set_index("session_id")["handed_in"].to_dict() == {
        "A1": 3, "A2": 0}


def _unassigned(store, make_upload, labeller):
    """A3, held, with no assignments and 1 of 2 ratings in (its manager's, from the workbook);
    A4 has the observer's rating only. Accounts: per ("Per Leder"), vic, and olga."""
    sheets = minimal_sheets()
    more = sheets["Økter"].iloc[[0, 0]].assign(økt_id=["A3", "A4"], kandidat=["Åse", "Bo"])
    sheets["Økter"] = pd.concat([sheets["Økter"], more], ignore_index=True)
    sheets["Vurderinger"] = sheets["Vurderinger"].assign(økt_id=["A3", "A4"])
    store.import_upload(make_upload(sheets), labeller)
    with store.transaction() as db:
        db.add(Account(username="per", display_name="Per Leder", role="rater"))
        db.add(Account(username="olga", display_name="Olga Observatør", role="rater"))
        db.add(Account(username="vic", display_name="Vic Tor", role="rater"))
    return store


def test_no_throwaway_rating_opens_a_session(store, make_upload, labeller):
    """Issue 10, defect 2: without assignments (the default) and with 1 of 2 ratings in, a rater
    the session does not record cannot hand in a rating that would open it, on either database;
    the other rater's scores stay hidden from them."""
    store = _unassigned(store, make_upload, labeller)
    vic = store.as_actor(Actor("vic", "rater"))
    with pytest.raises(PermissionDenied, match="rate_unrecorded"):
        submit_rating(vic, "A3", "Vic Tor", "observer", dict.fromkeys(SCORES, 1))
    assert session_states(store, "A3").iloc[0]["handed_in"] == 1
    assert visible_ratings(vic, "A3").empty
    # the session's recorded people may: its manager (as manager only) and a rater already in
    per = store.as_actor(Actor("per", "rater"))
    with pytest.raises(PermissionDenied, match="rate_role"):
        submit_rating(per, "A4", "per", "observer", SCORES_4)
    submit_rating(per, "A4", "per", "manager", SCORES_4, "Som leder")
    olga = store.as_actor(Actor("olga", "rater"))
    with pytest.raises(PermissionDenied, match="rate_unrecorded"):
        submit_rating(olga, "A3", "olga", "observer", SCORES_4)
    rights = rating_rights(olga).set_index("session_id")
    assert rights["may_rate"].to_dict() == {"A1": False, "A2": False, "A3": False, "A4": True}
    assert rights.loc["A4", "roles"] == ("observer",)
    assert rights.loc["A2", "reason"] == "declined" and rights.loc["A3", "reason"] == "unrecorded"
    # A4 is complete now (Olga's workbook rating and Per's): she may no longer change hers
    with pytest.raises(RatingLocked):
        submit_rating(olga, "A4", "Olga Observatør", "observer", SCORES_4)
    # the rating carries the display name, whatever name the rater typed
    assert "Per Leder" in set(handed_in(store, "A4")["rater"])


@pytest.mark.parametrize("actor", [ADMIN, RECRUITER, PER], ids=lambda a: a.role)
def test_declined_and_erased_sessions_are_rated_by_nobody(sqlite_store, make_upload, labeller,
                                                          actor):
    from analysis import erase_candidate

    store = _unassigned(sqlite_store, make_upload, labeller)
    who = store.as_actor(actor)
    with pytest.raises(PermissionDenied, match="rate_declined"):
        submit_rating(who, "A2", "Per Leder", "manager", SCORES_4)  # Ola declined
    erase_candidate(store, "A3")
    with pytest.raises(PermissionDenied, match="rate_erased"):
        submit_rating(who, "A3", "Per Leder", "manager", SCORES_4)
    rights = rating_rights(who).set_index("session_id")
    assert rights.loc["A2", "reason"] == "declined" and rights.loc["A3", "reason"] == "erased"
    assert session_states(store).set_index("session_id")["handed_in"].to_dict() == {
        "A1": 0, "A2": 0, "A3": 1, "A4": 1}


def test_zero_width_and_case_do_not_make_another_rater(sqlite_store, make_upload, labeller):
    store = _one_rating(sqlite_store, make_upload, labeller)
    set_required_raters(store, "Driftssjef Bergen", 3)  # stays closed, so hers may change
    recruiter = store.as_actor(RECRUITER)
    submit_rating(recruiter, "A1", "Olga Observatør", "observer", SCORES_4, "Første")
    submit_rating(recruiter, "A1", " olga\u200b observatør ", "observer", SCORES_4, "Andre")
    assert list(handed_in(store, "A1")["rater"]).count("Olga Observatør") == 1
    reveal(store, "A1")
    assert visible_ratings(store, "A1").set_index("rater").loc["Olga Observatør", "note"] == "Andre"


def test_required_raters_setting(sqlite_store, make_upload, labeller):
    store = _one_rating(sqlite_store, make_upload, labeller)
    with pytest.raises(PermissionDenied):
        set_required_raters(store.as_actor(PER), "Driftssjef Bergen", 1)
    with pytest.raises(InputError):
        set_required_raters(store, "Driftssjef Bergen", 0)
    with pytest.raises(NotFound):
        set_required_raters(store, "Ukjent", 2)
    assert visible_ratings(store.as_actor(VIEWER)).empty
    set_required_raters(store.as_actor(RECRUITER), "Driftssjef Bergen", 1)
    assert list(visible_ratings(store.as_actor(VIEWER))["rater"]) == ["Per Leder"]
    set_required_raters(store, "Driftssjef Bergen", 3)
    assert visible_ratings(store.as_actor(VIEWER)).empty


def test_side_by_side_spread(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    table = side_by_side(sqlite_store.ratings(), "A1")
    assert list(table.columns) == ["Olga Observatør", "Per Leder", "spread"]
    assert table["spread"].to_dict() == {"role_insight": 1, "priorities": 0, "conversation": 1,
                                         "follow_up": 0, "composure": 1}


# ------------------------------------------------------------------------------------------------
# Agreement

#: Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", p. 8: 4 observers x 12 units.
K2011 = np.array([[1, 2, 3, 3, 2, 1, 4, 1, 2, np.nan, np.nan, np.nan],
                  [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, np.nan, 3],
                  [np.nan, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, np.nan],
                  [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, np.nan]])


@pytest.mark.parametrize("level, published", [("nominal", 0.743), ("ordinal", 0.815),
                                              ("interval", 0.849), ("ratio", 0.797)])
def test_library_reproduces_krippendorffs_published_values(level, published):
    assert krippendorff.alpha(K2011, level_of_measurement=level) == pytest.approx(published,
                                                                                 abs=5e-4)


def _as_ratings(matrix: np.ndarray, criterion: str = "role_insight") -> pd.DataFrame:
    rows = [{"session_id": f"u{unit:02d}", "rater": f"c{coder}", criterion: matrix[coder, unit]}
            for coder in range(matrix.shape[0]) for unit in range(matrix.shape[1])
            if not np.isnan(matrix[coder, unit])]
    return pd.DataFrame(rows).reindex(columns=["session_id", "rater", *SCORES])


def _open(units, recruitment="R", is_open=True) -> pd.DataFrame:
    return pd.DataFrame({"session_id": list(units), "recruitment": recruitment,
                         "open": is_open})


def test_agreement_matches_the_textbook_example():
    ratings = _as_ratings(K2011)
    result = agreement(ratings, _open(ratings["session_id"].unique())).set_index("criterion")
    row = result.loc["role_insight"]
    assert row["alpha"] == pytest.approx(0.815, abs=5e-4)
    assert row["sessions"] == 11  # the unit rated by one observer only is not pairable
    assert row["ratings"] == 40
    assert row["reading"] == "good"
    assert result.loc["composure", "reading"] == "too_few"


def test_agreement_leaves_closed_sessions_out():
    ratings = _as_ratings(K2011)
    units = list(ratings["session_id"].unique())
    sessions = pd.concat([_open(units[:8]), _open(units[8:], is_open=False)])
    with_closed = agreement(ratings, sessions).set_index("criterion").loc["role_insight"]
    only_open = agreement(ratings[ratings["session_id"].isin(units[:8])], _open(units[:8]))
    assert with_closed["sessions"] == 8
    assert with_closed["alpha"] == pytest.approx(only_open.loc[0, "alpha"])


@pytest.mark.parametrize("pairs, reading", [
    ([(1, 1), (3, 3), (5, 5)], "good"),
    ([(1, 2), (3, 3), (5, 4), (2, 2)], "good"),
    ([(1, 5), (5, 1), (3, 3)], "low"),
    ([(4, 4), (4, 4), (4, 4)], "no_variation"),
    ([(2, 4)], "too_few"),
])
def test_agreement_readings(pairs, reading):
    ratings = pd.DataFrame([{"session_id": f"s{i}", "rater": r, "role_insight": v}
                            for i, pair in enumerate(pairs) for r, v in zip("ab", pair)])
    ratings = ratings.reindex(columns=["session_id", "rater", *SCORES])
    row = agreement(ratings, _open(ratings["session_id"].unique())).iloc[0]
    assert row["reading"] == reading
    assert (pd.isna(row["alpha"])) == (reading in ("no_variation", "too_few"))
    for lang in ("nb", "en"):
        assert agreement_reading(reading, lang)


def test_agreement_from_the_store_only_counts_what_is_open(sqlite_store, make_upload, labeller):
    store = _one_rating(sqlite_store, make_upload, labeller)
    frame = recruitment_agreement(store, "en")
    assert (frame["sessions"] == 0).all() and (frame["reading"] == "too_few").all()
    assert frame.loc[0, "criterion_label"] == "Role insight"
