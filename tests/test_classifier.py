"""The fit classifier: pipeline, calibration, corrections, saved files, explanations, CLI."""
from __future__ import annotations

import json
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

import analysis as clf
from analysis.cli.main import main
from analysis.errors import InputError, ModelFileError
from analysis.model.training import _sha256_file

CLEAR = {  # one unambiguous question per label, in both languages
    "job": ["Hva er de viktigste oppgavene i stillingen de første 90 dagene?",
            "What budget would this role control, and what are the KPIs?"],
    "group": ["Hvordan samarbeider teamet jeg skal lede?",
              "How does the team I would lead get along with each other?"],
    "supervisor": ["Hvordan gir du tilbakemelding til dine ansatte?",
                   "How would you describe your own leadership style?"],
    "organization": ["Hva er strategien til selskapet de neste fem årene?",
                     "What are the company's values and how do they show in the culture?"],
    "other": ["Når får jeg svar på søknaden, og hva er neste steg?",
              "When can I expect to hear back about the next steps in the process?"],
}


@pytest.fixture(scope="session")
def model() -> clf.FitModel:
    """One model for the whole test run (training takes a few seconds)."""
    return clf.train_model(calibrate=False)


@pytest.fixture(scope="session")
def saved(model, tmp_path_factory):
    """The model saved once; tests that tamper with it work on a copy (`saved_copy`)."""
    path = tmp_path_factory.mktemp("model") / "fit_model.npz"
    clf.save_model(model, path)
    return path


@pytest.fixture
def saved_copy(saved, tmp_path):
    for suffix in (".npz", ".json"):
        shutil.copy(saved.with_suffix(suffix), tmp_path / f"fit_model{suffix}")
    return tmp_path / "fit_model.npz"


@pytest.fixture
def as_default(model, saved, monkeypatch):
    """Make the session model the process's default model (no retraining in CLI tests)."""
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(saved))
    clf.reset_default_model(model)
    yield model
    clf.reset_default_model(None)


def test_pipeline_fits_and_predicts_all_five_labels(model):
    pipe = model.pipeline  # fitted by train_model from make_question_classifier()
    assert [name for name, _ in pipe.steps] == ["features", "clf"]
    texts = [t for ts in CLEAR.values() for t in ts]
    expected = [lab for lab, ts in CLEAR.items() for _ in ts]
    assert list(pipe.predict(texts)) == expected
    proba = model.predict_proba(texts)
    assert proba.shape == (len(texts), 5)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)


def test_model_labels_clear_questions_with_calibrated_confidence(model):
    texts = [t for ts in CLEAR.values() for t in ts]
    codes, conf = model.label(texts)
    assert list(codes) == [lab for lab, ts in CLEAR.items() for _ in ts]
    assert ((conf > 0.2) & (conf <= 1.0)).all()
    assert set(clf.FITS) == set(model.classes_)


def test_compiled_model_equals_the_pipeline(model):
    texts = list(clf.load_corpus()["text"].sample(300, random_state=0)) + [
        "", "???", "ÆØÅ æøå", "Hvordan er\x00teamet?", "x" * 500, "Team team team team team",
        "a", "ab", "I", "?a?"]
    ours = model.decision_scores(texts)
    theirs = clf.decision_scores(model.pipeline, texts)
    np.testing.assert_allclose(ours, theirs, atol=1e-4)
    ours = model.predict_proba(texts)
    # chunked and threaded labelling gives the same answer as one chunk
    many = texts * 40
    np.testing.assert_allclose(model.predict_proba(many)[: len(texts)], ours, atol=1e-6)


def test_label_repeats_and_missing_values(model):
    codes, conf = model.label(["Hvordan gir du tilbakemelding?", None, float("nan"),
                               "Hvordan gir du tilbakemelding?"])
    assert len(codes) == len(conf) == 4
    assert codes[0] == codes[3] == "supervisor" and conf[0] == conf[3]
    for tiny in (["a"], [""], ["ab"], ["é"]):  # shorter than the longest n-gram
        assert len(model.label(tiny)[0]) == 1
    empty_codes, empty_conf = model.label([])
    assert len(empty_codes) == len(empty_conf) == 0


def test_explain_returns_the_words_that_pushed_the_label(model):
    terms = model.explain("Hvordan gir du tilbakemelding til de ansatte?", top=3)
    assert 1 <= len(terms) <= 3
    words = [w for w, _ in terms]
    from analysis.model.pipeline import FUNCTION_WORDS

    assert not any(w in FUNCTION_WORDS for w in words)  # content words, not "du" or "til"
    assert not any(w.startswith("qq") for w in words)  # nor the lexicon's subject tokens
    assert all(v > 0 for _, v in terms)
    assert [v for _, v in terms] == sorted((v for _, v in terms), reverse=True)
    assert all(w in "hvordan gir du tilbakemelding til de ansatte" for w in words)
    assert model.explain("") == []


