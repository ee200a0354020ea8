"""The second-interview guide: what the hiring team takes into the second interview with a finalist.

`build_guide` collects the content (questions grouped by fit with their follow-up chains, the fits
not asked about, suggested prompts, the raters' scores once revealed, the finalist's figures next
to the others', the process check); `guide_pdf`, `guide_docx` and `guide_xlsx` render it. The
guide shows what the candidate asked and never grades a question as right or wrong.

About 530 lines, over the ~500 a module aims at: the content and its three writers share one list
of blocks (`guide_blocks`), and the writers are read against it. They can move to a module of
their own once the writers' handling of control characters has settled.
"""
from __future__ import annotations

import io
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import InputError, NotFound
from analysis.figures.compare import compare_finalists
from analysis.figures.process import CheckLine, recruitment_check
from analysis.figures.threads import follow_up_counts, reading_order, with_depth
from analysis.format import (
    MISSING,
    date_text,
    datetime_text,
    fit_name,
    now_text,
    number_text,
    percent_text,
)
from analysis.i18n import t
from analysis.store.audit import record_export
from analysis.store.ratings import (
    handed_in,
    session_states,
    side_by_side,
    visible_ratings,
)
from analysis.text import export_text
from analysis.workbook.schema import FITS, FOUR_FITS, SCORES
from analysis.workbook.writing import workbook_bytes

if TYPE_CHECKING:
    from analysis.store.core import Store

__all__ = ["Guide", "GuideQuestion", "GuideGroup", "build_guide", "guide_blocks", "guide_pdf",
           "guide_docx", "guide_xlsx", "guide_bytes", "guide_file_name", "record_guide_export",
           "export_guide", "FORMATS", "MIME", "DEJAVU_DIR"]

#: Where Debian's fonts-dejavu-core puts the Unicode font the PDF uses (æøå, –, “”).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
FORMATS = ("pdf", "docx", "xlsx")
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
#: Figures of the comparison, with how each is shown.
_FIGURES = (("questions", "int"), ("fits_covered", "int"), ("follow_up_share", "pct"),
            ("max_depth", "int"), ("balance", "dec"), ("minutes", "int"))


@dataclass(frozen=True)
class GuideQuestion:
    """One question in the guide; ``depth`` 0 is a question of its own, 1+ a follow-up."""

    seq: int
    text: str
    depth: int
    fit: str | None
    fit_name: str


@dataclass(frozen=True)
class GuideGroup:
    """The threads whose first question has this fit (None: not labelled yet)."""

    fit: str | None
    fit_name: str
    questions: list[GuideQuestion]


@dataclass
class Guide:
    """The content of one finalist's second-interview guide, in one language.

    ``ratings`` is criteria × raters with the ``spread`` (empty while the ratings are closed);
    ``figures`` is figures × finalists (this finalist first).
    """

    lang: str
    session_id: str
    candidate: str
    recruitment: str
    date: str
    status: str
    groups: list[GuideGroup]
    missing_fits: list[str]
    prompts: list[str]
    ratings_open: bool
    ratings_status: str
    ratings: pd.DataFrame
    notes: list[tuple[str, str]]
    handed_in: list[str]
    figures: pd.DataFrame
    process: list[CheckLine] = field(default_factory=list)
    generated: str = ""

    @property
    def title(self) -> str:
        return t("guide.title", self.lang, candidate=self.candidate)

    @property
    def question_count(self) -> int:
        return sum(len(g.questions) for g in self.groups)


# ------------------------------------------------------------------------------------------------
# Content


def _groups(questions: pd.DataFrame, lang: str) -> list[GuideGroup]:
    if questions.empty:
        return []
    q = with_depth(questions.sort_values("seq").reset_index(drop=True))
    order = reading_order(q)
    # a thread stays together under the fit of its first question
    root_fit = {int(r.seq): (r.fit if pd.notna(r.fit) else None)
                for r in q.itertuples() if int(r.depth) == 0}
    by_fit: dict[str | None, list[GuideQuestion]] = {}
    for i in order:
        row = q.iloc[i]
        fit = row["fit"] if pd.notna(row["fit"]) else None
        group = root_fit.get(int(row["thread"]), fit)
        by_fit.setdefault(group, []).append(GuideQuestion(
            int(row["seq"]), str(row["question"]), int(row["depth"]), fit, fit_name(fit, lang)))
    ordered = [f for f in FITS if f in by_fit] + ([None] if None in by_fit else [])
    return [GuideGroup(f, fit_name(f, lang), by_fit[f]) for f in ordered]


