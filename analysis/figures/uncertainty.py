"""Uncertain model labels: which questions a person should look at, and how far they have got.

A model label is *uncertain* when its calibrated probability is below `UNCERTAIN_BELOW` (on the
unseen-authors test set about half of those are wrong, against 5 % of the rest; see
``python -m analysis evaluate``). A label set by a person (in the workbook or as a correction in
the app) is never uncertain, and a confirmation in the review queue is such a label.
"""
from __future__ import annotations

import pandas as pd

from analysis.model.evaluation import UNCERTAIN_BELOW


def uncertain_mask(questions: pd.DataFrame, below: float = UNCERTAIN_BELOW) -> pd.Series:
    """True for questions whose effective fit is a model label with probability < ``below``."""
    conf = pd.to_numeric(questions["model_confidence"], errors="coerce")
    return (questions["fit_source"] == "model") & (conf < below)


def review_queue(questions: pd.DataFrame, below: float = UNCERTAIN_BELOW) -> pd.DataFrame:
    """The uncertain questions, least certain first (ties in session order)."""
    queue = questions[uncertain_mask(questions, below)]
    return queue.sort_values(["model_confidence", "session_id", "seq"], kind="stable")


def review_progress(questions: pd.DataFrame, below: float = UNCERTAIN_BELOW) -> tuple[int, int]:
    """(reviewed, total): questions the model was unsure of, and how many of them now carry a
    person's label."""
    conf = pd.to_numeric(questions["model_confidence"], errors="coerce")
    unsure = conf < below
    reviewed = unsure & (questions["fit_source"] != "model")
    return int(reviewed.sum()), int(unsure.sum())


def uncertain_count(questions: pd.DataFrame, below: float = UNCERTAIN_BELOW) -> tuple[int, int]:
    """(uncertain, counted): how many of the questions a figure counts have an uncertain label."""
    return int(uncertain_mask(questions, below).sum()), int(len(questions))
