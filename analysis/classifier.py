"""The fit classifier: labels a candidate's question ``job``, ``group``, ``supervisor``,
``organization`` or ``other``, with a calibrated confidence and an explanation.

The model is a scikit-learn `Pipeline` (`make_question_classifier`): hashed word (1-2) and
character (``char_wb``-style) n-grams, sublinear TF-IDF, a linear classifier, sigmoid calibration.
The n-grams are computed with whole-array numpy operations (`NgramHasher`) instead of a per-text
Python analyser, which is what makes labelling 100,000 questions take well under a second.

A trained model is saved as three files side by side (see `save_model`):

- ``fit_model.skops``: the fitted pipeline and its metadata, written with skops;
- ``fit_model.npz``: the same model "compiled" to plain arrays (hashing keys, vocabulary, idf,
  weights, calibration), read with ``allow_pickle=False`` so no code can run while loading;
- ``fit_model.json``: the metadata and the sha256 of both files.

Labelling (`FitModel.label`) needs only numpy and the ``.npz``; skops and scikit-learn are
imported only to train, evaluate or open the full pipeline. That keeps ``python -m analysis
classify`` and the app's first label fast: importing skops alone takes about 2.5 s here.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import threading
import unicodedata
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from analysis import config
from analysis.errors import InputError, ModelFileError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    from sklearn.pipeline import Pipeline

#: The five codes, in the order of the model's probability columns.
LABELS = ("job", "group", "supervisor", "organization", "other")
#: Bumped whenever the saved files or the hashing scheme change; older files are refused.
FORMAT_VERSION = 1
#: Library versions recorded in a model file; a file made with others is refused.
_LIBRARIES = ("numpy", "scipy", "scikit-learn", "skops")
#: Types a model's skops file may contain beyond skops' own defaults; anything else is refused.
TRUSTED_TYPES = frozenset({
    "analysis.classifier.NgramHasher",
    "sklearn.calibration._CalibratedClassifier",
    "sklearn.calibration._SigmoidCalibration",
    "sklearn.model_selection._split.StratifiedKFold",
})

_BOUNDARY = 32  # every run of non-alphanumeric characters becomes one space
_MASK64 = (1 << 64) - 1
_N_KEYS = 96  # random 64-bit keys: char positions, word positions, salts
_CHUNK = 4096  # texts per labelling chunk


# -- n-gram hashing (numpy only) ---------------------------------------------------------------

@cache
def _alnum_table() -> np.ndarray:
    """Whether each code point below U+3000 is a letter or digit; higher ones count as letters
    (CJK and the like: rare here, and never punctuation we need to split on)."""
    return np.array([chr(i).isalnum() for i in range(0x3000)], dtype=bool)


def _codepoints(texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray, int]:
    """Lower-cased, NFC-normalised code points of all texts with runs of non-alphanumerics
    collapsed to one boundary, a boundary before each text, and the text index of each position.

    Returns ``(s, tid, n)``: code points (uint64), text index per position (int64), text count.
    """
    clean = [t if isinstance(t, str) else "" for t in texts]
    joined = "\x00".join(clean)
    if joined.count("\x00") != len(clean) - 1:  # a NUL inside a text would split it in two
        joined = "\x00".join(t.replace("\x00", " ") for t in clean)
    joined = unicodedata.normalize("NFC", joined).lower()
    arr = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32)
    sep = arr == 0
    tid = np.cumsum(sep) - sep  # the separator belongs to the text before it
    table = _alnum_table()
    alnum = np.ones(len(arr), dtype=bool)
    low = arr < len(table)
    alnum[low] = table[arr[low]]
    prev = np.empty_like(alnum)
    if len(alnum):
        prev[0] = False
        prev[1:] = alnum[:-1]
    keep = alnum | prev  # letters, and the first non-letter after a run of letters
    s = np.empty(int(keep.sum()) + 1, dtype=np.uint64)
    s[0] = _BOUNDARY
    s[1:] = np.where(alnum[keep], arr[keep], _BOUNDARY)
    tids = np.empty(len(s), dtype=np.int64)
    tids[0] = 0
    tids[1:] = tid[keep]
    if s[-1] != _BOUNDARY:
        s = np.append(s, np.uint64(_BOUNDARY))
        tids = np.append(tids, tids[-1])
    return s, tids, len(clean)


def _finalise(h: np.ndarray, bits: int) -> np.ndarray:
    """Multiply-shift hashing of 64-bit values to ``bits``-bit bucket numbers."""
    h = h ^ (h >> np.uint64(29))
    h = h * np.uint64(0xBF58476D1CE4E5B9)
    return (h >> np.uint64(64 - bits)).astype(np.int64)


def hash_ngrams(texts: Sequence[str], keys: np.ndarray, *, char_range: tuple[int, int],
                word_range: tuple[int, int], bits: int, terms: bool = False,
                codepoints: tuple | None = None):
    """Hash every word and character n-gram of ``texts`` to a bucket.

    Character n-grams stay inside a word padded with one space on each side (like
    scikit-learn's ``char_wb``); word n-grams stay inside a text. Everything is lower-cased.

    Parameters
    ----------
    texts : sequence of str
        Non-strings (missing values) count as empty texts.
    keys : ndarray of uint64
        The random keys of the hash (`NgramHasher.keys_`).
    char_range, word_range : (int, int)
        Smallest and largest n; ``(0, 0)`` switches a kind off.
    bits : int
        Buckets are ``0 .. 2**bits - 1``.
    terms : bool
        Also return, per n-gram, the word it belongs to (used by `FitModel.explain`).
    codepoints : tuple, optional
        ``_codepoints(texts)`` when the caller already has it.

    Returns
    -------
    rows, buckets : ndarray of int64
        One entry per n-gram occurrence (duplicates included).
    words : list of str, optional
        With ``terms``: the word (or word pair) each entry belongs to.
    """
    s, tid, _ = codepoints if codepoints is not None else _codepoints(texts)
    n_pos = len(s)
    is_b = s == _BOUNDARY
    rows_out, buckets_out, word_of = [], [], []
    starts = np.flatnonzero(~is_b[1:] & is_b[:-1]) + 1  # first letter of each word
    ends = np.flatnonzero(is_b[1:] & ~is_b[:-1]) + 1  # boundary after each word
    word_index = np.cumsum(np.r_[False, ~is_b[1:] & is_b[:-1]]) - 1  # word of each position

    lo, hi = char_range
    if lo and hi >= lo:
        lo = max(lo, 2)
        cum_b = np.cumsum(is_b)
        h = np.zeros(n_pos, dtype=np.uint64)
        for n in range(1, min(hi, n_pos) + 1):
            # rolling: h[i] covers s[i : i + n]; each offset has its own random key
            h[: n_pos - n + 1] += s[n - 1:] * keys[n - 1]
            if n < lo:
                continue
            i = np.arange(n_pos - n + 1)
            # a window may touch boundaries only at its two ends
            inner = cum_b[i + n - 2] - cum_b[i] if n > 2 else np.zeros(len(i), dtype=np.int64)
            ok = np.flatnonzero(inner == 0)
            ok = ok[ok + 1 < n_pos]
            rows_out.append(tid[ok + 1])
            buckets_out.append(_finalise(h[ok] + keys[40 + n], bits))
            if terms:
                word_of.append(word_index[ok + 1])
    lo, hi = word_range
    if lo and hi >= lo and len(starts):
        # a word's hash: sum of code point x key of its offset in the word
        pos = np.arange(n_pos)
        start_of = np.maximum.accumulate(np.where(np.r_[False, ~is_b[1:] & is_b[:-1]], pos, 0))
        weighted = s * keys[32 + (pos - start_of) % 8] * keys[(pos - start_of) % 32]
        weighted[is_b] = 0
        word_h = np.add.reduceat(weighted, starts) if len(starts) else np.zeros(0, np.uint64)
        word_tid = tid[starts]
        for n in range(max(lo, 1), hi + 1):
            if n > len(starts):
                break
            idx = np.arange(len(starts) - n + 1)
            ok = idx[word_tid[idx] == word_tid[idx + n - 1]]
            h = keys[48 + n] + word_h[ok] * keys[56]
            for k in range(1, n):
                h = h + word_h[ok + k] * keys[56 + k]
            rows_out.append(word_tid[ok])
            buckets_out.append(_finalise(h, bits))
            if terms:
                word_of.append(-(ok + 1) if n == 1 else -(ok + 1) - 10_000_000 * (n - 1))
    rows = np.concatenate(rows_out) if rows_out else np.zeros(0, dtype=np.int64)
    buckets = np.concatenate(buckets_out) if buckets_out else np.zeros(0, dtype=np.int64)
    if not terms:
        return rows, buckets
    return rows, buckets, _term_names(np.concatenate(word_of) if word_of else rows, s, starts,
                                      ends)


def _term_names(word_of: np.ndarray, s: np.ndarray, starts: np.ndarray,
                ends: np.ndarray) -> list[str]:
    """Readable names for `hash_ngrams`' ``terms``: the word, or the words of a word n-gram."""
    words = ["".join(map(chr, s[a:b].tolist())) for a, b in zip(starts, ends)]
    names = []
    for w in word_of.tolist():
        if w >= 0:  # a character n-gram belongs to its word
            names.append(words[w])
        else:
            first = (-w - 1) % 10_000_000
            n = (-w - 1) // 10_000_000 + 1
            names.append(" ".join(words[first:first + n]))
    return names


def _count_matrix(rows: np.ndarray, cols: np.ndarray, n_rows: int, n_cols: int):
    """Sorted unique (row, column) pairs with their counts (duplicates summed)."""
    key = rows * n_cols + cols
    key.sort()
    if len(key):
        first = np.r_[True, key[1:] != key[:-1]]
        at = np.flatnonzero(first)
        counts = np.diff(np.r_[at, len(key)])
        key = key[at]
    else:
        counts = np.zeros(0, dtype=np.int64)
    return key // n_cols, key % n_cols, counts


# -- scikit-learn side (imported lazily) -------------------------------------------------------

def __getattr__(name: str):
    # The estimator class subclasses scikit-learn's BaseEstimator, and importing scikit-learn
    # takes 1.5 s; defining it on first use keeps `label` and the `classify` command free of it.
    # skops and pickle find it through this hook too (``analysis.classifier.NgramHasher``).
    if name == "NgramHasher":
        return _ngram_hasher_class()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@cache
def _ngram_hasher_class():
    from scipy import sparse
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.utils.validation import check_is_fitted

    class NgramHasher(TransformerMixin, BaseEstimator):
        """Word and character n-gram counts through a hash, restricted to the n-grams seen in
        training (like `CountVectorizer`, but vectorised over all texts at once).

        Parameters
        ----------
        char_range : (int, int), default (2, 5)
            Character n-gram lengths inside space-padded words; ``(0, 0)`` for none.
        word_range : (int, int), default (1, 2)
            Word n-gram lengths; ``(0, 0)`` for none.
        bits : int, default 20
            log2 of the number of hash buckets (collisions merge n-grams, rarely).
        min_df : int, default 1
            Keep n-grams found in at least this many training texts.
        random_state : int, default 0
            Seed of the hash keys.
        """

        def __init__(self, char_range=(2, 5), word_range=(1, 2), bits=20, min_df=1,
                     random_state=0):
            self.char_range = char_range
            self.word_range = word_range
            self.bits = bits
            self.min_df = min_df
            self.random_state = random_state

        def _hash(self, texts, keys):
            return hash_ngrams(list(texts), keys, char_range=tuple(self.char_range),
                               word_range=tuple(self.word_range), bits=self.bits)

        def fit(self, X, y=None):
            rng = np.random.default_rng(self.random_state)
            keys = rng.integers(0, 2**63, size=_N_KEYS, dtype=np.uint64) * np.uint64(2) + 1
            rows, buckets = self._hash(X, keys)
            urows, ubuckets, _ = _count_matrix(rows, buckets, len(X), 1 << self.bits)
            df = np.bincount(ubuckets, minlength=1 << self.bits)
            self.keys_ = keys
            self.columns_ = np.flatnonzero(df >= self.min_df).astype(np.int64)
            self.n_features_in_ = 1
            return self

        def transform(self, X):
            check_is_fitted(self, "columns_")
            rows, cols, counts = self._counts(X)
            return sparse.csr_matrix((counts.astype(np.float64), (rows, cols)),
                                     shape=(len(X), len(self.columns_)))

        def _counts(self, X):
            rows, buckets = self._hash(X, self.keys_)
            lookup = np.full(1 << self.bits, -1, dtype=np.int64)
            lookup[self.columns_] = np.arange(len(self.columns_))
            cols = lookup[buckets]
            seen = cols >= 0
            return _count_matrix(rows[seen], cols[seen], len(X), len(self.columns_))

        def get_feature_names_out(self, input_features=None):
            return np.array([f"ngram{b}" for b in self.columns_], dtype=object)

    NgramHasher.__module__ = __name__
    NgramHasher.__qualname__ = "NgramHasher"
    return NgramHasher


#: The defaults `make_question_classifier` builds, chosen by `compare_candidates` (see docs).
DEFAULT_PARAMS: dict[str, Any] = {
    "features__words__ngrams__word_range": (1, 2),
    "features__chars__ngrams__char_range": (3, 5),
    "clf__estimator__C": 0.5,
}


def make_features(*, char_range: tuple[int, int] = (3, 5), word_range: tuple[int, int] = (1, 2),
                  random_state: int = 0):
    """Word n-grams and character n-grams as two TF-IDF blocks, each L2-normalised on its own
    (one shared norm lets the far more numerous character n-grams drown the words)."""
    from sklearn.feature_extraction.text import TfidfTransformer
    from sklearn.pipeline import FeatureUnion, Pipeline

    hasher = _ngram_hasher_class()
    return FeatureUnion([
        ("words", Pipeline([
            ("ngrams", hasher(char_range=(0, 0), word_range=word_range,
                              random_state=random_state)),
            ("tfidf", TfidfTransformer(sublinear_tf=True))])),
        ("chars", Pipeline([
            ("ngrams", hasher(char_range=char_range, word_range=(0, 0),
                              random_state=random_state + 1)),
            ("tfidf", TfidfTransformer(sublinear_tf=True))])),
    ])


def make_question_classifier(*, random_state: int = 0, **params: Any) -> "Pipeline":
    """The fit classifier as an unfitted scikit-learn pipeline.

    Steps: ``features`` (`make_features`: hashed word 1-2-grams and character 3-5-grams, each a
    sublinear TF-IDF block), ``clf`` (`CalibratedClassifierCV` with sigmoid calibration around a
    `LinearSVC`).

    Parameters
    ----------
    random_state : int
        Seed of the hash keys and the calibration folds.
    **params
        Pipeline parameters (``set_params`` names) overriding `DEFAULT_PARAMS`, for example
        ``clf__estimator__C=1.0`` or ``features__chars__ngrams__char_range=(3, 5)``.
    """
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.model_selection import StratifiedKFold
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    pipe = Pipeline([
        ("features", make_features(random_state=random_state)),
        ("clf", CalibratedClassifierCV(
            LinearSVC(class_weight="balanced", random_state=random_state), method="sigmoid",
            cv=StratifiedKFold(5, shuffle=True, random_state=random_state), ensemble=False)),
    ])
    pipe.set_params(**{**DEFAULT_PARAMS, **params})
    return pipe


# -- the compiled model ------------------------------------------------------------------------

def compile_pipeline(pipe: "Pipeline") -> dict[str, np.ndarray]:
    """The arrays `FitModel` needs to label without scikit-learn.

    Raises
    ------
    ValueError
        When the pipeline is not `make_question_classifier`'s shape: hashed TF-IDF blocks and
        a sigmoid-calibrated linear classifier.
    """
    features, clf = pipe.named_steps["features"], pipe.named_steps["clf"]
    if getattr(clf, "method", None) != "sigmoid" or not hasattr(clf, "calibrated_classifiers_"):
        raise ValueError("only a sigmoid-calibrated linear classifier can be compiled")
    if sorted(map(str, clf.classes_)) != sorted(LABELS):
        raise ValueError(f"the classifier knows {list(clf.classes_)}, not {list(LABELS)}")
    if features.transformer_weights:
        raise ValueError("transformer weights cannot be compiled")
    classes = list(LABELS)
    weights, intercepts, slopes, offsets = [], [], [], []
    for cc in clf.calibrated_classifiers_:
        est = cc.estimator
        if not hasattr(est, "coef_") or est.coef_.shape[0] != len(classes):
            raise ValueError("only a multiclass linear classifier can be compiled")
        order = [list(map(str, est.classes_)).index(c) for c in classes]
        weights.append(np.asarray(est.coef_)[order].T)
        intercepts.append(np.asarray(est.intercept_)[order])
        cals = [cc.calibrators[i] for i in order]
        slopes.append([float(c.a_) for c in cals])
        offsets.append([float(c.b_) for c in cals])
    # (features, classes, calibrated classifiers), split below into the feature blocks
    weights = np.stack(weights, axis=-1).astype(np.float32)
    out = {
        "classes": np.array(classes),
        "intercepts": np.array(intercepts, dtype=np.float64).T,
        "slopes": np.array(slopes, dtype=np.float64).T,
        "offsets": np.array(offsets, dtype=np.float64).T,
        "blocks": np.array([name for name, _ in features.transformer_list]),
    }
    at = 0
    for b, (_, block) in enumerate(features.transformer_list):
        hasher, tfidf = block.named_steps["ngrams"], block.named_steps["tfidf"]
        n = len(hasher.columns_)
        out.update({
            f"b{b}_keys": hasher.keys_.astype(np.uint64),
            f"b{b}_columns": hasher.columns_.astype(np.int64),
            f"b{b}_hash_params": np.array([*hasher.char_range, *hasher.word_range,
                                           hasher.bits]),
            f"b{b}_idf": tfidf.idf_.astype(np.float32),
            f"b{b}_weights": weights[at:at + n],
        })
        at += n
    if at != weights.shape[0]:
        raise ValueError("the feature blocks do not add up to the classifier's features")
    return out


_COMPILED = {  # name: (dtype kind, ndim) of every array a compiled model must have
    "classes": ("U", 1), "intercepts": ("f", 2), "slopes": ("f", 2), "offsets": ("f", 2),
    "blocks": ("U", 1),
}
_BLOCK = {"keys": ("u", 1), "columns": ("i", 1), "hash_params": ("i", 1), "idf": ("f", 1),
          "weights": ("f", 3)}


def _expected_arrays(arrays: dict[str, np.ndarray]) -> dict[str, tuple[str, int]]:
    n_blocks = len(arrays["blocks"]) if "blocks" in arrays else 0
    return {**_COMPILED, **{f"b{b}_{k}": v for b in range(n_blocks) for k, v in _BLOCK.items()}}


def _check_compiled(arrays: dict[str, np.ndarray], where: str) -> None:
    expected = _expected_arrays(arrays)
    for name, (kind, ndim) in expected.items():
        a = arrays.get(name)
        if a is None or a.dtype.kind != kind or a.ndim != ndim:
            raise ModelFileError(f"{where}: the model file lacks a valid '{name}' array")
    unexpected = set(arrays) - set(expected)
    if unexpected:
        raise ModelFileError(f"{where}: unexpected arrays in the model file: "
                             f"{sorted(unexpected)}")
    n_cls, n_cal = arrays["intercepts"].shape
    ok = (tuple(arrays["classes"]) == LABELS and n_cls == len(LABELS)
          and arrays["slopes"].shape == (n_cls, n_cal) == arrays["offsets"].shape
          and 1 <= len(arrays["blocks"]) <= 4)
    for b in range(len(arrays["blocks"])):
        w, cols, hp = (arrays[f"b{b}_{k}"] for k in ("weights", "columns", "hash_params"))
        ok = ok and (w.shape[1:] == (n_cls, n_cal) and len(arrays[f"b{b}_idf"]) == len(cols)
                     == w.shape[0] and len(arrays[f"b{b}_keys"]) == _N_KEYS and len(hp) == 5
                     and 8 <= hp[4] <= 26 and 0 <= hp.min() and hp[1] <= 32 and hp[3] <= 4
                     and (not len(cols) or (cols.min() >= 0 and cols.max() < 1 << int(hp[4]))))
    if not ok:
        raise ModelFileError(f"{where}: the model file's arrays do not fit together")


class FitModel:
    """A trained fit classifier: labels, confidences and explanations.

    Parameters
    ----------
    compiled : dict of ndarray
        See `compile_pipeline`.
    metadata : dict
        Training-data hashes, library versions, date, CV scores, sample counts.
    pipeline : Pipeline, optional
        The fitted scikit-learn pipeline; when None it is read from ``pipeline_path`` (with
        the trusted-types check) the first time `pipeline` is used.
    pipeline_path : Path, optional
        The skops file the pipeline comes from.
    """

    def __init__(self, compiled: dict[str, np.ndarray], metadata: dict,
                 pipeline: "Pipeline | None" = None, pipeline_path: Path | None = None) -> None:
        self.compiled = compiled
        self.metadata = metadata
        self._pipeline = pipeline
        self._pipeline_path = pipeline_path
        self.classes_ = np.array(compiled["classes"], dtype=object)
        self._blocks = []  # per feature block: hashing arguments and arrays
        for b in range(len(compiled["blocks"])):
            cr0, cr1, wr0, wr1, bits = (int(x) for x in compiled[f"b{b}_hash_params"])
            self._blocks.append({
                "hash": {"char_range": (cr0, cr1), "word_range": (wr0, wr1), "bits": bits},
                "keys": compiled[f"b{b}_keys"], "columns": compiled[f"b{b}_columns"],
                "idf": compiled[f"b{b}_idf"], "weights": compiled[f"b{b}_weights"],
                "lookup": None})

    @property
    def version(self) -> str:
        """Short hash of the training data and the training date, e.g. ``3fa2c81e90-20260304``."""
        return str(self.metadata["version"])

    @property
    def pipeline(self) -> "Pipeline":
        """The fitted scikit-learn pipeline (loaded from the skops file on first use)."""
        if self._pipeline is None:
            if self._pipeline_path is None:
                raise ModelFileError("this model has no pipeline file")
            self._pipeline = _load_pipeline(self._pipeline_path, self.metadata)
        return self._pipeline

    @staticmethod
    def _lookup_table(block: dict) -> np.ndarray:
        """Hash bucket -> feature column (-1 for n-grams never seen in training)."""
        if block["lookup"] is None:
            lookup = np.full(1 << block["hash"]["bits"], -1, dtype=np.int32)
            lookup[block["columns"]] = np.arange(len(block["columns"]))
            block["lookup"] = lookup
        return block["lookup"]

    def _features(self, block: dict, texts: Sequence[str], codepoints: tuple):
        """One block's TF-IDF entries (sorted rows, columns, values), each row L2-normalised:
        the same numbers as the pipeline's ``ngrams`` and ``tfidf`` steps."""
        rows, buckets = hash_ngrams(texts, block["keys"], codepoints=codepoints, **block["hash"])
        cols = self._lookup_table(block)[buckets]
        seen = cols >= 0
        n_feat = max(len(block["columns"]), 1)
        rows, cols, counts = _count_matrix(rows[seen], cols[seen].astype(np.int64), len(texts),
                                           n_feat)
        values = (1.0 + np.log(counts.astype(np.float32))) * block["idf"][cols]
        norms = np.sqrt(np.bincount(rows, weights=values * values, minlength=len(texts)))
        values = values / np.where(norms > 0, norms, 1.0)[rows].astype(np.float32)
        return rows, cols, values

    def _proba_chunk(self, texts: Sequence[str]) -> np.ndarray:
        n = len(texts)
        n_cls, n_cal = self.compiled["intercepts"].shape
        scores = np.zeros((n, n_cls * n_cal))
        codepoints = _codepoints(texts)
        for block in self._blocks:
            rows, cols, values = self._features(block, texts, codepoints)
            if len(rows):
                # rows are sorted: sum each row's weighted columns in one pass
                contrib = block["weights"].reshape(len(block["columns"]), -1)[cols]
                contrib *= values[:, None]
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                scores[rows[starts]] += np.add.reduceat(contrib, starts, axis=0)
        scores = scores.reshape(n, n_cls, n_cal) + self.compiled["intercepts"]
        z = self.compiled["slopes"] * scores + self.compiled["offsets"]
        part = 1.0 / (1.0 + np.exp(np.clip(z, -500, 500)))  # sigmoid calibration per class
        total = part.sum(axis=1, keepdims=True)
        part = np.divide(part, total, out=np.full_like(part, 1 / n_cls), where=total > 0)
        return part.mean(axis=2)

    def predict_proba(self, texts: Sequence[str]) -> np.ndarray:
        """Calibrated probabilities, one column per code in `classes_` (each row sums to 1).

        Texts go in chunks (arrays that fit in the CPU cache are much faster than one big
        pass), two at a time: numpy releases the GIL in its array loops.
        """
        texts = list(texts)
        if len(texts) <= _CHUNK:
            return self._proba_chunk(texts).reshape(len(texts), len(self.classes_))
        chunks = [texts[i:i + _CHUNK] for i in range(0, len(texts), _CHUNK)]
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            return np.concatenate(list(pool.map(self._proba_chunk, chunks)))

    def label(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The code of each text and the calibrated probability of that code.

        Each distinct text is labelled once (logs repeat questions a lot).
        """
        index: dict = {}
        inverse = np.fromiter((index.setdefault(t if isinstance(t, str) else "", len(index))
                               for t in texts), dtype=np.int64)
        proba = self.predict_proba(list(index))
        best = proba.argmax(axis=1) if len(proba) else np.zeros(0, dtype=np.int64)
        codes = self.classes_[best]
        conf = proba[np.arange(len(best)), best]
        return codes[inverse], conf[inverse]

    def explain(self, text: str, top: int = 5) -> list[tuple[str, float]]:
        """The words (and word pairs) that pushed ``text`` towards its label, strongest first.

        A word's weight adds up its own and its character n-grams' contributions to the
        chosen label's score minus their mean contribution to all labels' scores.
        """
        codes, _ = self.label([text])
        c = list(self.classes_).index(codes[0])
        totals: dict[str, float] = {}
        codepoints = _codepoints([text])
        for block in self._blocks:
            _, cols, values = self._features(block, [text], codepoints)
            _, buckets, names = hash_ngrams([text], block["keys"], terms=True,
                                            codepoints=codepoints, **block["hash"])
            tcols = self._lookup_table(block)[buckets]
            w = block["weights"].mean(axis=2)  # average over the calibrated classifiers
            push = w[:, c] - w.mean(axis=1)
            value_of = dict(zip(cols.tolist(), values.tolist()))
            # an n-gram seen k times shares its tf-idf value evenly among its k occurrences
            occurrences = np.bincount(tcols[tcols >= 0], minlength=w.shape[0])
            for name, col in zip(names, tcols.tolist()):
                if col >= 0:
                    share = value_of[col] / occurrences[col] * push[col]
                    totals[name] = totals.get(name, 0.0) + float(share)
        ranked = sorted(((n, v) for n, v in totals.items() if v > 0), key=lambda x: -x[1])
        return [(n, round(v, 4)) for n, v in ranked[:top]]


# -- training ----------------------------------------------------------------------------------

def load_corpus(path: Path | str | None = None) -> "pd.DataFrame":
    """The labelled corpus (``text, label, lang, group``), checked.

    Raises
    ------
    InputError
        When the file is missing, lacks a column or has an unknown label.
    """
    import pandas as pd

    path = Path(path or config.CORPUS)
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read the corpus ({exc})") from exc
    missing = {"text", "label"} - set(frame.columns)
    if missing:
        raise InputError(f"{path}: the corpus lacks the column(s) {sorted(missing)}")
    bad = sorted(set(frame["label"]) - set(LABELS))
    if bad:
        raise InputError(f"{path}: unknown label(s) {bad}; expected one of {LABELS}")
    for col, default in (("lang", ""), ("group", "general")):
        if col not in frame:
            frame[col] = default
    frame["lang"] = [lang or guess_language(t) for t, lang in zip(frame["text"], frame["lang"])]
    return frame[["text", "label", "lang", "group"]]


_NB_HINTS = frozenset("""
og i jeg du det er som på hva hvordan hvorfor hvem hvor når kan skal vil har med til for
av ikke en et meg deg dere vi oss stillingen teamet jobben lederen dette blir være
""".split())


def guess_language(text: str) -> str:
    """``nb`` or ``en`` for a question without a language tag (for per-language scores only)."""
    low = text.lower()
    if any(ch in low for ch in "æøå"):
        return "nb"
    words = "".join(ch if ch.isalnum() else " " for ch in low).split()
    return "nb" if sum(w in _NB_HINTS for w in words) >= 2 else "en"


def _key(text: str) -> str:
    """Texts that differ only in case or spacing are the same question."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def training_frame(corpus: "pd.DataFrame | None" = None,
                   corrections: "pd.DataFrame | None" = None) -> "pd.DataFrame":
    """Corpus plus corrections; a person's label wins over the corpus for the same text.

    ``corrections`` has ``text`` and ``fit`` (as `Store.corrections` returns); when it has
    ``corrected_at`` the latest correction of a text wins.
    """
    import pandas as pd

    frame = load_corpus() if corpus is None else corpus.copy()
    for col, default in (("lang", ""), ("group", "general")):
        if col not in frame:
            frame[col] = default
    frame = frame[["text", "label", "lang", "group"]]
    if corrections is None or not len(corrections):
        return frame.reset_index(drop=True)
    missing = {"text", "fit"} - set(corrections.columns)
    if missing:
        raise InputError(f"the corrections lack the column(s) {sorted(missing)}")
    fixes = corrections.dropna(subset=["text", "fit"])
    if "corrected_at" in fixes:
        fixes = fixes.sort_values("corrected_at", kind="stable")
    bad = sorted(set(fixes["fit"]) - set(LABELS))
    if bad:
        raise InputError(f"unknown fit label(s) in the corrections: {bad}")
    fixes = fixes.assign(_key=fixes["text"].map(_key)).drop_duplicates("_key", keep="last")
    keys = frame["text"].map(_key)
    frame = frame[~keys.isin(set(fixes["_key"]))]
    added = pd.DataFrame({"text": fixes["text"], "label": fixes["fit"],
                          "lang": fixes["text"].map(guess_language), "group": "corrections"})
    return pd.concat([frame, added], ignore_index=True)


def data_sha256(frame: "pd.DataFrame") -> str:
    """sha256 of the (text, label) pairs, independent of row order."""
    lines = sorted(f"{t}\t{lab}" for t, lab in zip(frame["text"], frame["label"]))
    return hashlib.sha256("\n".join(lines).encode()).hexdigest()


def _library_versions() -> dict[str, str]:
    from importlib.metadata import version

    import platform

    return {"python": platform.python_version(), **{lib: version(lib) for lib in _LIBRARIES}}


def train_model(corpus: "pd.DataFrame | None" = None,
                corrections: "pd.DataFrame | None" = None, *, cv: bool = True,
                random_state: int = 0, **params: Any) -> FitModel:
    """Train the fit classifier on the corpus plus people's corrections.

    Parameters
    ----------
    corpus : DataFrame, optional
        ``text, label[, lang, group]``; default the shipped corpus (`config.CORPUS`).
    corrections : DataFrame, optional
        ``text, fit`` (from `Store.corrections`): a person's label wins over the corpus.
    cv : bool
        Also cross-validate (5-fold stratified and leave-one-sector-out) and record the scores
        in the metadata.
    random_state : int
    **params
        Passed to `make_question_classifier`.
    """
    frame = training_frame(corpus, corrections)
    if frame.empty:
        raise InputError("there is nothing to train on")
    missing = sorted(set(LABELS) - set(frame["label"]))
    if missing:
        raise InputError(f"the training data has no question labelled {missing}")
    start = dt.datetime.now(dt.timezone.utc)
    pipe = make_question_classifier(random_state=random_state, **params)
    pipe.fit(list(frame["text"]), frame["label"].to_numpy())
    corpus_frame = load_corpus() if corpus is None else corpus
    sha = data_sha256(frame)
    metadata = {
        "format": FORMAT_VERSION,
        "version": f"{sha[:10]}-{start:%Y%m%d}",
        "trained_at": start.isoformat(timespec="seconds"),
        "training_sha256": sha,
        "corpus_sha256": data_sha256(corpus_frame),
        "n_samples": int(len(frame)),
        "n_corrections": int((frame["group"] == "corrections").sum()),
        "n_per_language": {str(k): int(v) for k, v in frame["lang"].value_counts().items()},
        "n_per_label": {lab: int((frame["label"] == lab).sum()) for lab in LABELS},
        "params": {k: repr(v) for k, v in {**DEFAULT_PARAMS, **params}.items()},
        "libraries": _library_versions(),
        "cv": {},
    }
    if cv:
        metadata["cv"] = cv_scores(frame, random_state=random_state, repeats=1, **params)
    return FitModel(compile_pipeline(pipe), metadata, pipeline=pipe)


# -- saving and loading ------------------------------------------------------------------------

def _paths(path: Path | str) -> tuple[Path, Path, Path]:
    path = Path(path)
    return path, path.with_suffix(".npz"), path.with_suffix(".json")


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _write_atomic(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def save_model(model: FitModel, path: Path | str) -> None:
    """Write ``path`` (skops: pipeline and metadata), its ``.npz`` (compiled arrays) and its
    ``.json`` (metadata and the files' sha256); each file is replaced atomically."""
    import skops.io as sio

    skops_path, npz_path, json_path = _paths(path)
    skops_path.parent.mkdir(parents=True, exist_ok=True)
    meta_json = json.dumps(model.metadata, sort_keys=True)
    _write_atomic(skops_path, sio.dumps({"pipeline": model.pipeline, "metadata": meta_json}))
    buf = io.BytesIO()
    np.savez(buf, metadata=np.frombuffer(meta_json.encode(), dtype=np.uint8), **model.compiled)
    _write_atomic(npz_path, buf.getvalue())
    sidecar = {"format": FORMAT_VERSION, "metadata": model.metadata,
               "sha256": {skops_path.name: _sha256_file(skops_path),
                          npz_path.name: _sha256_file(npz_path)}}
    _write_atomic(json_path, json.dumps(sidecar, indent=1, sort_keys=True).encode())


def _read_sidecar(path: Path) -> tuple[dict, Path, Path]:
    """The checked sidecar: present, this format, the files' hashes match, same libraries."""
    skops_path, npz_path, json_path = _paths(path)
    where = str(skops_path)
    for p in (skops_path, npz_path, json_path):
        if not p.exists():
            raise ModelFileError(f"{where}: {p.name} is missing; retrain with "
                                 f"`python -m analysis train`")
    try:
        sidecar = json.loads(json_path.read_text(encoding="utf-8"))
        metadata, hashes = sidecar["metadata"], sidecar["sha256"]
        fmt = int(sidecar["format"])
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{where}: {json_path.name} is not a model description "
                             f"({exc})") from exc
    if fmt != FORMAT_VERSION or metadata.get("format") != FORMAT_VERSION:
        raise ModelFileError(f"{where}: model file format {fmt}, this version reads "
                             f"{FORMAT_VERSION}; retrain with `python -m analysis train`")
    for p in (skops_path, npz_path):
        if hashes.get(p.name) != _sha256_file(p):
            raise ModelFileError(f"{where}: {p.name} does not match its recorded sha256 — "
                                 f"the file was changed after it was saved; refusing to load it")
    have = _library_versions()
    made = metadata.get("libraries", {})
    wrong = [f"{lib} {made.get(lib)} (installed {have[lib]})" for lib in _LIBRARIES
             if made.get(lib) != have[lib]]
    if wrong:
        raise ModelFileError(f"{where}: made with other library versions: {', '.join(wrong)}; "
                             f"retrain with `python -m analysis train`")
    return metadata, skops_path, npz_path


def load_model(path: Path | str, *, full: bool = False) -> FitModel:
    """Open a saved model, refusing an untrusted, tampered or mismatched file.

    Checks: all three files present; the ``.json``'s format and library versions match this
    installation; both files' sha256 match the ``.json``; the ``.npz`` holds exactly the
    expected arrays (read with ``allow_pickle=False``) and the same metadata. With ``full``
    (or on first use of `FitModel.pipeline`) the skops file is also opened, refusing any type
    outside skops' defaults and `TRUSTED_TYPES`, and its metadata must match as well.

    Raises
    ------
    ModelFileError
        With a message that says what is wrong and how to fix it.
    """
    metadata, skops_path, npz_path = _read_sidecar(path)
    try:
        with np.load(npz_path, allow_pickle=False) as data:
            arrays = {name: data[name] for name in data.files}
    except (OSError, ValueError, KeyError) as exc:
        raise ModelFileError(f"{skops_path}: {npz_path.name} cannot be read ({exc})") from exc
    embedded = arrays.pop("metadata", None)
    if embedded is None or json.loads(embedded.tobytes().decode()) != metadata:
        raise ModelFileError(f"{skops_path}: the metadata in {npz_path.name} differs from "
                             f"the recorded metadata; refusing to load it")
    _check_compiled(arrays, str(skops_path))
    model = FitModel(arrays, metadata, pipeline_path=skops_path)
    if full:
        model.pipeline  # noqa: B018 - opens and checks the skops file now
    return model


def _load_pipeline(path: Path, metadata: dict) -> "Pipeline":
    """The pipeline from a skops file, trusting only skops' defaults and `TRUSTED_TYPES`."""
    import skops.io as sio
    from sklearn.pipeline import Pipeline

    _read_sidecar(path)  # the file may have changed since the model was opened
    try:
        untrusted = sio.get_untrusted_types(file=path)
    except Exception as exc:  # skops raises many kinds on a corrupt archive
        raise ModelFileError(f"{path}: not a readable skops file ({exc})") from exc
    refused = sorted(set(untrusted) - TRUSTED_TYPES)
    if refused:
        raise ModelFileError(f"{path}: contains types that are not allowed in a model file: "
                             f"{', '.join(refused)}; refusing to load it")
    try:
        content = sio.load(path, trusted=list(untrusted))
    except Exception as exc:
        raise ModelFileError(f"{path}: cannot be loaded ({exc})") from exc
    if (not isinstance(content, dict) or not isinstance(content.get("pipeline"), Pipeline)
            or json.loads(content.get("metadata", "null")) != metadata):
        raise ModelFileError(f"{path}: the skops file does not hold this model's pipeline "
                             f"and metadata; refusing to load it")
    return content["pipeline"]


_DEFAULT: FitModel | None = None
_DEFAULT_LOCK = threading.Lock()


def default_model() -> FitModel:
    """The model the app and the command line use, cached in this process.

    Opens `config.model_path()` when it is valid for the current corpus; otherwise trains on
    the corpus and saves the result there (a failed save only costs the next process a
    retraining).
    """
    global _DEFAULT
    with _DEFAULT_LOCK:
        if _DEFAULT is None:
            _DEFAULT = _open_or_train(config.model_path())
        return _DEFAULT


def reset_default_model(model: FitModel | None = None) -> None:
    """Replace (or forget) the cached default model, e.g. after retraining."""
    global _DEFAULT
    with _DEFAULT_LOCK:
        _DEFAULT = model


def _corpus_sha256() -> str:
    return data_sha256(load_corpus())


def _open_or_train(path: Path) -> FitModel:
    if path.exists():
        try:
            model = load_model(path)
            if model.metadata.get("corpus_sha256") == _corpus_sha256():
                return model
        except ModelFileError:
            pass  # an unusable file is replaced by a freshly trained model below
    # no cross-validation here: it would triple the wait of the first import; `train` does it
    model = train_model(cv=False)
    try:
        save_model(model, path)
    except OSError:
        pass
    return model


# -- evaluation --------------------------------------------------------------------------------

def _macro_f1(y_true, y_pred) -> float:
    from sklearn.metrics import f1_score

    return float(f1_score(y_true, y_pred, labels=list(LABELS), average="macro",
                          zero_division=0))


def _splits(frame: "pd.DataFrame", scheme: str, repeats: int, random_state: int):
    """(name, list of (train, test) index pairs) per repetition of ``scheme``."""
    from sklearn.model_selection import LeaveOneGroupOut, StratifiedKFold

    y = frame["label"].to_numpy()
    if scheme == "random":
        for r in range(repeats):
            cv = StratifiedKFold(5, shuffle=True, random_state=random_state + r)
            yield list(cv.split(frame, y))
    else:
        yield list(LeaveOneGroupOut().split(frame, y, frame["group"].to_numpy()))


def _oof(frame: "pd.DataFrame", splits, make, proba: bool):
    """Out-of-fold predictions (and probabilities) of pipelines made by ``make()``."""
    texts = frame["text"].to_numpy(dtype=object)
    y = frame["label"].to_numpy()
    pred = np.empty(len(frame), dtype=object)
    prob = np.zeros((len(frame), len(LABELS)))
    for train, test in splits:
        pipe = make().fit(list(texts[train]), y[train])
        if proba:
            p = pipe.predict_proba(list(texts[test]))
            order = [list(pipe.classes_).index(c) for c in LABELS]
            prob[test] = p[:, order]
            pred[test] = np.array(LABELS, dtype=object)[prob[test].argmax(axis=1)]
        else:
            pred[test] = pipe.predict(list(texts[test]))
    return pred, prob


def cv_scores(frame: "pd.DataFrame", *, random_state: int = 0, repeats: int = 1,
              **params: Any) -> dict:
    """Macro-F1 overall and per language for stratified 5-fold (``repeats`` times) and
    leave-one-sector-out cross-validation of `make_question_classifier(**params)`."""
    out: dict[str, Any] = {}
    for scheme in ("random", "sector"):
        scores = {"all": [], **{lang: [] for lang in sorted(set(frame["lang"]))}}
        for splits in _splits(frame, scheme, repeats, random_state):
            pred, _ = _oof(frame, splits, lambda: make_question_classifier(
                random_state=random_state, **params), proba=False)
            scores["all"].append(_macro_f1(frame["label"], pred))
            for lang in scores:
                if lang != "all":
                    mask = (frame["lang"] == lang).to_numpy()
                    scores[lang].append(_macro_f1(frame["label"][mask], pred[mask]))
        out[scheme] = {k: round(float(np.mean(v)), 4) for k, v in scores.items()}
    return out


def _details(frame: "pd.DataFrame", pred: np.ndarray, prob: np.ndarray | None) -> dict:
    from sklearn.metrics import confusion_matrix, precision_recall_fscore_support

    y = frame["label"].to_numpy()
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=list(LABELS), zero_division=0)
    out: dict[str, Any] = {
        "macro_f1": _macro_f1(y, pred),
        "per_label": {lab: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]),
                            "support": int(s[i])} for i, lab in enumerate(LABELS)},
        "confusion": confusion_matrix(y, pred, labels=list(LABELS)).tolist(),
        "per_language": {},
    }
    for lang in sorted(set(frame["lang"])):
        mask = (frame["lang"] == lang).to_numpy()
        out["per_language"][lang] = {"macro_f1": _macro_f1(y[mask], pred[mask]),
                                     "n": int(mask.sum())}
    if prob is not None:
        onehot = (y[:, None] == np.array(LABELS)[None, :]).astype(float)
        conf = prob.max(axis=1)
        correct = pred == y
        bins = np.minimum((conf * 10).astype(int), 9)
        table = []
        ece = 0.0
        for b in range(10):
            m = bins == b
            if m.any():
                table.append({"bin": f"{b / 10:.1f}-{(b + 1) / 10:.1f}", "n": int(m.sum()),
                              "confidence": float(conf[m].mean()),
                              "accuracy": float(correct[m].mean())})
                ece += m.mean() * abs(conf[m].mean() - correct[m].mean())
        out["calibration"] = {"brier": float(((prob - onehot) ** 2).sum(axis=1).mean()),
                              "ece": float(ece), "reliability": table}
    return out


