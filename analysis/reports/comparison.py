"""Reports for people: the finalists' comparison workbook and the translated words around the
figures (figure names, fairness notes, overview headlines) that the pages share.

Every sheet goes through `analysis.workbook.writing.workbook_bytes`, which neutralises text a
spreadsheet would run as a formula; the candidates' questions are user text.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pandas as pd

from analysis.errors import NotFound
from analysis.figures.compare import COMPARISON_FIGURES, Comparison
from analysis.format import datetime_text, fit_name, number_text
from analysis.i18n import t
from analysis.workbook.schema import FOUR_FITS, SCORES
from analysis.workbook.writing import workbook_bytes

#: Figures shown as percentages (they are shares 0–1 in `analysis.figures`).
_PERCENT = {"follow_up_share"}


def figure_name(name: str, lang: str = "nb") -> str:
    """The display name of a figure of `analysis.figures.session_figures`."""
    return t(f"report.figure.{name}", lang)


def fairness_text(flag: dict, lang: str = "nb") -> str:
    """One `analysis.figures.fairness_flags` entry as a sentence (plain text: a page escapes it
    before Markdown shows it, for it holds managers' names)."""
    params = {k: number_text(v, lang, whole=True) if isinstance(v, float) else v
              for k, v in flag.items() if k != "kind"}
    return t(f"report.fairness.{flag['kind']}", lang, **params)


def fairness_lines(flags: list[dict], lang: str = "nb") -> list[str]:
    """The fairness notes as sentences; a single "same conditions" line when there is none."""
    return [fairness_text(f, lang) for f in flags] or [t("report.fairness.same", lang)]


def headline_text(headline: dict, lang: str = "nb") -> str:
    """The one-line headline of `analysis.figures.recruitment_overview` in ``lang``."""
    if headline.get("kind") != "coverage":
        return t("report.headline.no_questions", lang)
    text = t("report.headline.coverage", lang, fit=fit_name(headline["fit"], lang),
             share=round(100 * headline["share"]))
    if headline.get("candidate"):
        text += " " + t("report.headline.follow_ups", lang, candidate=headline["candidate"],
                        follow_ups=headline["follow_ups"])
    return text


def pseudonymise_comparison(comparison: Comparison, sessions: pd.DataFrame,
                            lang: str = "nb") -> Comparison:
    """The comparison with every finalist shown as "Finalist A/B/C" (see
    `analysis.store.privacy.pseudonymise`)."""
    from analysis.store.privacy import pseudonymise

    def swap(frame: pd.DataFrame) -> pd.DataFrame:
        if "session_id" not in frame and frame.index.name == "session_id":
            return pseudonymise(frame.reset_index(), sessions, lang).set_index("session_id")
        return pseudonymise(frame, sessions, lang)

    return replace(comparison, figures=swap(comparison.figures), shares=swap(comparison.shares),
                   questions=swap(comparison.questions))


def _figures_sheet(comparison: Comparison, lang: str) -> pd.DataFrame:
    figures = comparison.figures
    scores = [c for c in [*(f"score_{s}" for s in SCORES), "score_mean"] if c in figures]
    out = pd.DataFrame({t("report.col.finalist", lang): figures["candidate"].to_numpy()})
    for name in [*COMPARISON_FIGURES, *scores]:
        values = figures[name]
        if name in _PERCENT:
            values = (100 * values).round(0)
        elif values.dtype.kind == "f":
            values = values.round(2)
        out[figure_name(name, lang)] = values.to_numpy()
    out[t("report.col.session", lang)] = figures["session_id"].to_numpy()
    return out


def _shares_sheet(comparison: Comparison, lang: str) -> pd.DataFrame:
    shares = comparison.shares
    out = pd.DataFrame({t("report.col.finalist", lang): shares["candidate"].to_numpy()})
    for fit in FOUR_FITS:
        out[t("report.col.share", lang, fit=fit_name(fit, lang))] = \
            (100 * shares[fit]).round(0).to_numpy()
    return out


def _questions_sheet(comparison: Comparison, lang: str) -> pd.DataFrame:
    q = comparison.questions
    follow = pd.to_numeric(q["follow_up_to"], errors="coerce").astype("Int64") \
        if "follow_up_to" in q else pd.Series(pd.NA, index=q.index, dtype="Int64")
    return pd.DataFrame({
        t("report.col.finalist", lang): q["candidate"].to_numpy(),
        t("report.col.fit", lang): [fit_name(f, lang) for f in q["fit"]],
        t("report.col.seq", lang): q["seq"].to_numpy(),
        t("report.col.minute", lang): (q["minute"].to_numpy() if "minute" in q else None),
        t("report.col.follow_up_to", lang): follow.to_numpy(),
        t("report.col.depth", lang): q["depth"].to_numpy(),
        t("report.col.question", lang): q["question"].astype(object).to_numpy(),
    })


def _about_sheet(comparison: Comparison, lang: str, exported: dt.datetime) -> pd.DataFrame:
    rows = [
        (t("report.about.recruitment", lang), comparison.recruitment),
        (t("report.about.exported", lang), datetime_text(exported)),
        (t("report.about.finalists", lang), str(len(comparison.figures))),
    ]
    rows += [(figure_name(name, lang), t(f"report.define.{name}", lang))
             for name in COMPARISON_FIGURES]
    rows += [(figure_name("score_mean", lang), t("report.define.scores", lang)),
             ("", t("report.define.neutral", lang))]
    return pd.DataFrame(rows, columns=[t("report.col.item", lang), t("report.col.value", lang)])


def comparison_workbook(comparison: Comparison, lang: str = "nb",
                        exported: dt.datetime | None = None) -> bytes:
    """The finalists' comparison as an .xlsx for the hiring team.

    Sheets (names in ``lang``): key figures (one row per finalist), fit shares (the radar's
    data), questions grouped by finalist and fit with their follow-up depth (follow-ups
    indented by depth), conditions (the fairness notes) and what the figures mean.

    Parameters
    ----------
    comparison : Comparison
        From `analysis.figures.compare_finalists` (pseudonymised first if names must not show).
    lang : {"nb", "en"}
    exported : datetime, optional
        The time written on the about sheet; default now.
    """
    exported = exported or dt.datetime.now()
    questions_name = t("report.sheet.questions", lang)
    sheets = {
        t("report.sheet.figures", lang): _figures_sheet(comparison, lang),
        t("report.sheet.shares", lang): _shares_sheet(comparison, lang),
        questions_name: _questions_sheet(comparison, lang),
        t("report.sheet.conditions", lang): pd.DataFrame(
            {t("report.col.note", lang): fairness_lines(comparison.fairness, lang)}),
        t("report.sheet.about", lang): _about_sheet(comparison, lang, exported),
    }
    return _indent_follow_ups(workbook_bytes(sheets), questions_name,
                              comparison.questions["depth"].tolist())


def _indent_follow_ups(data: bytes, sheet: str, depths: list[int]) -> bytes:
    """Indent each question cell by its follow-up depth, so chains read as a conversation
    without changing the candidate's words."""
    if not any(depths):
        return data
    from openpyxl import load_workbook
    from openpyxl.styles import Alignment

    wb = load_workbook(io.BytesIO(data))
    ws = wb[sheet[:31]]
    col = ws.max_column  # the question is the last column
    for row, depth in enumerate(depths, start=2):
        if depth:
            ws.cell(row=row, column=col).alignment = Alignment(indent=int(depth) * 2,
                                                               wrap_text=False)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export_comparison(store, recruitment: str, lang: str = "nb",
                      pseudonyms: bool = False) -> bytes:
    """The comparison workbook of ``recruitment`` read from ``store``, checked and audited.

    Uses only the ratings the actor may see (`analysis.store.ratings.visible_ratings`: none of a
    session before all its ratings are in or revealed), and records the export in the audit trail.

    Raises
    ------
    PermissionDenied
        When the actor's role may not export.
    NotFound
        When the recruitment has no sessions.
    """
    from analysis.figures.compare import compare_finalists
    from analysis.store.ratings import visible_ratings

    store.actor.require("export")
    sessions = store.sessions()
    comparison = compare_finalists(recruitment, sessions, store.questions(),
                                   visible_ratings(store))
    if pseudonyms:
        comparison = pseudonymise_comparison(comparison, sessions, lang)
    data = comparison_workbook(comparison, lang)
    _record_export(store, recruitment, len(comparison.figures), pseudonyms)
    return data


def record_comparison_export(store, recruitment: str, pseudonyms: bool = False) -> None:
    """Check that the actor may take the comparison of ``recruitment`` out of the app, and log
    that they did (the page's download button builds the workbook first, then calls this).

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    NotFound
        When the recruitment has no sessions.
    """
    store.actor.require("export")
    sessions = store.sessions()
    finalists = int((sessions["recruitment"] == recruitment).sum())
    if not finalists:
        raise NotFound(f"recruitment {recruitment!r}")
    _record_export(store, recruitment, finalists, pseudonyms)


def _record_export(store, recruitment: str, finalists: int, pseudonyms: bool) -> None:
    from analysis.store.audit import record_export

    record_export(store, "comparison", recruitment, finalists=int(finalists),
                  pseudonyms=bool(pseudonyms))
