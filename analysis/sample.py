"""The sample workbook as a newcomer's first store gets it: dated relative to today.

The workbook in ``sample_data/`` is dated March–April 2026. Imported as it is, a store opened
months later would greet a newcomer with "8 sessions are past retention" on the first page.
`sample_upload` moves every date and time in it by the same whole number of weeks, so that its
last date is about a week before today: weekdays, the order of events and every duration stay
as they were, and retention is as far away as it would be for a real, recent recruitment.
"""
from __future__ import annotations

import datetime as dt
import io

from analysis import config
from analysis.workbook.reading import Upload

#: How many days before today the sample's last date lands (rounded down to whole weeks).
SAMPLE_LAST_DAYS_AGO = 7


def _shift_days(latest: dt.date, today: dt.date) -> int:
    """Whole weeks, in days, that move ``latest`` to about `SAMPLE_LAST_DAYS_AGO` before today."""
    target = today - dt.timedelta(days=SAMPLE_LAST_DAYS_AGO)
    return 7 * ((target - latest).days // 7)


def sample_upload(today: dt.date | None = None, path=None) -> Upload:
    """The sample workbook (``config.SAMPLE_WORKBOOK``) with every date cell moved by whole
    weeks so that its last date is about a week before ``today`` (see the module's docstring).
    Times of day are date-free cells and stay. The file keeps its name, so importing it twice
    is still one import.

    Examples
    --------
    >>> upload = sample_upload(dt.date(2027, 1, 15))
    >>> upload.name
    'omvendt_sample.xlsx'
    """
    from openpyxl import load_workbook

    path = path or config.SAMPLE_WORKBOOK
    today = today or dt.date.today()
    wb = load_workbook(path)
    cells = [c for ws in wb for row in ws.iter_rows() for c in row
             if isinstance(c.value, (dt.datetime, dt.date))]
    if not cells:
        return Upload.from_path(path)
    latest = max(c.value if isinstance(c.value, dt.date) and not isinstance(
        c.value, dt.datetime) else c.value.date() for c in cells)
    shift = dt.timedelta(days=_shift_days(latest, today))
    for cell in cells:
        cell.value = cell.value + shift
    buf = io.BytesIO()
    wb.save(buf)
    return Upload(path.name if hasattr(path, "name") else str(path), buf.getvalue())