def test_a_correction_wins_over_the_corpus_label():
    corpus = clf.load_corpus()
    row = corpus[corpus["label"] == "job"].iloc[0]
    corrections = pd.DataFrame({
        "text": [row["text"].upper() + "  ", "Et helt nytt spørsmål om kantina?",
                 "Et helt nytt spørsmål om kantina?"],
        "fit": ["organization", "job", "other"],
        "corrected_at": pd.to_datetime(["2026-01-01", "2026-01-01", "2026-02-01"]),
    })
    frame = clf.training_frame(corpus, corrections)
    assert len(frame) == len(corpus) + 1
    assert not (frame["text"] == row["text"]).any()  # the corpus row gave way
    fixed = frame[frame["author"] == "corrections"].set_index("text")["label"]
    assert set(frame.loc[frame["author"] == "corrections", "weight"]) == {clf.CORRECTION_WEIGHT}
    assert fixed[row["text"].upper() + "  "] == "organization"
    assert fixed["Et helt nytt spørsmål om kantina?"] == "other"  # the latest correction
    assert clf.data_sha256(frame) != clf.data_sha256(corpus)
    with pytest.raises(InputError):
        clf.training_frame(corpus, pd.DataFrame({"text": ["x"], "fit": ["boss"]}))


def test_retraining_learns_from_corrections(model):
    corpus = clf.load_corpus()
    # relabel every "remote work" question: a person's label must reach the model
    remote = corpus["text"].str.contains("hjemmekontor|remote", case=False)
    assert remote.sum() >= 5
    corrections = pd.DataFrame({"text": corpus.loc[remote, "text"], "fit": "other"})
    before = model  # trained on the same corpus without corrections
    after = clf.train_model(corpus, corrections, calibrate=False)
    assert after.metadata["n_corrections"] == remote.sum()
    assert after.version != before.version
    probe = list(corpus.loc[remote, "text"])
    assert (after.label(probe)[0] == "other").mean() > (before.label(probe)[0] == "other").mean()


def test_store_correction_beats_the_real_model(sqlite_store, make_upload, model):
    sqlite_store.import_upload(make_upload(), model)
    questions = sqlite_store.questions()
    first = questions.iloc[0]
    assert first["fit_source"] == "model" and first["model_version"] == model.version
    assert first["fit_model"] in clf.FITS
    other = next(lab for lab in clf.FITS if lab != first["fit_model"])
    sqlite_store.correct(int(first["id"]), other)
    assert sqlite_store.relabel(model) == 0  # same model: no model label changes
    row = sqlite_store.questions().set_index("id").loc[first["id"]]
    assert (row["fit"], row["fit_source"], row["fit_confidence"]) == (other, "correction", 1.0)
    assert row["fit_model"] == first["fit_model"]  # the model's own label is kept apart


def test_save_and_load_round_trip(model, saved):
    loaded = clf.load_model(saved)
    assert loaded.version == model.version
    assert loaded.metadata == json.loads(json.dumps(model.metadata))
    texts = [t for ts in CLEAR.values() for t in ts]
    np.testing.assert_allclose(loaded.predict_proba(texts), model.predict_proba(texts))
    assert loaded.pipeline is None  # a saved model is arrays only: nothing in it can run code


@pytest.mark.parametrize("suffix", [".npz"])
def test_flipped_bytes_are_refused(saved_copy, suffix):
    target = saved_copy.with_suffix(suffix)
    data = bytearray(target.read_bytes())
    data[len(data) // 2] ^= 0xFF
    target.write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="sha256"):
        clf.load_model(saved_copy)


def test_changed_metadata_is_refused(saved_copy):
    sidecar = saved_copy.with_suffix(".json")
    content = json.loads(sidecar.read_text())
    content["metadata"]["n_samples"] += 1
    sidecar.write_text(json.dumps(content))
    with pytest.raises(ModelFileError, match="metadata"):
        clf.load_model(saved_copy)


def test_other_library_versions_are_refused(saved_copy):
    sidecar = saved_copy.with_suffix(".json")
    content = json.loads(sidecar.read_text())
    content["metadata"]["libraries"]["scikit-learn"] = "0.24.2"
    sidecar.write_text(json.dumps(content))
    with pytest.raises(ModelFileError, match="scikit-learn 0.24.2"):
        clf.load_model(saved_copy)


def _rehash(path):
    """Record the files' current sha256 in the sidecar, as an attacker who edits it would."""
    sidecar = path.with_suffix(".json")
    content = json.loads(sidecar.read_text())
    p = path.with_suffix(".npz")
    content["sha256"][p.name] = _sha256_file(p)
    sidecar.write_text(json.dumps(content))


