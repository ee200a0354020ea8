"""Hashed word and character n-grams computed with whole-array numpy operations.

Labelling needs only this module and numpy: importing scikit-learn takes 1.5 s, so the
scikit-learn transformer that wraps these functions for training lives in `analysis.model.features`.
"""
from __future__ import annotations

import unicodedata
from functools import cache
from typing import Sequence

import numpy as np


#: Bumped whenever the saved files or the hashing scheme change; older files are refused.
FORMAT_VERSION = 2
#: Library versions recorded in a model file; a file made with others is refused.
LIBRARIES = ("numpy", "scipy", "scikit-learn")

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
            m = n_pos - n + 1
            # a window may touch boundaries only at its two ends (slices, not index arrays:
            # the same numbers without two gathers over every position)
            ok = (np.flatnonzero(cum_b[n - 2:n - 2 + m] == cum_b[:m]) if n > 2
                  else np.arange(m))
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
    rows, cols = np.divmod(key, n_cols)  # one pass for both
    return rows, cols, counts