def compare_candidates(frame: "pd.DataFrame | None" = None, *, repeats: int = 2,
                       random_state: int = 0) -> list[dict]:
    """Macro-F1 of the candidate pipelines (random CV and leave-one-sector-out), best first.

    The candidates differ in features (hashed n-grams with several ranges, as two separately
    normalised blocks or one; scikit-learn's own word + ``char_wb`` TF-IDF for reference) and
    classifier (LinearSVC, LogisticRegression,
    SGDClassifier, ComplementNB), each with a small grid over its key parameter. They are
    compared uncalibrated: calibration does not change which features and classifier win.
    """
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression, SGDClassifier
    from sklearn.naive_bayes import ComplementNB
    from sklearn.pipeline import FeatureUnion, make_pipeline
    from sklearn.svm import LinearSVC

    from sklearn.feature_extraction.text import TfidfTransformer

    frame = load_corpus() if frame is None else frame
    hasher = _ngram_hasher_class()

    def blocks(clf, char=(2, 5), word=(1, 2)):
        # the chosen layout: words and characters as separately normalised TF-IDF blocks
        return lambda: make_pipeline(make_features(char_range=char, word_range=word,
                                                   random_state=random_state), clf)

    def one_block(clf, char=(2, 5), word=(1, 2)):
        return lambda: make_pipeline(hasher(char_range=char, word_range=word),
                                     TfidfTransformer(sublinear_tf=True), clf)

    def sk_tfidf(clf):
        return lambda: make_pipeline(FeatureUnion([
            ("word", TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True)),
            ("char", TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5),
                                     sublinear_tf=True))]), clf)

    svc = lambda c: LinearSVC(C=c, class_weight="balanced", random_state=random_state)  # noqa
    candidates = {
        **{f"blocks w1-2 + c2-5, LinearSVC C={c}": blocks(svc(c)) for c in (0.25, 0.5, 1.0)},
        **{f"blocks w1-2 + c2-5, LogisticRegression C={c}": blocks(
            LogisticRegression(C=c, max_iter=3000, class_weight="balanced")) for c in (10, 30)},
        "blocks w1-2 + c2-5, SGD(modified_huber) alpha=1e-4": blocks(SGDClassifier(
            loss="modified_huber", alpha=1e-4, random_state=random_state)),
        "blocks w1-2 + c2-5, ComplementNB alpha=0.3": blocks(ComplementNB(alpha=0.3)),
        "blocks w1-2 + c3-5, LinearSVC C=0.5": blocks(svc(0.5), char=(3, 5)),
        "blocks w1-2 + c2-4, LinearSVC C=0.5": blocks(svc(0.5), char=(2, 4)),
        "blocks w1-3 + c2-5, LinearSVC C=0.5": blocks(svc(0.5), word=(1, 3)),
        "one block w1-2 + c2-5, LinearSVC C=0.5": one_block(svc(0.5)),
        "words only w1-2, LinearSVC C=0.5": one_block(svc(0.5), char=(0, 0)),
        "sklearn TF-IDF word1-2 + char_wb2-5, LinearSVC C=0.5": sk_tfidf(svc(0.5)),
    }
    rows = []
    for name, make in candidates.items():
        row: dict[str, Any] = {"candidate": name}
        for scheme in ("random", "sector"):
            scores = []
            for splits in _splits(frame, scheme, repeats, random_state):
                pred, _ = _oof(frame, splits, make, proba=False)
                scores.append(_macro_f1(frame["label"], pred))
            row[scheme] = float(np.mean(scores))
        rows.append(row)
    return sorted(rows, key=lambda r: -(r["random"] + r["sector"]))


