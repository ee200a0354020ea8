"""Confidence people can act on: scaling a linear classifier's scores into probabilities, and
the expected calibration error that says how honest they are.

The scaling is fitted on *out-of-author* scores (each author's questions scored by a model that
never saw that author), because a model is always surer of the voices it was trained on than of
a new candidate's. It is vector scaling: softmax(scores / temperature + bias), one temperature
and one bias per fit.
"""
from __future__ import annotations

import numpy as np


def softmax_scaled(scores: np.ndarray, temperature: float, bias: np.ndarray) -> np.ndarray:
    """Row-wise softmax of ``scores / temperature + bias``."""
    z = scores / temperature + bias
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    return e / e.sum(axis=1, keepdims=True)


def fit_scaling(scores: np.ndarray, y: np.ndarray) -> tuple[float, np.ndarray]:
    """The temperature and per-class bias that minimise the log loss of ``softmax_scaled``.

    Parameters
    ----------
    scores : ndarray of shape (n, n_classes)
        Out-of-sample decision scores.
    y : ndarray of shape (n,)
        The true class index of each row.
    """
    from scipy.optimize import minimize

    n, k = scores.shape

    def loss(theta: np.ndarray) -> float:
        log_t, bias = theta[0], theta[1:]
        z = scores * np.exp(-log_t) + bias
        z = z - z.max(axis=1, keepdims=True)
        log_p = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-log_p[np.arange(n), y].mean() + 1e-4 * (bias ** 2).sum())

    result = minimize(loss, np.zeros(k + 1), method="L-BFGS-B")
    return float(np.exp(result.x[0])), result.x[1:].astype(np.float64)


def expected_calibration_error(y_true: np.ndarray, proba: np.ndarray, n_bins: int = 10) -> float:
    """Expected calibration error of the top label: the mean gap between confidence and
    accuracy over equal-width confidence bins, weighted by how many predictions fall in each.

    Examples
    --------
    >>> import numpy as np
    >>> round(expected_calibration_error(np.array([0, 1]), np.array([[0.9, 0.1], [0.8, 0.2]])), 2)
    0.45
    """
    conf = proba.max(axis=1)
    right = proba.argmax(axis=1) == y_true
    bins = np.minimum((conf * n_bins).astype(int), n_bins - 1)
    total = 0.0
    for b in range(n_bins):
        inside = bins == b
        if inside.any():
            total += inside.mean() * abs(right[inside].mean() - conf[inside].mean())
    return float(total)
