"""The invitation to the reverse interview: the letter a recruiter sends a finalist, written from
the recruitment's data.

The method (the article's frame) says what the letter must tell: that the finalist is offered a
reverse interview before the second interview, its purposes, when and where, how long each part
takes (30–40 minutes for the candidate's questions, 20–30 for the manager's), that the manager and
an observer take their own notes and share none until all are in, that declining is allowed, and
that the second interview asks why they asked what they asked.

What the data holds is filled in: the finalist's name, the date and start time of their session,
the manager's name, the second interview's date, the role (the recruitment's name unless the
recruiter wrote a title). What it does not hold (the place, who signs) comes from the planning
page's `details`; what is still missing is left as a placeholder in brackets ("[sted]") and listed
in `Invitation.missing`, so the page can say which field to fill. Nothing is made up.

The text is plain text: names are copied as they are written (without line breaks or control
characters) and must never be rendered as Markdown.
"""
from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping
from dataclasses import dataclass

import pandas as pd

from analysis.figures.process import MANAGER_MINUTES
from analysis.format import clock_text, is_missing, long_date_text
from analysis.i18n import DEFAULT_LANGUAGE, t
from analysis.text import export_text
from analysis.workbook.schema import RECOMMENDED_MINUTES

__all__ = [
    "DETAIL_FIELDS",
    "INVITATION_FIELDS",
    "Invitation",
    "build_invitation",
    "invitation_docx",
    "invitation_file_name",
    "invitation_finalists",
]

#: The fields of the letter that can be missing, in the order the page lists them.
INVITATION_FIELDS = ("name", "role", "manager", "date", "time", "place", "sender")
#: What the recruiter writes on the planning page (the data holds no place and no sender; the
#: role defaults to the recruitment's name).
DETAIL_FIELDS = ("role", "place", "sender")


@dataclass(frozen=True)
class Invitation:
    """One invitation letter.

    ``missing`` names the fields (`INVITATION_FIELDS`) left as a placeholder in the text.
    """

    text: str
    lang: str
    missing: tuple[str, ...] = ()

    def missing_text(self, lang: str | None = None) -> str:
        """The missing fields in words ("sted, klokkeslett"); empty when none is missing."""
        return ", ".join(t(f"invitation.field.{f}", lang or self.lang) for f in self.missing)


def _clean(value: object) -> str:
    """User text as one line of plain text; empty for a missing value."""
    if is_missing(value):
        return ""
    return " ".join(export_text(str(value)).split())


def _day(value: object) -> dt.date | None:
    if is_missing(value):
        return None
    stamp = pd.Timestamp(value)
    return None if pd.isna(stamp) else stamp.date()


def _span(bounds: tuple[float, float]) -> str:
    return f"{bounds[0]:.0f}–{bounds[1]:.0f}"


def invitation_finalists(sessions: pd.DataFrame, recruitment: str) -> pd.DataFrame:
    """The finalists of ``recruitment`` who can be invited: its sessions that are not erased,
    in the order of the sessions (session_id, candidate, status, date, ...)."""
    mine = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    if "erased_at" in mine:
        mine = mine[mine["erased_at"].isna().to_numpy()]
    return mine.reset_index(drop=True)


def _most_common(values: pd.Series) -> str:
    cleaned = [v for v in (_clean(x) for x in values) if v]
    return pd.Series(cleaned).mode().iloc[0] if cleaned else ""