def _prompts(questions: pd.DataFrame, missing: list[str], lang: str) -> list[str]:
    """Open questions for the second interview: how it felt, why each fit, what was not asked."""
    prompts = [t("guide.prompt.experience", lang)]
    if questions.empty:
        return prompts + [t("guide.prompt.no_questions", lang)]
    # how many follow-ups hang under each question (its whole sub-thread), by seq
    size = dict(zip(questions["seq"].astype(int), follow_up_counts(questions).tolist()))
    for fit in FOUR_FITS:
        mine = questions[(questions["fit"] == fit).to_numpy()]
        if mine.empty:
            continue
        # the example: the question they pursued furthest, preferably one of their own
        best = max(mine.itertuples(), key=lambda r: (size.get(int(r.seq), 0),
                                                      pd.isna(r.follow_up_to), -int(r.seq)))
        prompts.append(t("guide.prompt.asked", lang, topic=t(f"guide.topic.{fit}", lang),
                         example=str(best.question)))
    deepest = max(size.items(), key=lambda kv: (kv[1], -kv[0]))
    if deepest[1] >= 2:
        text = questions.loc[questions["seq"] == deepest[0], "question"].iloc[0]
        prompts.append(t("guide.prompt.thread", lang, question=str(text), n=deepest[1]))
    for fit in missing:
        prompts.append(t("guide.prompt.not_asked", lang, topic=t(f"guide.topic.{fit}", lang)))
    prompts.append(t("guide.prompt.why_these", lang))
    return prompts


def _figure_text(value: object, kind: str, lang: str) -> str:
    if kind == "pct":
        return percent_text(value, lang)
    return number_text(value, lang, 0 if kind == "int" else 2)


def _figures(recruitment: str, session_id: str, sessions: pd.DataFrame, questions: pd.DataFrame,
             open_ratings: pd.DataFrame, names: dict[str, str], lang: str) -> pd.DataFrame:
    comparison = compare_finalists(recruitment, sessions, questions, open_ratings)
    table = comparison.figures
    if table.empty:
        return pd.DataFrame()
    ordered = pd.concat([table[table["session_id"] == session_id],
                         table[table["session_id"] != session_id]])
    rows = {}
    for key, kind in _FIGURES:
        rows[t(f"guide.figure.{key}", lang)] = [_figure_text(v, kind, lang)
                                               for v in ordered[key]]
    if comparison.has_scores:
        rows[t("guide.figure.score_mean", lang)] = [
            _figure_text(v, "dec", lang)
            for v in ordered[[f"score_{s}" for s in SCORES]].mean(axis=1)]
    columns = [names.get(sid, sid) for sid in ordered["session_id"]]
    frame = pd.DataFrame(rows, index=columns).T
    frame.index.name = t("guide.figure.heading", lang)
    return frame


