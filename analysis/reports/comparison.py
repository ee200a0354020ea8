"""Reports for people: the finalists' comparison as a workbook (.xlsx) and as a PDF for the hiring
team to print, and the translated words around the figures (figure names, fairness notes, overview
headlines) that the pages share.

Every sheet goes through `analysis.workbook.writing.workbook_bytes`, which neutralises text a
spreadsheet would run as a formula; the PDF goes through `analysis.reports.pdf.ReportPDF`, which
prints user text as text. The candidates' names and questions are user text.
"""
from __future__ import annotations

import datetime as dt
import io
from dataclasses import replace

import pandas as pd

from pathlib import Path

from analysis.errors import InputError, NotFound
from analysis.figures.compare import COMPARISON_FIGURES, Comparison
from analysis.format import (
    MISSING,
    datetime_text,
    finalist_names,
    fit_name,
    number_text,
    percent_text,
)
from analysis.i18n import t
from analysis.reports.pdf import DEJAVU_DIR, GREY, SHADE, ReportPDF
from analysis.workbook.schema import FITS, FOUR_FITS, SCORES
from analysis.workbook.writing import workbook_bytes

#: Figures shown as percentages (they are shares 0–1 in `analysis.figures`).
_PERCENT = {"follow_up_share"}

#: The files the comparison is written as, and their MIME types.
COMPARISON_FORMATS = ("xlsx", "pdf")
COMPARISON_MIME = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}
#: One colour per finalist, on the Compare page's bars and in the PDF's: not the fits' colours
#: (the fits are the rows there).
FINALIST_COLOURS = ["#1F4E79", "#B5651D", "#555555", "#6A3D9A", "#2E7D6B", "#8C6D1F"]


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


def _about_sheet(comparison: Comparison, lang: str, exported: dt.datetime,
                 declined: list[str]) -> pd.DataFrame:
    rows = [
        (t("report.about.recruitment", lang), comparison.recruitment),
        (t("report.about.exported", lang), datetime_text(exported)),
        (t("report.about.finalists", lang), str(len(comparison.figures))),
        (t("report.about.declined", lang), ", ".join(declined) or MISSING),
    ]
    rows += [(figure_name(name, lang), t(f"report.define.{name}", lang))
             for name in COMPARISON_FIGURES]
    rows += [(figure_name("score_mean", lang), t("report.define.scores", lang)),
             ("", t("report.define.neutral", lang))]
    return pd.DataFrame(rows, columns=[t("report.col.item", lang), t("report.col.value", lang)])


def comparison_workbook(comparison: Comparison, lang: str = "nb",
                        exported: dt.datetime | None = None,
                        declined: list[str] | tuple[str, ...] = ()) -> bytes:
    """The finalists' comparison as an .xlsx for the hiring team.

    Sheets (names in ``lang``): key figures (one row per finalist), fit shares (the bars'
    data), questions grouped by finalist and fit with their follow-up depth (follow-ups
    indented by depth), conditions (the fairness notes) and what the figures mean (with the
    finalists who declined).

    Parameters
    ----------
    comparison : Comparison
        From `analysis.figures.compare_finalists` (pseudonymised first if names must not show).
    lang : {"nb", "en"}
    exported : datetime, optional
        The time written on the about sheet; default now.
    declined : list of str
        The display names of the recruitment's finalists who declined (`declined_names`).
    """
    exported = exported or dt.datetime.now()
    questions_name = t("report.sheet.questions", lang)
    sheets = {
        t("report.sheet.figures", lang): _figures_sheet(comparison, lang),
        t("report.sheet.shares", lang): _shares_sheet(comparison, lang),
        questions_name: _questions_sheet(comparison, lang),
        t("report.sheet.conditions", lang): pd.DataFrame(
            {t("report.col.note", lang): fairness_lines(comparison.fairness, lang)}),
        t("report.sheet.about", lang): _about_sheet(comparison, lang, exported,
                                                    list(declined)),
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


# ------------------------------------------------------------------------------------------------
# The comparison as a PDF


def declined_names(sessions: pd.DataFrame, recruitment: str, lang: str = "nb",
                   pseudonyms: bool = False) -> list[str]:
    """The display names of ``recruitment``'s finalists who declined the reverse interview (as
    "Finalist B" with ``pseudonyms``): they are part of the recruitment, shown as declined."""
    mine = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    gone = mine[(mine["status"] == "declined").to_numpy()]
    if gone.empty:
        return []
    if pseudonyms:
        from analysis.store.privacy import pseudonymise

        gone = pseudonymise(gone, sessions, lang)
    return finalist_names(gone[["session_id", "candidate", "recruitment"]]).tolist()


def _figure_text(name: str, value: object, lang: str) -> str:
    """A key figure as the Compare page writes it."""
    if name in _PERCENT:
        return percent_text(value, lang)
    if name == "balance":
        return number_text(value, lang, 2)
    if name == "minutes":
        return number_text(value, lang, 1, whole=True)
    if name.startswith("score_"):
        return number_text(value, lang, 1)
    return number_text(value, lang, 0)


def _rgb(colour: str) -> tuple[int, int, int]:
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))  # type: ignore[return-value]


