"""The fit classifier: the scikit-learn pipeline, its compiled (array-only) form, and `FitModel`,
which labels with numpy alone.

A model is saved as arrays (`compile_pipeline`) in a ``.npz`` read with ``allow_pickle=False`` plus
a JSON sidecar with the sha256 (see `analysis.model.training`): nothing in a model file can run
code, and labelling never imports scikit-learn.
"""
from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from analysis.errors import ModelFileError
from analysis.model.calibration import softmax_scaled
from analysis.model.hashing import _CHUNK, _N_KEYS, _codepoints, _count_matrix, hash_ngrams
from analysis.model.lexicon import is_tag, with_topics
from analysis.workbook.schema import FITS

if TYPE_CHECKING:  # pragma: no cover
    from sklearn.pipeline import Pipeline


#: The defaults `make_question_classifier` builds, chosen by leave-one-author-out macro-F1
#: (bench/compare_models.py; the table is in docs/classifier.md).
DEFAULT_PARAMS: dict[str, Any] = {
    "features__words__ngrams__word_range": (1, 2),
    "features__chars__ngrams__char_range": (3, 5),
    "clf__C": 0.5,
}


def make_question_classifier(*, random_state: int = 0, **params: Any) -> "Pipeline":
    """The fit classifier as an unfitted scikit-learn pipeline.

    Steps: ``features`` (`analysis.model.features.make_features`: hashed word 1-2-grams and
    character 3-5-grams, each a sublinear TF-IDF block) and ``clf`` (a `LinearSVC` with balanced
    class weights). Probabilities come from out-of-author scaling of its scores
    (`analysis.model.calibration`), fitted by `analysis.model.training.train_model`.

    Parameters
    ----------
    random_state : int
        Seed of the hash keys.
    **params
        Pipeline parameters (``set_params`` names) overriding `DEFAULT_PARAMS`, for example
        ``clf__C=1.0`` or ``features__chars__ngrams__char_range=(2, 5)``.
    """
    from sklearn.pipeline import Pipeline
    from sklearn.svm import LinearSVC

    from analysis.model.features import make_features

    pipe = Pipeline([
        ("features", make_features(random_state=random_state)),
        ("clf", LinearSVC(class_weight="balanced", random_state=random_state)),
    ])
    pipe.set_params(**{**DEFAULT_PARAMS, **params})
    return pipe


def decision_scores(pipe: "Pipeline", texts: Sequence[str]) -> np.ndarray:
    """The pipeline's decision scores with one column per fit code, in `FITS` order."""
    raw = pipe.decision_function(list(texts))
    order = [list(map(str, pipe.classes_)).index(c) for c in FITS]
    return raw[:, order]


# -- the compiled model ------------------------------------------------------------------------

def compile_pipeline(pipe: "Pipeline", temperature: float = 1.0,
                     bias: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """The arrays `FitModel` needs to label without scikit-learn.

    Parameters
    ----------
    pipe : Pipeline
        A fitted `make_question_classifier` pipeline.
    temperature, bias
        The probability scaling (`analysis.model.calibration.fit_scaling`).

    Raises
    ------
    ValueError
        When the pipeline is not `make_question_classifier`'s shape.
    """
    features, clf = pipe.named_steps["features"], pipe.named_steps["clf"]
    if sorted(map(str, getattr(clf, "classes_", []))) != sorted(FITS):
        raise ValueError(f"the classifier knows {list(getattr(clf, 'classes_', []))}, "
                         f"not {list(FITS)}")
    if not hasattr(clf, "coef_") or clf.coef_.shape[0] != len(FITS):
        raise ValueError("only a multiclass linear classifier can be compiled")
    if features.transformer_weights:
        raise ValueError("transformer weights cannot be compiled")
    order = [list(map(str, clf.classes_)).index(c) for c in FITS]
    weights = np.asarray(clf.coef_)[order].T.astype(np.float32)
    out = {
        "classes": np.array(FITS),
        "intercepts": np.asarray(clf.intercept_, dtype=np.float64)[order],
        "temperature": np.array([temperature], dtype=np.float64),
        "bias": np.zeros(len(FITS)) if bias is None else np.asarray(bias, dtype=np.float64),
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
            f"b{b}_topics": np.array([int("topics" in block.named_steps)]),
        })
        at += n
    if at != weights.shape[0]:
        raise ValueError("the feature blocks do not add up to the classifier's features")
    return out


#: Words that carry no subject on their own, in both languages (kept out of explanations).
FUNCTION_WORDS = frozenset("""
a an the and or but if of to in on at for with from by about as is are was were be been being
do does did doing have has had will would could should can may might must shall i me my we us
our you your he she it its they them their this that these those there here what which who whom
how when where why whether than then so not no yes any some all more most very just also like
og eller men om av til i på for med fra som er var blir ble være vært har hadde kan kunne skal
skulle vil ville må jeg meg min mitt mine vi oss vår vårt våre du deg din ditt dine dere deres
han hun den det de dem seg sin sitt sine dette disse hva hvem hvordan hvorfor hvor når hvilke
hvilken hvilket enn så ikke noe noen alle mer mest veldig bare også liksom da nå en et ei
""".split())


def _only_function_words(term: str) -> bool:
    return all(w in FUNCTION_WORDS for w in term.split())


