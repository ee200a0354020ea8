"""The store: all-or-nothing imports, idempotence, replacement, corrections, on SQLite and PostgreSQL."""
import pandas as pd
import pytest

from analysis.errors import WorkbookError
from tests.conftest import minimal_sheets


def test_import_counts_and_effective_fit(store, make_upload, labeller):
    result = store.import_upload(make_upload(), labeller)
    assert result.new_sessions == ["A1", "A2"]
    assert store.summary() == {"recruitments": 1, "sessions": 2, "questions": 3, "ratings": 2,
                               "feedback": 2}
    q = store.questions().set_index("seq")
    assert q.loc[1, "fit"] == "job" and q.loc[1, "fit_source"] == "model"
    assert q.loc[3, "fit"] == "supervisor" and q.loc[3, "fit_source"] == "workbook"
    assert q.loc[3, "fit_confidence"] == 1.0


def test_same_workbook_twice_changes_nothing(store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    before, version = store.summary(), store.version()
    result = store.import_upload(make_upload(), labeller)
    assert store.summary() == before
    assert result.new_sessions == [] and result.replaced_sessions == []
    assert sorted(result.unchanged_sessions) == ["A1", "A2"]
    assert store.version() > version  # the import log still records the attempt


def test_existing_session_is_replaced_and_reported(store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    sheets = minimal_sheets()
    sheets["Spørsmål"] = sheets["Spørsmål"].iloc[:2]
    result = store.import_upload(make_upload(sheets), labeller)
    assert result.replaced_sessions == ["A1"]
    assert store.summary()["questions"] == 2


def test_invalid_workbook_writes_nothing(store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    before = store.summary()
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[0, "spørsmål"] = "Changed question"
    sheets["Vurderinger"].loc[0, "samtale"] = 9  # out of range: the whole import must fail
    with pytest.raises(WorkbookError) as info:
        store.import_upload(make_upload(sheets), labeller)
    assert [(p.sheet, p.row, p.column, p.code) for p in info.value.problems] == [
        ("Vurderinger", 2, "conversation", "out_of_range")]
    assert store.summary() == before
    assert "Changed question" not in set(store.questions()["question"])


def test_correction_overrides_model_and_workbook_and_survives_reimport(
        store, make_upload, labeller):
    store.import_upload(make_upload(), labeller)
    q = store.questions().set_index("seq")
    store.correct(int(q.loc[1, "id"]), "group")
    store.correct(int(q.loc[3, "id"]), "organization")
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[1, "minutt"] = 5  # a change that replaces the session
    store.import_upload(make_upload(sheets), labeller)
    q = store.questions().set_index("seq")
    assert q.loc[1, "fit"] == "group" and q.loc[1, "fit_source"] == "correction"
    assert q.loc[3, "fit"] == "organization"
    assert set(store.corrections()["fit"]) == {"group", "organization"}


def test_feedback_duplicates_within_a_workbook_are_kept(store, make_upload, labeller):
    sheets = minimal_sheets()
    fb = sheets["Tilbakemelding"]
    sheets["Tilbakemelding"] = pd.concat([fb, fb.iloc[[1]]], ignore_index=True)
    store.import_upload(make_upload(sheets), labeller)
    assert store.summary()["feedback"] == 3
    store.import_upload(make_upload(sheets), labeller)
    assert store.summary()["feedback"] == 3


def test_reimport_never_overwrites_a_rating_handed_in_through_the_app(store, make_upload,
                                                                      labeller):
    from analysis.store.ratings import submit_rating

    sheets = minimal_sheets()
    sheets["Vurderinger"] = sheets["Vurderinger"].iloc[[0]]  # only the manager's rating
    store.import_upload(make_upload(sheets), labeller)
    scores = dict.fromkeys(("role_insight", "priorities", "conversation", "follow_up",
                            "composure"), 2)
    submit_rating(store, "A1", "Olga Observatør", "observer", scores, "Mitt eget notat")
    full = minimal_sheets()  # now carries the observer's row too, with other scores
    full["Spørsmål"].loc[0, "minutt"] = 2
    result = store.import_upload(make_upload(full), labeller)
    assert result.replaced_sessions == ["A1"]
    assert result.kept_app_ratings == ["A1: Olga Observatør"]
    rows = store.ratings().set_index("rater")
    assert rows.loc["Olga Observatør", "note"] == "Mitt eget notat"
    assert rows.loc["Olga Observatør", "conversation"] == 2
    assert rows.loc["Per Leder", "source"] == "workbook"