def build_guide(store: "Store", session_id: str, lang: str = "nb",
                pseudonyms: bool = False) -> Guide:
    """Collect one finalist's second-interview guide.

    Parameters
    ----------
    store : Store
        Read as its actor: the raters' scores and notes appear only when that actor may see them
        (once the session's ratings are all in or revealed).
    session_id : str
        The session's workbook id.
    lang : {"nb", "en"}
    pseudonyms : bool
        Show finalists as "Finalist A/B/C" (always so for a role that may not read names).

    Raises
    ------
    NotFound
        For an unknown session.
    PermissionDenied
        When the actor may not read questions.
    """
    if lang not in ("nb", "en"):
        raise InputError(f"unknown language {lang!r}; expected nb or en")
    sessions = store.sessions()
    row = sessions[(sessions["session_id"] == session_id).to_numpy()]
    if row.empty:
        raise NotFound(f"session {session_id}")
    row = row.iloc[0]
    recruitment = str(row["recruitment"])
    same = sessions[(sessions["recruitment"] == recruitment).to_numpy()]
    if pseudonyms or not store.actor.can("read_names"):
        from analysis.store.privacy import pseudonym_map

        names = pseudonym_map(same, lang)
    else:
        names = {k: str(c) for k, c in zip(same["session_id"], same["candidate"])}
    questions = store.questions()
    mine = questions[(questions["session_id"] == session_id).to_numpy()]

    covered = set(mine["fit"].dropna())
    missing = [f for f in FOUR_FITS if f not in covered] if row["status"] == "held" else []

    state = session_states(store, session_id).iloc[0]
    visible = visible_ratings(store)
    open_keys = set(session_states(store).query("open")["session_id"])
    open_ratings = visible[visible["session_id"].isin(open_keys).to_numpy()]
    if state["open"]:
        table = side_by_side(visible, session_id)
        roles = dict(zip(visible["rater"], visible["role"]))
        table.columns = [c if c == "spread" else
                         f"{c} ({t(f'role.{roles[c]}', lang)})" if roles.get(c) in (
                             "manager", "observer") else c for c in table.columns]
        table = table.rename(columns={"spread": t("guide.spread", lang)})
        table.index = [t(f"ratings.score.{s}", lang) for s in table.index]
        table.index.name = t("guide.criterion", lang)
        notes = [(str(r.rater), str(r.note)) for r in visible[
            (visible["session_id"] == session_id).to_numpy()].itertuples()
            if isinstance(r.note, str) and r.note.strip()]
        status = t("guide.ratings_open" if state["complete"] else "guide.ratings_revealed", lang,
                   n=int(state["handed_in"]), required=int(state["required_raters"]))
    else:
        table, notes = pd.DataFrame(), []
        status = t("guide.ratings_closed", lang, n=int(state["handed_in"]),
                   required=int(state["required_raters"]))
    who = handed_in(store, session_id)
    handed = [t("guide.handed_in_line", lang, rater=r.rater,
                role=t(f"role.{r.role}", lang) if r.role in ("manager", "observer") else MISSING,
                when=datetime_text(r.submitted)) for r in who.itertuples()]

    return Guide(
        lang=lang, session_id=session_id, candidate=names.get(session_id, session_id),
        recruitment=recruitment, date=date_text(row["date"]),
        status=t(f"status.{row['status']}", lang) if row["status"] in ("held", "declined")
        else str(row["status"]),
        groups=_groups(mine, lang),
        missing_fits=missing,
        prompts=_prompts(mine, missing, lang) if row["status"] == "held" else [
            t("guide.prompt.declined", lang)],
        ratings_open=bool(state["open"]), ratings_status=status, ratings=table, notes=notes,
        handed_in=handed,
        figures=_figures(recruitment, session_id, same, questions, open_ratings, names, lang),
        process=recruitment_check(store, recruitment),
        generated=now_text(),
    )


# ------------------------------------------------------------------------------------------------
# Rendering: the guide as a list of blocks that the PDF and Word writers both walk


def _table_rows(frame: pd.DataFrame) -> list[list[str]]:
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    rows = [header]
    for label, values in frame.iterrows():
        rows.append([str(label)] + [v if isinstance(v, str) else number_text(v, digits=0)
                                    for v in values])
    return rows


def guide_blocks(guide: Guide) -> list[tuple]:
    """The guide in reading order as ``(kind, ...)`` blocks: ``("title", text)``,
    ``("heading", text)``, ``("text", text)``, ``("item", text, indent)`` and
    ``("table", rows)`` with the header as the first row."""
    lang = guide.lang
    b: list[tuple] = [
        ("title", guide.title),
        ("text", t("guide.subtitle", lang, recruitment=guide.recruitment, date=guide.date,
                   status=guide.status, session=guide.session_id)),
        ("text", t("guide.intro", lang)),
        ("heading", t("guide.section.prompts", lang)),
        *[("item", p, 0) for p in guide.prompts],
        ("heading", t("guide.section.questions", lang, n=guide.question_count)),
    ]
    if not guide.groups:
        b.append(("text", t("guide.no_questions", lang)))
    for group in guide.groups:
        b.append(("subheading", f"{group.fit_name} ({len(group.questions)})"))
        for q in group.questions:
            other = f" [{q.fit_name}]" if q.fit != group.fit else ""
            prefix = "↳ " if q.depth else ""
            b.append(("item", f"{prefix}{q.seq}. {q.text}{other}", q.depth))
    b.append(("heading", t("guide.section.missing", lang)))
    if guide.missing_fits:
        b += [("item", fit_name(f, lang), 0) for f in guide.missing_fits]
    else:
        b.append(("text", t("guide.all_fits" if guide.groups else "guide.no_questions", lang)))
    b.append(("heading", t("guide.section.ratings", lang)))
    b.append(("text", guide.ratings_status))
    if guide.ratings_open and not guide.ratings.empty:
        b.append(("table", _table_rows(guide.ratings)))
        for rater, note in guide.notes:
            b.append(("item", f"{rater}: {note}", 0))
    elif guide.handed_in:
        b += [("item", line, 0) for line in guide.handed_in]
    b.append(("heading", t("guide.section.figures", lang)))
    if guide.figures.empty:
        b.append(("text", t("guide.no_figures", lang)))
    else:
        b.append(("table", _table_rows(guide.figures)))
    b.append(("heading", t("guide.section.process", lang)))
    b += [("item", f"{line.status_text(lang)} – {line.rule_text(lang)}: {line.text(lang)}", 0)
          for line in guide.process]
    b.append(("small", t("guide.footer", lang, when=guide.generated)))
    return b