_COMPILED = {  # name: (dtype kind, ndim) of every array a compiled model must have
    "classes": ("U", 1), "intercepts": ("f", 1), "temperature": ("f", 1), "bias": ("f", 1),
    "blocks": ("U", 1),
}
_BLOCK = {"keys": ("u", 1), "columns": ("i", 1), "hash_params": ("i", 1), "idf": ("f", 1),
          "weights": ("f", 2), "topics": ("i", 1)}


def _expected_arrays(arrays: dict[str, np.ndarray]) -> dict[str, tuple[str, int]]:
    n_blocks = len(arrays["blocks"]) if "blocks" in arrays else 0
    return {**_COMPILED, **{f"b{b}_{k}": v for b in range(n_blocks) for k, v in _BLOCK.items()}}


def check_compiled(arrays: dict[str, np.ndarray], where: str) -> None:
    """Refuse arrays that are not a compiled model of this version, with `ModelFileError`."""
    expected = _expected_arrays(arrays)
    for name, (kind, ndim) in expected.items():
        a = arrays.get(name)
        if a is None or a.dtype.kind != kind or a.ndim != ndim:
            raise ModelFileError(f"{where}: the model file lacks a valid '{name}' array")
    unexpected = set(arrays) - set(expected)
    if unexpected:
        raise ModelFileError(f"{where}: unexpected arrays in the model file: "
                             f"{sorted(unexpected)}")
    n_cls = len(arrays["intercepts"])
    ok = (tuple(arrays["classes"]) == FITS and n_cls == len(FITS)
          and len(arrays["bias"]) == n_cls and len(arrays["temperature"]) == 1
          and float(arrays["temperature"][0]) > 0 and 1 <= len(arrays["blocks"]) <= 4)
    for b in range(len(arrays["blocks"])):
        w, cols, hp = (arrays[f"b{b}_{k}"] for k in ("weights", "columns", "hash_params"))
        ok = ok and (w.shape[1] == n_cls and len(arrays[f"b{b}_idf"]) == len(cols)
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
        The fitted scikit-learn pipeline, when the model was trained in this process (kept for
        tests and research; a saved model is arrays only).
    """

    def __init__(self, compiled: dict[str, np.ndarray], metadata: dict,
                 pipeline: "Pipeline | None" = None) -> None:
        self.compiled = compiled
        self.metadata = metadata
        self.pipeline = pipeline
        self.classes_ = np.array(compiled["classes"], dtype=object)
        self._blocks = []  # per feature block: hashing arguments and arrays
        for b in range(len(compiled["blocks"])):
            cr0, cr1, wr0, wr1, bits = (int(x) for x in compiled[f"b{b}_hash_params"])
            self._blocks.append({
                "hash": {"char_range": (cr0, cr1), "word_range": (wr0, wr1), "bits": bits},
                "keys": compiled[f"b{b}_keys"], "columns": compiled[f"b{b}_columns"],
                "idf": compiled[f"b{b}_idf"], "weights": compiled[f"b{b}_weights"],
                "topics": bool(compiled[f"b{b}_topics"][0]), "lookup": None})

    @property
    def version(self) -> str:
        """Short hash of the training data and the training date, e.g. ``3fa2c81e90-20260304``."""
        return str(self.metadata["version"])

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

    def decision_scores(self, texts: Sequence[str]) -> np.ndarray:
        """The linear classifier's scores, one column per code in `classes_`."""
        n = len(texts)
        scores = np.zeros((n, len(self.classes_)))
        plain = (texts, _codepoints(texts))
        tagged = None
        for block in self._blocks:
            if block["topics"]:
                if tagged is None:
                    tagged_texts = with_topics(texts)
                    tagged = (tagged_texts, _codepoints(tagged_texts))
                rows, cols, values = self._features(block, *tagged)
            else:
                rows, cols, values = self._features(block, *plain)
            if len(rows):
                # rows are sorted: sum each row's weighted columns in one pass
                contrib = block["weights"][cols]
                contrib *= values[:, None]  # in place: one (entries x fits) array less
                starts = np.flatnonzero(np.r_[True, rows[1:] != rows[:-1]])
                scores[rows[starts]] += np.add.reduceat(contrib, starts, axis=0)
        return scores + self.compiled["intercepts"]

    def _proba_chunk(self, texts: Sequence[str]) -> np.ndarray:
        return softmax_scaled(self.decision_scores(texts), float(self.compiled["temperature"][0]),
                              self.compiled["bias"])

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
        for block in self._blocks:
            shown = with_topics([text])[0] if block["topics"] else text
            codepoints = _codepoints([shown])
            _, cols, values = self._features(block, [shown], codepoints)
            _, buckets, names = hash_ngrams([shown], block["keys"], terms=True,
                                            codepoints=codepoints, **block["hash"])
            tcols = self._lookup_table(block)[buckets]
            w = block["weights"]
            push = w[:, c] - w.mean(axis=1)
            value_of = dict(zip(cols.tolist(), values.tolist()))
            # an n-gram seen k times shares its tf-idf value evenly among its k occurrences
            occurrences = np.bincount(tcols[tcols >= 0], minlength=w.shape[0])
            for name, col in zip(names, tcols.tolist()):
                if col >= 0:
                    share = value_of[col] / occurrences[col] * push[col]
                    totals[name] = totals.get(name, 0.0) + float(share)
        # content words only: subject tokens and function words ("would", "or", "er") say
        # nothing a person can check
        ranked = sorted(((n, v) for n, v in totals.items()
                         if v > 0 and not is_tag(n) and not _only_function_words(n)),
                        key=lambda x: -x[1])
        return [(n, round(v, 4)) for n, v in ranked[:top]]