def evaluate_model(corpus: "pd.DataFrame | None" = None, corrections=None, *, repeats: int = 3,
                   random_state: int = 0, compare: bool = False, **params: Any) -> dict:
    """Cross-validated report of the fit classifier on the corpus (plus corrections).

    Repeated stratified 5-fold CV (``repeats`` times) and leave-one-sector-out CV; for each:
    macro-F1 overall and per language, per-label precision/recall/F1, the confusion matrix and
    calibration (Brier score, expected calibration error, reliability table). With ``compare``
    also the candidate comparison (`compare_candidates`).
    """
    import time

    frame = training_frame(corpus, corrections)
    started = time.perf_counter()
    report: dict[str, Any] = {"n_samples": int(len(frame)),
                              "n_per_language": frame["lang"].value_counts().to_dict(),
                              "params": {k: repr(v) for k, v in {**DEFAULT_PARAMS,
                                                                  **params}.items()},
                              "target": 0.85}
    make = lambda: make_question_classifier(random_state=random_state, **params)  # noqa: E731
    runs = []
    for splits in _splits(frame, "random", repeats, random_state):
        pred, prob = _oof(frame, splits, make, proba=True)
        runs.append((pred, prob))
    random_scores = [_macro_f1(frame["label"], p) for p, _ in runs]
    details = _details(frame, runs[0][0], runs[0][1])
    details["macro_f1_runs"] = random_scores
    details["macro_f1"] = float(np.mean(random_scores))
    for lang in details["per_language"]:
        mask = (frame["lang"] == lang).to_numpy()
        details["per_language"][lang]["macro_f1"] = float(np.mean(
            [_macro_f1(frame["label"][mask], p[mask]) for p, _ in runs]))
    report["random"] = details
    (splits,) = list(_splits(frame, "sector", 1, random_state))
    pred, prob = _oof(frame, splits, make, proba=True)
    report["sector"] = _details(frame, pred, prob)
    report["sector"]["per_sector"] = {
        g: _macro_f1(frame["label"][m], pred[m])
        for g in sorted(set(frame["group"])) for m in [(frame["group"] == g).to_numpy()]}
    if compare:
        report["comparison"] = compare_candidates(frame, random_state=random_state)
    report["seconds"] = round(time.perf_counter() - started, 1)
    return report


