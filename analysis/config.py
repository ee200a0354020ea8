"""Settings read from the environment, with the documented defaults.

Every limit can be overridden by an environment variable of the same name prefixed ``OMVENDT_``.
"""
from __future__ import annotations

import os
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = ROOT / "data"
SAMPLE_WORKBOOK = ROOT / "sample_data" / "omvendt_sample.xlsx"
CORPUS = ROOT / "sample_data" / "questions.csv"
#: The frozen unseen-authors test set: never used for training, feature choices or model selection.
UNSEEN_AUTHORS = ROOT / "sample_data" / "unseen_authors.csv"


def _int_env(name: str, default: int) -> int:
    raw = os.environ.get(f"OMVENDT_{name}")
    return int(raw) if raw else default


#: Largest workbook accepted, in bytes (50 MB).
MAX_FILE_BYTES = _int_env("MAX_FILE_BYTES", 50 * 1024 * 1024)
#: Most data rows accepted in one workbook, all sheets together.
MAX_ROWS = _int_env("MAX_ROWS", 1_000_000)
#: Most cells in the grid from A1 to a sheet's furthest cell (what the reader allocates).
MAX_CELLS = _int_env("MAX_CELLS", 20_000_000)
#: Most bytes the workbook's zip parts may inflate to, counted while inflating (500 MB).
MAX_INFLATED_BYTES = _int_env("MAX_INFLATED_BYTES", 500 * 1024 * 1024)
#: Largest inflate ratio of a single part; real sheets compress 5-20x, bombs 1000x.
MAX_COMPRESSION_RATIO = _int_env("MAX_COMPRESSION_RATIO", 200)
#: Fewest feedback answers before a recruitment's feedback is shown (privacy).
MIN_FEEDBACK_ANSWERS = _int_env("MIN_FEEDBACK_ANSWERS", 3)
#: Months after a recruitment's last date before its personal data is due for erasure.
RETENTION_MONTHS = _int_env("RETENTION_MONTHS", 6)
#: The plausible window for every date in a workbook: from 1 January of this year ...
EARLIEST_YEAR = _int_env("EARLIEST_YEAR", 2000)
#: ... to this many days after today. Later dates are refused at import and do not count when
#: retention finds a recruitment's last date.
FUTURE_DAYS = _int_env("FUTURE_DAYS", 366)
#: Hours a team-mode sign-in lasts (the signed cookie's lifetime), across reloads and new tabs.
SESSION_HOURS = _int_env("SESSION_HOURS", 12)


def database_url() -> str:
    """The store's URL: ``OMVENDT_DATABASE_URL`` or the embedded SQLite file under ``data/``."""
    url = os.environ.get("OMVENDT_DATABASE_URL")
    if url:
        return url
    DATA_DIR.mkdir(exist_ok=True)
    return f"sqlite:///{DATA_DIR / 'omvendt.sqlite'}"


def model_path() -> Path:
    """Where the trained fit model is cached (``OMVENDT_MODEL_PATH`` overrides)."""
    raw = os.environ.get("OMVENDT_MODEL_PATH")
    return Path(raw) if raw else DATA_DIR / "fit_model.npz"
