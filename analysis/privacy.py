"""Candidate privacy: pseudonyms for showing figures without names (erasure, retention and access
requests live here too)."""
from __future__ import annotations

import string

import pandas as pd


def pseudonym_map(sessions: pd.DataFrame, lang: str = "nb") -> dict[str, str]:
    """Map each session_id to "Finalist A/B/C" (nb: "Finalist A/B/C"), lettered per recruitment
    in the order the sessions were held, so the same finalist keeps the same letter everywhere."""
    from analysis.i18n import t

    out: dict[str, str] = {}
    order = sessions.sort_values(["recruitment", "date", "start", "session_id"],
                                 na_position="last", key=_sortable)
    for _, group in order.groupby("recruitment", sort=False):
        for i, sid in enumerate(group["session_id"]):
            letter = string.ascii_uppercase[i % 26] + ("" if i < 26 else str(i // 26))
            out[sid] = t("privacy.finalist", lang, letter=letter)
    return out


def _sortable(col: pd.Series) -> pd.Series:
    return col.astype(str) if col.dtype == object else col


def pseudonymise(frame: pd.DataFrame, sessions: pd.DataFrame, lang: str = "nb",
                 column: str = "candidate") -> pd.DataFrame:
    """A copy of ``frame`` with ``column`` replaced by the finalist's pseudonym (needs a
    ``session_id`` column)."""
    if column not in frame or "session_id" not in frame:
        return frame
    names = pseudonym_map(sessions, lang)
    return frame.assign(**{column: frame["session_id"].map(names).fillna(frame[column])})
