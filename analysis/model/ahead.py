"""Labelling ahead: the fit labels of a workbook's questions computed in a background thread
while the import validates the workbook and writes its sessions.

Labelling is most of an import's time, and most of it is numpy, which lets other threads run.
The import hands `LabelsAhead` the question texts as soon as the sheets are read; when it comes
to write the questions it asks for their labels as it would ask the model, and gets the ones
already computed. A text that validation changed (trimmed, control characters removed) is
labelled then, so the labels are always the model's labels of the stored texts.
"""
from __future__ import annotations

import threading
from typing import Protocol, Sequence

import numpy as np


class _Labeller(Protocol):
    version: str

    def label(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]: ...


class LabelsAhead:
    """A labeller (`analysis.store.core.Labeller`) that has started labelling ``texts``.

    Parameters
    ----------
    labeller : Labeller
        The model; `label` gives exactly its labels and confidences.
    texts : sequence of str
        The texts to label in the background, in chunks; `cancel` stops after the current one.
    chunk : int
        Texts per chunk.
    """

    def __init__(self, labeller: _Labeller, texts: Sequence[str], chunk: int = 8192) -> None:
        self.labeller = labeller
        self.version = labeller.version
        self._texts = list(dict.fromkeys(texts))
        self._chunk = chunk
        self._done: dict[str, tuple[object, float]] = {}
        self._cancelled = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="omvendt-labels-ahead",
                                        daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            for i in range(0, len(self._texts), self._chunk):
                if self._cancelled.is_set():
                    return
                part = self._texts[i:i + self._chunk]
                codes, conf = self.labeller.label(part)
                self._done.update(zip(part, zip(codes.tolist(), conf.tolist())))
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            self._error = exc

    def cancel(self) -> None:
        """Stop labelling ahead (the import failed); returns once the thread has stopped."""
        self._cancelled.set()
        self._thread.join()

    def wait(self) -> None:
        """Wait until the texts are labelled (re-raises what the labelling raised)."""
        self._thread.join()
        if self._error is not None:
            raise self._error

    def label(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The labeller's codes and confidences of ``texts``: those labelled ahead are waited
        for, the others labelled now."""
        self.wait()
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self._done))
        if missing:
            codes, conf = self.labeller.label(missing)
            self._done.update(zip(missing, zip(codes.tolist(), conf.tolist())))
        pairs = [self._done[t] for t in texts]
        codes = np.array([c for c, _ in pairs], dtype=object)
        conf = np.array([p for _, p in pairs], dtype=np.float64)
        return codes, conf