def build_invitation(sessions: pd.DataFrame, recruitment: str, session_id: str | None = None, *,
                     details: Mapping[str, object] | None = None,
                     lang: str = DEFAULT_LANGUAGE) -> Invitation:
    """The invitation of one finalist of ``recruitment``, or the recruitment's template.

    Parameters
    ----------
    sessions : DataFrame
        Sessions as `Store.sessions` gives them (session_id, recruitment, candidate, date, start,
        status, second_interview, manager); other recruitments' rows are ignored.
    recruitment : str
        The recruitment's name.
    session_id : str, optional
        The finalist's session. Without it the letter is the recruitment's template: the name
        and the time are placeholders, the date is filled only when all sessions share one day.
    details : mapping, optional
        What the recruiter wrote (`DETAIL_FIELDS`): ``role`` (the title; defaults to the
        recruitment's name), ``place`` and ``sender`` (who signs).
    lang : str
        "nb" or "en": the letter's language, which may differ from the interface's.

    Returns
    -------
    Invitation
        The text, and the fields left as placeholders.

    Raises
    ------
    KeyError
        For a ``session_id`` that is not one of the recruitment's finalists.

    Examples
    --------
    >>> s = pd.DataFrame({"session_id": ["A1"], "recruitment": ["Driftssjef"],
    ...                   "candidate": ["Kari"], "date": [dt.date(2026, 3, 4)],
    ...                   "start": [dt.time(9, 0)], "status": ["held"],
    ...                   "second_interview": [None], "manager": ["Per"]})
    >>> letter = build_invitation(s, "Driftssjef", "A1", lang="nb")
    >>> "onsdag 4. mars 2026 kl. 09.00" in letter.text, letter.missing
    (True, ('place', 'sender'))
    """
    details = details or {}
    finalists = invitation_finalists(sessions, recruitment)
    row = None
    if session_id is not None:
        hits = finalists[(finalists["session_id"] == session_id).to_numpy()]
        if hits.empty:
            raise KeyError(f"session {session_id!r} is not a finalist of {recruitment!r}")
        row = hits.iloc[0]

    days = sorted({d for d in (_day(v) for v in finalists["date"]) if d is not None})
    day = _day(row["date"]) if row is not None else (days[0] if len(days) == 1 else None)
    values: dict[str, str | None] = {
        "name": _clean(row["candidate"]) if row is not None else None,
        "role": _clean(details.get("role")) or _clean(recruitment),
        "manager": (_clean(row.get("manager")) if row is not None else "")
        or _most_common(finalists.get("manager", pd.Series(dtype=object))),
        "date": long_date_text(day, lang) if day else None,
        "time": clock_text(row.get("start"), lang) if row is not None else None,
        "place": _clean(details.get("place")),
        "sender": _clean(details.get("sender")),
    }
    missing = tuple(f for f in INVITATION_FIELDS if not values[f])
    filled = {f: values[f] or t(f"invitation.placeholder.{f}", lang) for f in INVITATION_FIELDS}

    second = _day(row.get("second_interview")) if row is not None else None
    purposes = "\n".join(f"• {t(f'plan.purpose.{i}', lang)}" for i in range(1, 6))
    text = t("invitation.letter", lang, **filled, purposes=purposes,
             candidate_minutes=_span(RECOMMENDED_MINUTES), manager_minutes=_span(MANAGER_MINUTES),
             same_day=t("invitation.same_day", lang) if len(days) == 1 and len(finalists) > 1
             else "",
             second=t("invitation.second_dated", lang, date=long_date_text(second, lang))
             if second else "")
    # a sentence left out leaves a double space or a space before a line break
    text = "\n".join(" ".join(line.split()) for line in text.splitlines())
    return Invitation(text, lang, missing)


def invitation_docx(text: str) -> bytes:
    """A letter's text (`Invitation.text`, or the recruiter's edit of it) as a Word document
    (python-docx): one paragraph per block of the text, the bullets as a list, so the recruiter
    can put it on the letterhead."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.size = Pt(11)
    for block in export_text(text.replace("\r\n", "\n")).split("\n\n"):
        lines = block.splitlines()
        plain = [line for line in lines if not line.startswith("• ")]
        if plain:
            paragraph = doc.add_paragraph()
            for i, line in enumerate(plain):
                run = paragraph.add_run(line)
                if i < len(plain) - 1:
                    run.add_break()
        for line in lines:
            if line.startswith("• "):
                doc.add_paragraph(line[2:], style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def invitation_file_name(name: str | None, fmt: str, lang: str) -> str:
    """A file name for the letter that is safe on every system ("innkalling_Kari_Nordmann.txt")."""
    stem = t("invitation.file_stem", lang)
    safe = "_".join("".join(c if c.isalnum() or c in "-" else " " for c in _clean(name)).split())
    return f"{stem}_{safe or t('invitation.file_template', lang)}_{lang}.{fmt}"
