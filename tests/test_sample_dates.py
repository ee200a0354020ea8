"""The sample workbook as seeded: dated relative to today, so retention does not flag it."""
from __future__ import annotations

import datetime as dt
import io

import pandas as pd

from analysis import retention_due
from analysis.sample import SAMPLE_LAST_DAYS_AGO, sample_upload
from analysis.store.core import Store
from tests.conftest import FixedLabeller


def _dates(data: bytes) -> list[pd.Timestamp]:
    sheets = pd.read_excel(io.BytesIO(data), sheet_name=None, engine="openpyxl")
    return [v for f in sheets.values() for c in f.columns
            if pd.api.types.is_datetime64_any_dtype(f[c]) for v in f[c].dropna()]


def test_the_sample_is_moved_by_whole_weeks_to_just_before_today():
    today = dt.date(2031, 6, 18)
    upload = sample_upload(today)
    dates = _dates(upload.data)
    last = max(dates).date()
    assert today - dt.timedelta(days=SAMPLE_LAST_DAYS_AGO + 7) < last <= today
    from analysis import config
    original = _dates(config.SAMPLE_WORKBOOK.read_bytes())
    shifts = {(a - b).days for a, b in zip(dates, original)}
    assert len(shifts) == 1 and shifts.pop() % 7 == 0  # one shift, weekdays kept


def test_a_seeded_sample_is_not_past_retention(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 's.sqlite'}")
    store.import_upload(sample_upload(), FixedLabeller())
    assert retention_due(store).empty
