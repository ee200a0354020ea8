"""Labelling files of questions (`python -m analysis classify`).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from analysis.errors import InputError
from analysis.model.pipeline import FitModel
from analysis.model.training import default_model

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd


# -- files of questions ------------------------------------------------------------------------

_COLUMN_NAMES = ("question", "spørsmål", "text")


def _checked_workbook(path: Path) -> bytes:
    """The bytes of a workbook that passed the import's safety checks (size, encryption,
    zip bombs: `analysis.workbook.reading.inspect_file`)."""
    from analysis.errors import FileRejected
    from analysis.i18n import t
    from analysis.workbook.reading import Upload, inspect_file

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


