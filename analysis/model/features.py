"""The features of the fit classifier for training: `NgramHasher` (scikit-learn's side of
`analysis.model.hashing`) and `make_features`, the word and character TF-IDF blocks."""
from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.feature_extraction.text import TfidfTransformer
from sklearn.pipeline import FeatureUnion, Pipeline
from sklearn.utils.validation import check_is_fitted

from analysis.model.hashing import _N_KEYS, _count_matrix, hash_ngrams
from analysis.model.lexicon import with_topics


class TopicTagger(TransformerMixin, BaseEstimator):
    """Appends one token per subject of the topic lexicon a text mentions
    (`analysis.model.lexicon.with_topics`). Stateless."""

    def fit(self, X, y=None):
        self.n_features_in_ = 1
        return self

    def transform(self, X):
        return with_topics(X)


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


def make_features(*, char_range: tuple[int, int] = (3, 5), word_range: tuple[int, int] = (1, 2),
                  topics: bool = True, random_state: int = 0) -> FeatureUnion:
    """Word n-grams (with the topic lexicon's subject tokens when ``topics``) and character
    n-grams as two TF-IDF blocks, each L2-normalised on its own (one shared norm lets the far
    more numerous character n-grams drown the words)."""
    words = [("ngrams", NgramHasher(char_range=(0, 0), word_range=word_range,
                                    random_state=random_state)),
             ("tfidf", TfidfTransformer(sublinear_tf=True))]
    return FeatureUnion([
        ("words", Pipeline([("topics", TopicTagger()), *words] if topics else words)),
        ("chars", Pipeline([
            ("ngrams", NgramHasher(char_range=char_range, word_range=(0, 0),
                                   random_state=random_state + 1)),
            ("tfidf", TfidfTransformer(sublinear_tf=True))])),
    ])