def format_report(report: dict) -> str:
    """The evaluation report as plain text (what ``python -m analysis evaluate`` prints)."""
    target = report.get("target", 0.85)
    lines = [f"Fit classifier: cross-validated evaluation on {report['n_samples']} questions "
             f"({', '.join(f'{k}: {v}' for k, v in sorted(report['n_per_language'].items()))})",
             f"Model: {', '.join(f'{k}={v}' for k, v in report['params'].items())}", ""]
    titles = {"random": "Repeated stratified 5-fold CV",
              "sector": "Leave-one-sector-out CV (a whole sector held out per fold)"}
    for scheme in ("random", "sector"):
        d = report[scheme]
        ok = lambda v: "ok" if v >= target else f"BELOW {target}"  # noqa: E731
        lines.append(f"== {titles[scheme]} ==")
        runs = d.get("macro_f1_runs")
        spread = f" (runs: {', '.join(f'{x:.3f}' for x in runs)})" if runs else ""
        lines.append(f"macro-F1 overall: {d['macro_f1']:.3f} [{ok(d['macro_f1'])}]{spread}")
        for lang, v in d["per_language"].items():
            lines.append(f"macro-F1 {lang}: {v['macro_f1']:.3f} [{ok(v['macro_f1'])}] "
                         f"(n={v['n']})")
        lines.append(f"{'label':<14}{'precision':>10}{'recall':>8}{'F1':>7}{'n':>6}")
        for lab, v in d["per_label"].items():
            lines.append(f"{lab:<14}{v['precision']:>10.3f}{v['recall']:>8.3f}{v['f1']:>7.3f}"
                         f"{v['support']:>6}")
        lines.append("confusion (rows: true, columns: predicted)")
        lines.append(" " * 14 + "".join(f"{lab[:5]:>7}" for lab in LABELS))
        for lab, row in zip(LABELS, d["confusion"]):
            lines.append(f"{lab:<14}" + "".join(f"{x:>7}" for x in row))
        cal = d.get("calibration")
        if cal:
            lines.append(f"calibration: Brier {cal['brier']:.3f}, "
                         f"expected calibration error {cal['ece']:.3f}")
            lines.append("  confidence bin   n  mean confidence  accuracy")
            for b in cal["reliability"]:
                lines.append(f"  {b['bin']:<12}{b['n']:>6}{b['confidence']:>16.3f}"
                             f"{b['accuracy']:>10.3f}")
        if "per_sector" in d:
            lines.append("macro-F1 per held-out sector: " + ", ".join(
                f"{g} {v:.3f}" for g, v in d["per_sector"].items()))
        lines.append("")
    if "comparison" in report:
        lines.append("== Candidates (uncalibrated macro-F1) ==")
        lines.append(f"{'candidate':<62}{'random CV':>10}{'by sector':>10}")
        for row in report["comparison"]:
            lines.append(f"{row['candidate']:<62}{row['random']:>10.3f}{row['sector']:>10.3f}")
        lines.append("")
    lines.append(f"({report.get('seconds', 0)} s)")
    return "\n".join(lines)


