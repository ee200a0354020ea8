"""Retraining from people's corrections: train, save, relabel the store, and say what changed.

The one sequence the Questions page and ``python -m analysis train`` both run.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd

    from analysis.model.pipeline import FitModel
    from analysis.store.core import Store

#: Steps reported to ``progress`` in order (translation keys ``ui.questions.step_<step>``).
STEPS = ("train", "save", "relabel")


@dataclass(frozen=True)
class Retrained:
    """What a retraining did."""

    model: "FitModel"
    #: Corrections (labels set by a person in the app) the model was trained with.
    corrections: int
    #: One row per question whose model label changed: id, session_id, seq, question, before,
    #: after.
    changes: "pd.DataFrame"


def retrain(store: "Store", path: Path | str | None = None,
            progress: Callable[[str, int], None] | None = None) -> Retrained:
    """Train on the corpus plus the store's corrections, save the model to ``path`` (default
    `config.model_path`), make it the process's default, and relabel every question.

    Labels set by a person (workbook or correction) are never touched. ``progress(step, n)`` is
    called before each of `STEPS` (``n`` = the number of corrections).
    """
    from analysis import config
    from analysis.model.training import reset_default_model, save_model, train_model

    store.actor.require("retrain")
    corrections = store.corrections()
    report = progress or (lambda step, n: None)
    report("train", len(corrections))
    model = train_model(corrections=corrections)
    report("save", len(corrections))
    save_model(model, path or config.model_path())
    reset_default_model(model)
    report("relabel", len(corrections))
    before = store.questions()[["id", "session_id", "seq", "question", "fit_model"]]
    store.relabel(model)
    after = store.questions()[["id", "fit_model"]].rename(columns={"fit_model": "after"})
    both = before.rename(columns={"fit_model": "before"}).merge(after, on="id")
    changes = both[both["before"] != both["after"]].reset_index(drop=True)
    return Retrained(model, len(corrections), changes)