# Characters the PDF core fonts (latin-1) lack, and what to print instead.
_ASCII = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                        "…": "...", "•": "-", "↳": ">", "«": '"', "»": '"', "\u00a0": " "})


def _writable(blocks: list[tuple]) -> list[tuple]:
    """The blocks with every text as a file can hold it (`analysis.text.export_text`): python-docx
    refuses control characters, and a store may hold text from before the import dropped them."""
    def clean(value: object) -> object:
        if isinstance(value, str):
            return export_text(value)
        if isinstance(value, list):
            return [clean(v) for v in value]
        return value
    return [tuple(clean(part) for part in block) for block in blocks]


def _latin1(text: str) -> str:
    return text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


def guide_pdf(guide: Guide, font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The guide as a PDF (fpdf2). With DejaVu Sans in ``font_dir`` every character renders;
    without it the core Helvetica is used and typographic dashes and quotes become ASCII."""
    from fpdf import FPDF
    from fpdf.fonts import FontFace

    regular = font_dir / "DejaVuSans.ttf" if font_dir else None
    bold = font_dir / "DejaVuSans-Bold.ttf" if font_dir else None
    pdf = FPDF(format="A4")
    title = export_text(guide.title)
    pdf.set_title(_latin1(title) if not (regular and regular.exists()) else title)
    pdf.set_creator("Omvendt")
    if regular is not None and regular.exists():
        pdf.add_font("DejaVu", "", str(regular))
        pdf.add_font("DejaVu", "B", str(bold if bold and bold.exists() else regular))
        family, clean = "DejaVu", (lambda s: s)
    else:
        family, clean = "Helvetica", _latin1
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    width = pdf.w - pdf.l_margin - pdf.r_margin
    sizes = {"title": (16, "B", 9), "heading": (13, "B", 7), "subheading": (11, "B", 6),
             "text": (10, "", 5), "item": (10, "", 5), "small": (8, "", 4)}
    for block in _writable(guide_blocks(guide)):
        kind = block[0]
        if kind == "table":
            pdf.set_font(family, "", 8)
            pdf.ln(1)
            with pdf.table(width=width, text_align="LEFT", line_height=4.5,
                           headings_style=FontFace(emphasis="BOLD")) as table:
                for cells in block[1]:
                    row = table.row()
                    for cell in cells:
                        row.cell(clean(cell))
            pdf.ln(2)
            continue
        size, style, height = sizes[kind]
        pdf.set_font(family, style, size)
        if kind in ("heading", "subheading"):
            pdf.ln(3 if kind == "heading" else 1)
        indent = 6 * (block[2] if kind == "item" else 0)
        pdf.set_x(pdf.l_margin + indent)
        text = f"• {block[1]}" if kind == "item" and not block[2] else block[1]
        pdf.multi_cell(width - indent, height, clean(text), align="L", new_x="LMARGIN",
                       new_y="NEXT")
    return bytes(pdf.output())


def guide_docx(guide: Guide) -> bytes:
    """The guide as a Word document (python-docx)."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = export_text(guide.title)
    for block in _writable(guide_blocks(guide)):
        kind = block[0]
        if kind == "title":
            doc.add_heading(block[1], level=0)
        elif kind == "heading":
            doc.add_heading(block[1], level=1)
        elif kind == "subheading":
            doc.add_heading(block[1], level=2)
        elif kind == "item":
            para = doc.add_paragraph(block[1], style="List Bullet")
            para.paragraph_format.left_indent = Cm(0.63 + 0.8 * block[2])
        elif kind == "table":
            rows = block[1]
            table = doc.add_table(rows=len(rows), cols=len(rows[0]))
            table.style = "Table Grid"
            for i, cells in enumerate(rows):
                for j, value in enumerate(cells):
                    table.cell(i, j).text = value
                    if i == 0:
                        for run in table.cell(i, j).paragraphs[0].runs:
                            run.bold = True
        else:
            para = doc.add_paragraph(block[1])
            if kind == "small":
                for run in para.runs:
                    run.font.size = Pt(8)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def guide_xlsx(guide: Guide) -> bytes:
    """The guide as an Excel workbook: one sheet per section (text neutralised for Excel)."""
    lang = guide.lang
    questions = pd.DataFrame(
        [(g.fit_name, q.seq, q.depth, "    " * q.depth + q.text, q.fit_name)
         for g in guide.groups for q in g.questions],
        columns=[t("guide.col.group", lang), t("guide.col.seq", lang), t("guide.col.depth", lang),
                 t("guide.col.question", lang), t("guide.col.fit", lang)])
    about = pd.DataFrame({
        t("guide.col.item", lang): [t("guide.col.candidate", lang),
                                    t("guide.col.recruitment", lang), t("guide.col.date", lang),
                                    t("guide.col.status", lang),
                                    t("guide.section.missing", lang),
                                    t("guide.section.ratings", lang)],
        t("guide.col.value", lang): [guide.candidate, guide.recruitment, guide.date,
                                     guide.status,
                                     ", ".join(fit_name(f, lang) for f in guide.missing_fits)
                                     or MISSING, guide.ratings_status],
    })
    sheets = {
        t("guide.sheet.about", lang): about,
        t("guide.section.prompts", lang): pd.DataFrame({t("guide.col.prompt", lang):
                                                        guide.prompts}),
        t("guide.sheet.questions", lang): questions,
    }
    if guide.ratings_open and not guide.ratings.empty:
        ratings = guide.ratings.reset_index()
        sheets[t("guide.sheet.ratings", lang)] = ratings
        if guide.notes:
            sheets[t("guide.sheet.notes", lang)] = pd.DataFrame(
                guide.notes, columns=[t("guide.col.rater", lang), t("guide.col.note", lang)])
    if not guide.figures.empty:
        sheets[t("guide.sheet.figures", lang)] = guide.figures.reset_index()
    sheets[t("guide.sheet.process", lang)] = pd.DataFrame(
        [(line.rule_text(lang), line.status_text(lang), line.text(lang))
         for line in guide.process],
        columns=[t("guide.col.rule", lang), t("guide.col.status", lang),
                 t("guide.col.reason", lang)])
    return workbook_bytes(sheets)


def guide_bytes(guide: Guide, fmt: str) -> bytes:
    """The guide rendered as ``fmt`` (one of `FORMATS`).

    Raises
    ------
    InputError
        For a format not in `FORMATS`.
    """
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    return {"pdf": guide_pdf, "docx": guide_docx, "xlsx": guide_xlsx}[fmt](guide)


def guide_file_name(session_id: str, fmt: str, lang: str) -> str:
    """A file name for the guide that is safe on every system."""
    safe = "".join(c if c.isalnum() or c in "-_" else "_" for c in session_id)
    return f"guide_{safe}_{lang}.{fmt}"


def record_guide_export(store: "Store", session_id: str, fmt: str, lang: str = "nb",
                        pseudonyms: bool = False) -> None:
    """Check that the actor may take the guide out of the app, and log that they did.

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    InputError
        For a format not in `FORMATS` or an unknown language.
    NotFound
        For an unknown session.
    """
    from analysis.i18n import LANGUAGES

    store.actor.require("export")
    if fmt not in FORMATS or lang not in LANGUAGES:
        raise InputError(f"unknown format {fmt!r} or language {lang!r}")
    session_states(store, session_id)  # raises NotFound for an unknown session
    record_export(store, "guide", session_id, format=fmt, lang=lang, pseudonyms=bool(pseudonyms))


def export_guide(store: "Store", session_id: str, fmt: str, lang: str = "nb",
                 pseudonyms: bool = False) -> tuple[bytes, str, str]:
    """The guide as a file: ``(data, file name, MIME type)``; recorded in the audit log because
    it takes personal data out of the app.

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    InputError
        For a format not in `FORMATS`.
    NotFound
        For an unknown session.
    """
    store.actor.require("export")
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; expected one of {FORMATS}")
    data = guide_bytes(build_guide(store, session_id, lang, pseudonyms), fmt)
    record_guide_export(store, session_id, fmt, lang, pseudonyms)
    return data, guide_file_name(session_id, fmt, lang), MIME[fmt]