# -- files of questions ------------------------------------------------------------------------

_COLUMN_NAMES = ("question", "spørsmål", "text")


def _checked_workbook(path: Path) -> bytes:
    """The bytes of a workbook that passed the import's safety checks (size, encryption,
    zip bombs: `analysis.io.inspect_file`)."""
    from analysis.errors import FileRejected
    from analysis.i18n import t
    from analysis.io import Upload, inspect_file

    try:
        upload = Upload.from_path(path)
        inspect_file(upload)
    except FileRejected as exc:
        raise InputError(f"{path}: {t(f'problem.{exc.code}', 'en', **exc.params)}") from exc
    return upload.data


def read_questions(path: Path | str, column: str | None = None) -> tuple["pd.DataFrame", str]:
    """A CSV or XLSX file of questions and the name of its question column.

    Raises
    ------
    InputError
        When the file cannot be read or has no such column.
    """
    import pandas as pd

    path = Path(path)
    suffix = path.suffix.lower()
    try:
        if suffix in (".xlsx", ".xlsm"):
            frame = pd.read_excel(io.BytesIO(_checked_workbook(path)), dtype=str,
                                  engine="calamine")
        elif suffix in (".csv", ".txt", ""):
            frame = pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""],
                                encoding="utf-8-sig")
        else:
            raise InputError(f"{path}: expected a .csv or .xlsx file, not '{suffix}'")
    except InputError:
        raise
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file") from exc
    except Exception as exc:  # pandas and calamine raise many kinds on a broken file
        raise InputError(f"{path}: cannot be read as {suffix.lstrip('.') or 'CSV'} "
                         f"({type(exc).__name__}: {exc})") from exc
    wanted = [column] if column else list(_COLUMN_NAMES)
    by_name = {str(c).strip().casefold(): c for c in frame.columns}
    for name in wanted:
        if name.strip().casefold() in by_name:
            return frame, by_name[name.strip().casefold()]
    have = ", ".join(map(str, frame.columns)) or "none"
    asked = f"'{column}'" if column else "'question', 'spørsmål' or 'text'"
    raise InputError(f"{path}: no column {asked} (columns: {have}); name the question column "
                     f"with --column")


def classify_file(path: Path | str, column: str | None = None,
                  model: FitModel | None = None) -> "pd.DataFrame":
    """The rows of a CSV or XLSX file with two more columns: ``fit`` and ``fit_confidence``.

    The question column is ``column``, else ``question``, ``spørsmål`` or ``text`` (any case).
    An empty question gets no label.

    Raises
    ------
    InputError
        When the file cannot be read or has no question column.
    """
    frame, col = read_questions(path, column)
    model = model or default_model()
    texts = frame[col]
    filled = texts.notna() & (texts.astype(str).str.strip() != "")
    fit = np.full(len(frame), None, dtype=object)
    conf = np.full(len(frame), np.nan)
    if filled.any():
        codes, probs = model.label(texts[filled].astype(str).tolist())
        fit[filled.to_numpy()] = codes
        conf[filled.to_numpy()] = np.round(probs, 4)
    return frame.assign(fit=fit, fit_confidence=conf)


__all__ = [
    "LABELS", "FitModel", "NgramHasher", "make_question_classifier", "train_model", "save_model",
    "load_model", "default_model", "evaluate_model", "format_report", "classify_file",
    "compare_candidates", "hash_ngrams",
]