def test_a_foreign_array_is_refused(saved_copy):
    npz = saved_copy.with_suffix(".npz")
    with np.load(npz, allow_pickle=False) as data:
        arrays = {k: data[k] for k in data.files}
    arrays["temperature"] = np.array([-1.0])  # a nonsense scaling, re-hashed like an attacker
    np.savez(npz, **arrays)
    _rehash(saved_copy)
    with pytest.raises(ModelFileError, match="do not fit together"):
        clf.load_model(saved_copy)


def test_a_pickle_in_the_arrays_is_refused(saved_copy):
    npz = saved_copy.with_suffix(".npz")
    with zipfile.ZipFile(npz, "a") as zf:
        buf = __import__("io").BytesIO()
        np.save(buf, np.array([{"x": 1}], dtype=object), allow_pickle=True)
        zf.writestr("extra.npy", buf.getvalue())
    _rehash(saved_copy)
    with pytest.raises(ModelFileError):
        clf.load_model(saved_copy)


def test_missing_files_are_refused(saved_copy):
    saved_copy.with_suffix(".npz").unlink()
    with pytest.raises(ModelFileError, match="missing"):
        clf.load_model(saved_copy)


def test_default_model_opens_the_saved_file_once(saved, monkeypatch):
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(saved))
    clf.reset_default_model(None)
    try:
        first = clf.default_model()
        assert first is clf.default_model()
        assert first.pipeline is None  # opened from the arrays, not retrained
    finally:
        clf.reset_default_model(None)


def test_default_model_replaces_a_tampered_file(saved_copy, monkeypatch, model):
    data = bytearray(saved_copy.read_bytes())
    data[100] ^= 1
    saved_copy.write_bytes(bytes(data))
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(saved_copy))
    monkeypatch.setattr("analysis.model.training.train_model", lambda: model)  # training is tested elsewhere
    clf.reset_default_model(None)
    try:
        assert clf.default_model().version == model.version
        assert clf.load_model(saved_copy).version == model.version  # saved afresh, valid
    finally:
        clf.reset_default_model(None)


def _questions_frame() -> pd.DataFrame:
    return pd.DataFrame({"session": ["A1", "A1", "A2", "A2"],
                         "Spørsmål": [CLEAR["supervisor"][0], CLEAR["other"][1], "",
                                      "=HYPERLINK(\"x\")"]})


def test_classify_csv_and_xlsx(as_default, tmp_path, capsys):
    frame = _questions_frame()
    csv_path, xlsx_path = tmp_path / "q.csv", tmp_path / "q.xlsx"
    frame.to_csv(csv_path, index=False)
    frame.to_excel(xlsx_path, index=False)
    out = tmp_path / "out.csv"
    assert main(["classify", str(csv_path), "-o", str(out)]) == 0
    result = pd.read_csv(out, encoding="utf-8-sig")
    assert list(result.columns) == ["session", "Spørsmål", "fit", "fit_confidence"]
    assert list(result["fit"][:2]) == ["supervisor", "other"]
    assert pd.isna(result["fit"][2]) and pd.isna(result["fit_confidence"][2])
    assert result["Spørsmål"][3].startswith("'=")  # formula-like text is neutralised
    capsys.readouterr()
    assert main(["classify", str(xlsx_path), "--column", "spørsmål"]) == 0
    printed = capsys.readouterr().out
    assert "supervisor" in printed and printed.count("\n") == 5
    direct = clf.classify_file(xlsx_path, model=as_default)
    assert list(direct["fit"][:2]) == ["supervisor", "other"]
    assert direct["fit_confidence"][0] > 0.5


def test_classify_missing_column_or_bad_file_exits_2(as_default, tmp_path, capsys):
    path = tmp_path / "q.csv"
    pd.DataFrame({"prompt": ["Hva gjør teamet?"]}).to_csv(path, index=False)
    assert main(["classify", str(path)]) == 2
    err = capsys.readouterr().err
    assert "no column" in err and "prompt" in err and "--column" in err
    assert main(["classify", str(path), "--column", "question"]) == 2
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    assert main(["classify", str(broken)]) == 2
    assert "not an Excel workbook" in capsys.readouterr().err
    garbled = tmp_path / "garbled.csv"
    garbled.write_bytes(b'"unclosed,quote\n\x00\xff')
    assert main(["classify", str(garbled)]) == 2
    assert "garbled.csv" in capsys.readouterr().err
    assert main(["classify", str(tmp_path / "absent.csv")]) == 2
    assert "no such file" in capsys.readouterr().err
    with pytest.raises(InputError):
        clf.classify_file(tmp_path / "x.pdf")


