"""Labelling ahead (`analysis.model.ahead`): the import labels its questions in the background
while it validates, and the labels are exactly the model's labels of the stored texts."""
from __future__ import annotations

import threading

import numpy as np
import pandas as pd
import pytest

import analysis as clf
from analysis.errors import WorkbookError
from analysis.model.ahead import LabelsAhead
from analysis.workbook.reading import question_cells, read_sheets
from tests.conftest import minimal_sheets


@pytest.fixture(scope="module")
def model() -> clf.FitModel:
    return clf.default_model()


@pytest.fixture(scope="module")
def unseen_texts() -> list[str]:
    return list(clf.load_unseen()["text"])


def _ahead_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "omvendt-labels-ahead"]


def test_labels_ahead_are_the_models_labels(model, unseen_texts):
    """On the unseen authors: the same codes and the same confidences, bit for bit, whether a
    text was labelled ahead in small chunks, labelled late, or asked for twice."""
    codes, conf = model.label(unseen_texts)
    half = len(unseen_texts) // 2
    ahead = LabelsAhead(model, unseen_texts[:half], chunk=97)
    assert ahead.version == model.version
    shuffled = np.random.default_rng(0).permutation(len(unseen_texts))
    asked = [unseen_texts[i] for i in shuffled] + unseen_texts[:3]
    got_codes, got_conf = ahead.label(asked)
    want = np.r_[shuffled, [0, 1, 2]]
    assert list(got_codes) == list(codes[want])
    assert np.array_equal(got_conf, conf[want])
    assert got_codes.dtype == object and got_conf.dtype == np.float64


def test_an_error_in_the_labelling_thread_reaches_the_import(model):
    class Broken:
        version = "broken"

        def label(self, texts):
            raise RuntimeError("the model broke")

    ahead = LabelsAhead(Broken(), ["Hva er lønnen?"])
    with pytest.raises(RuntimeError, match="the model broke"):
        ahead.label(["Hva er lønnen?"])


def test_question_cells_are_the_distinct_questions_as_read(make_upload):
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[1, "spørsmål"] = "  Hvorfor er stillingen ledig?  "
    cells = question_cells(read_sheets(make_upload(sheets)))
    assert cells == ["Hvorfor er stillingen ledig?", sheets["Spørsmål"].loc[2, "spørsmål"]]
    del sheets["Spørsmål"]
    assert question_cells(read_sheets(make_upload(sheets))) == []


def test_an_import_stores_the_models_labels_of_the_stored_texts(store, make_upload, model):
    """A text validation changes (control characters out) is labelled as stored, not as read."""
    sheets = minimal_sheets()
    sheets["Spørsmål"].loc[0, "spørsmål"] = "Hvordan\x07 er lederstilen din?"
    store.import_upload(make_upload(sheets), model)
    stored = store.questions()
    codes, conf = model.label(list(stored["question"]))
    assert "Hvordan er lederstilen din?" in set(stored["question"])
    assert list(stored["fit_model"]) == list(codes)
    assert np.allclose(stored["model_confidence"], np.round(conf, 4))
    assert set(stored["model_version"]) == {model.version}
    assert not _ahead_threads()


def test_a_refused_workbook_stops_the_labelling(store, make_upload, model):
    sheets = minimal_sheets()
    sheets["Vurderinger"].loc[0, "samtale"] = 9  # out of range
    many = pd.concat([sheets["Spørsmål"]] * 300, ignore_index=True)
    many["nr"] = range(1, len(many) + 1)
    many["spørsmål"] = [f"Spørsmål nummer {i} om lønn og ferie?" for i in range(len(many))]
    sheets["Spørsmål"] = many.drop(columns=["oppfølging_av"], errors="ignore")
    with pytest.raises(WorkbookError):
        store.import_upload(make_upload(sheets), model)
    assert not _ahead_threads()
    assert store.summary()["questions"] == 0