def comparison_pdf(comparison: Comparison, lang: str = "nb",
                   exported: dt.datetime | None = None,
                   declined: list[str] | tuple[str, ...] = (),
                   font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The finalists' comparison as a PDF for the hiring team to print: the workbook's content.

    Page 1 onwards: the title, recruitment and date; how to read it (Omvendt shows coverage,
    depth and what the raters saw, and never grades a question); the finalists who declined;
    the key figures side by side (the raters' means only as far as they are visible, "–" for
    a session whose ratings are still blind); the four fits' shares as bars per fit; the
    conditions; every finalist's questions by fit, follow-ups indented by depth; and what the
    figures mean. Numbers are written for ``lang`` ("45 %", "0,76" in Norwegian).

    Parameters
    ----------
    comparison : Comparison
        From `analysis.figures.compare_finalists` (pseudonymised first if names must not show).
    lang : {"nb", "en"}
    exported : datetime, optional
        The time printed under the title; default now.
    declined : list of str
        The display names of the finalists who declined (`declined_names`).
    font_dir : Path, optional
        Where DejaVu Sans is (see `analysis.reports.pdf.ReportPDF`).
    """
    exported = exported or dt.datetime.now()
    figures = comparison.figures
    names = finalist_names(figures.assign(recruitment=comparison.recruitment)).tolist()
    name_of = dict(zip(figures["session_id"], names))
    title = t("report.pdf.title", lang)
    pdf = ReportPDF(f"{title}: {comparison.recruitment}", lang, font_dir,
                    footer_note=t("report.pdf.personal", lang))
    pdf.add_page()

    # -- title, recruitment, date, and how to read it
    pdf.paragraph(title, size=16, style="B", height=8)
    pdf.paragraph(comparison.recruitment, size=12, style="B", height=6)
    pdf.paragraph(f"{t('report.pdf.made', lang)} {datetime_text(exported)} · "
                  f"{t('report.pdf.finalists', lang, n=len(figures))}", size=9, height=5,
                  colour=GREY)
    pdf.ln(3)
    pdf.set_fill_color(*SHADE)
    pdf.set_font(pdf.family, "", 9)
    pdf.multi_cell(pdf.width, 4.6, pdf.clean(t("report.pdf.caveat", lang)), fill=True,
                   padding=2.5, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_fill_color(255, 255, 255)
    if declined:
        pdf.ln(2)
        pdf.paragraph(t("report.pdf.declined", lang, names=", ".join(declined)), size=10)

    # -- key figures, finalists side by side
    pdf.heading(t("report.sheet.figures", lang))
    scores = [c for c in [*(f"score_{s}" for s in SCORES), "score_mean"]
              if c in figures] if comparison.has_scores else []
    rows = [[t("report.pdf.figure", lang), *names]]
    for name in [*COMPARISON_FIGURES, *scores]:
        rows.append([figure_name(name, lang),
                     *(_figure_text(name, v, lang) for v in figures[name])])
    first = 2.2 if len(names) <= 3 else 1.6
    pdf.grid(rows, widths=[first] + [1] * len(names),
             align=["LEFT"] + ["RIGHT"] * len(names))
    if not scores:
        pdf.paragraph(t("report.pdf.no_scores", lang), size=8, height=4, colour=GREY)
    elif figures[scores].isna().any().any():
        pdf.paragraph(t("report.pdf.scores_closed", lang), size=8, height=4, colour=GREY)
    pdf.paragraph(t("report.define.neutral", lang), size=8, height=4, colour=GREY)

    # -- the fit shares as bars, per fit
    pdf.heading(t("report.pdf.shares", lang))
    pdf.paragraph(t("report.pdf.shares_note", lang), size=8, height=4, colour=GREY)
    pdf.ln(1)
    shares = comparison.shares
    label_w, pct_w = 55.0, 16.0
    bar_w = pdf.width - label_w - pct_w - 4
    row_h = 5.5
    for fit in FOUR_FITS:
        pdf.keep(7 + row_h * len(shares) + 3)
        pdf.paragraph(fit_name(fit, lang), size=10, style="B", height=6)
        for i, (sid, share) in enumerate(shares[fit].items()):
            y = pdf.get_y()
            pdf.set_font(pdf.family, "", 9)
            label = pdf.clean(name_of.get(sid, shares.loc[sid, "candidate"]))
            pdf.set_x(pdf.l_margin + 3)
            pdf.cell(label_w - 3, row_h, pdf.fit_line(label, label_w - 5))
            pdf.bar(pdf.l_margin + label_w, y + 1, bar_w, row_h - 2, share,
                    _rgb(FINALIST_COLOURS[i % len(FINALIST_COLOURS)]))
            pdf.set_xy(pdf.l_margin + label_w + bar_w + 2, y)
            pdf.cell(pct_w, row_h, pdf.clean(percent_text(share, lang)), align="R")
            pdf.set_xy(pdf.l_margin, y + row_h)
        pdf.ln(2)

    # -- the conditions
    pdf.heading(t("report.pdf.conditions", lang))
    bullet = "• " if pdf.unicode else "- "
    for line in fairness_lines(comparison.fairness, lang):
        pdf.paragraph(bullet + line, size=10)

    # -- the questions by finalist and fit, follow-ups indented by depth
    pdf.heading(t("report.pdf.questions", lang))
    pdf.paragraph(t("report.pdf.follow_up_key", lang), size=8, height=4, colour=GREY)
    questions = comparison.questions
    for sid, name in name_of.items():
        mine = questions[(questions["session_id"] == sid).to_numpy()]
        pdf.keep(30)
        pdf.ln(2)
        pdf.paragraph(f"{name} · {t('report.pdf.n_questions', lang, n=len(mine))}", size=11,
                      style="B", height=6)
        if mine.empty:
            pdf.paragraph(t("guide.no_questions", lang), size=9, colour=GREY)
        for fit in (*FITS, None):
            part = mine[mine["fit"].isna().to_numpy()] if fit is None else \
                mine[(mine["fit"] == fit).to_numpy()]
            if part.empty:
                continue
            pdf.keep(16)
            pdf.paragraph(f"{fit_name(fit, lang)} ({len(part)})", size=9.5, style="B",
                          height=5.5, indent=2)
            for q in part.itertuples():
                depth = int(q.depth)
                text = f"{'↳ ' if depth and pdf.unicode else ''}{int(q.seq)}. {q.question}"
                follows = pd.to_numeric(getattr(q, "follow_up_to", None), errors="coerce")
                if depth and pd.notna(follows):
                    text += " " + t("report.pdf.follow_up", lang, seq=int(follows))
                pdf.paragraph(text, size=9, height=4.6, indent=5 + 6 * depth)

    # -- what the figures mean
    pdf.heading(t("report.sheet.about", lang))
    about = [[t("report.col.item", lang), t("report.col.value", lang)]]
    about += [[figure_name(name, lang), t(f"report.define.{name}", lang)]
              for name in COMPARISON_FIGURES]
    about.append([figure_name("score_mean", lang), t("report.define.scores", lang)])
    pdf.grid(about, widths=[1, 2.6], size=8.5)
    pdf.paragraph(t("report.define.neutral", lang), size=9)
    return pdf.to_bytes()


def comparison_bytes(comparison: Comparison, fmt: str, lang: str = "nb",
                     declined: list[str] | tuple[str, ...] = (),
                     exported: dt.datetime | None = None) -> bytes:
    """The comparison written as ``fmt`` (one of `COMPARISON_FORMATS`).

    Raises
    ------
    InputError
        For a format not in `COMPARISON_FORMATS`.
    """
    if fmt not in COMPARISON_FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {COMPARISON_FORMATS}")
    write = comparison_pdf if fmt == "pdf" else comparison_workbook
    return write(comparison, lang, exported=exported, declined=declined)


def export_comparison(store, recruitment: str, lang: str = "nb",
                      pseudonyms: bool = False, fmt: str = "xlsx") -> bytes:
    """The comparison of ``recruitment`` read from ``store`` as ``fmt`` (.xlsx or .pdf), checked
    and audited.

    Uses only the ratings the actor may see (`analysis.store.ratings.visible_ratings`: none of a
    session before all its ratings are in or revealed), names the finalists who declined, and
    records the export in the audit trail.

    Raises
    ------
    PermissionDenied
        When the actor's role may not export.
    NotFound
        When the recruitment has no sessions.
    InputError
        For a format not in `COMPARISON_FORMATS`.
    """
    from analysis.figures.compare import compare_finalists
    from analysis.store.ratings import visible_ratings

    store.actor.require("export")
    if fmt not in COMPARISON_FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {COMPARISON_FORMATS}")
    sessions = store.sessions()
    comparison = compare_finalists(recruitment, sessions, store.questions(),
                                   visible_ratings(store))
    if pseudonyms:
        comparison = pseudonymise_comparison(comparison, sessions, lang)
    data = comparison_bytes(comparison, fmt, lang,
                            declined=declined_names(sessions, recruitment, lang, pseudonyms))
    _record_export(store, recruitment, len(comparison.figures), pseudonyms, fmt)
    return data


def record_comparison_export(store, recruitment: str, pseudonyms: bool = False,
                             fmt: str = "xlsx") -> None:
    """Check that the actor may take the comparison of ``recruitment`` out of the app, and log
    that they did (the page's download buttons build the file first, then call this).

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    NotFound
        When the recruitment has no sessions.
    InputError
        For a format not in `COMPARISON_FORMATS`.
    """
    store.actor.require("export")
    if fmt not in COMPARISON_FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {COMPARISON_FORMATS}")
    sessions = store.sessions()
    finalists = int((sessions["recruitment"] == recruitment).sum())
    if not finalists:
        raise NotFound(f"recruitment {recruitment!r}")
    _record_export(store, recruitment, finalists, pseudonyms, fmt)


def _record_export(store, recruitment: str, finalists: int, pseudonyms: bool,
                   fmt: str) -> None:
    from analysis.store.audit import record_export

    record_export(store, "comparison", recruitment, finalists=int(finalists),
                  pseudonyms=bool(pseudonyms), format=fmt)