def test_confidence_is_scaled_on_out_of_author_scores():
    # three authors who each write one voice: the scaling must come from the other authors' model
    corpus = clf.load_corpus()
    picked = corpus[corpus["author"].isin(["a01", "a02", "a03", "a04"])]
    model = clf.train_model(picked)
    cal = model.metadata["calibration"]
    assert cal["fitted"] and 0 < cal["temperature"] < 5
    unseen = clf.load_unseen()
    proba = model.predict_proba(list(unseen["text"]))
    y = np.array([clf.FITS.index(v) for v in unseen["label"]])
    uncalibrated = clf.train_model(picked, calibrate=False).predict_proba(list(unseen["text"]))
    assert clf.expected_calibration_error(y, proba) < clf.expected_calibration_error(
        y, uncalibrated)


def test_the_unseen_authors_never_train_the_model():
    corpus, unseen = clf.load_corpus(), clf.load_unseen()
    assert not set(corpus["author"]) & set(unseen["author"])
    key = lambda s: s.str.casefold().str.replace(r"[\W_]+", " ", regex=True).str.strip()
    assert not set(key(corpus["text"])) & set(key(unseen["text"]))
    assert unseen["author"].nunique() >= 4 and len(unseen) >= 1000


def test_evaluate_json_has_the_promised_keys(monkeypatch, capsys):
    corpus = clf.load_corpus()
    small = corpus.groupby("author").head(60)
    unseen = clf.load_unseen().groupby("author").head(40)
    monkeypatch.setattr("analysis.model.training.load_corpus", lambda path=None: small)
    monkeypatch.setattr("analysis.model.evaluation.load_unseen", lambda path=None: unseen)
    assert main(["evaluate", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    for lang in ("en", "nb"):
        assert 0 <= report["unseen_authors"][lang]["macro_f1"] <= 1
        assert 0 <= report["leave_one_author_out"][lang]["macro_f1"] <= 1
    assert 0 <= report["unseen_authors"]["ece"] <= 1
    assert set(report["learning_curve"]) == {"10", "25"}
    assert {"rows", "authors", "nb_share", "kappa"} <= set(report["corpus"])
    assert report["corpus"]["kappa"]["en"] > 0.8


def test_the_app_uses_the_model_file_saved_last(model, tmp_path, monkeypatch):
    # `python -m analysis train` in another process must reach the running app's labelling
    import time

    from ui import reads

    path = tmp_path / "fit_model.npz"
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(path))
    clf.save_model(model, path)
    first = reads.model()
    assert first.version == model.version
    corpus = clf.load_corpus()
    other = clf.train_model(corpus[corpus["author"] != "a00"], calibrate=False)
    time.sleep(0.01)
    clf.save_model(other, path)
    assert reads.model().version == other.version != model.version


def test_the_topic_lexicon_names_subjects_in_both_languages():
    from analysis.model.lexicon import topics_of, with_topics

    assert topics_of("Hvordan gjør dere kodegjennomgang?") == ["practice"]
    assert topics_of("How do you do code reviews?") == ["practice"]
    assert topics_of("Hvordan er ledergruppen satt sammen?") == ["people"]  # not "leder"
    assert topics_of("Hva slags pensjonsordning har dere?") == ["terms"]
    assert topics_of("") == [] and with_topics([None]) == [""]
    assert with_topics(["Pensjon?"]) == ["Pensjon? qqterms"]


@pytest.mark.parametrize("char_range", [(2, 5), (3, 5), (3, 3)])
def test_character_ngrams_are_every_window_inside_a_word(char_range):
    """`hash_ngrams` (vectorised) against the definition, one window at a time: every window
    of n code points that touches a boundary only at its ends, hashed with its offsets' keys."""
    from analysis.model.hashing import _BOUNDARY, _MASK64, _codepoints, hash_ngrams

    texts = ["Hva er lønnen?", "", "a", "on-call  og 1:1 —  ÆØÅ straße", "x y", "  ?!  "]
    keys = (np.random.default_rng(3).integers(0, 2**63, size=96, dtype=np.uint64)
            * np.uint64(2) + 1)
    rows, buckets = hash_ngrams(texts, keys, char_range=char_range, word_range=(0, 0), bits=20)
    s, tid, _ = _codepoints(texts)
    s, tid = s.tolist(), tid.tolist()
    want = []
    lo, hi = char_range
    for n in range(max(lo, 2), hi + 1):
        for i in range(len(s) - n + 1):
            if i + 1 >= len(s) or any(c == _BOUNDARY for c in s[i + 1:i + n - 1]):
                continue
            h = sum(c * int(keys[j]) for j, c in enumerate(s[i:i + n])) + int(keys[40 + n])
            h &= _MASK64
            h ^= h >> 29
            h = (h * 0xBF58476D1CE4E5B9) & _MASK64
            want.append((tid[i + 1], h >> 44))
    assert sorted(zip(rows.tolist(), buckets.tolist())) == sorted(want)
