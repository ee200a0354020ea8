"""The second-interview guide as files: the blocks the screen and every file are made of
(`guide_blocks`), and the PDF (fpdf2), Word (python-docx) and Excel writers. Every writer takes
the text as a file can hold it (`analysis.text.export_text`).
"""
from __future__ import annotations

import io
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from analysis.errors import InputError
from analysis.format import MISSING, fit_name, number_text
from analysis.i18n import t
from analysis.reports.pdf import DEJAVU_DIR, ReportPDF
from analysis.text import export_text
from analysis.workbook.writing import workbook_bytes

if TYPE_CHECKING:
    from analysis.reports.guide import Guide

__all__ = ["DEJAVU_DIR", "FORMATS", "MIME", "guide_blocks", "guide_pdf", "guide_docx",
           "guide_xlsx", "guide_bytes", "guide_file_name"]

FORMATS = ("pdf", "docx", "xlsx")
MIME = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _table_rows(frame: pd.DataFrame) -> list[list[str]]:
    header = [frame.index.name or ""] + [str(c) for c in frame.columns]
    rows = [header]
    for label, values in frame.iterrows():
        rows.append([str(label)] + [v if isinstance(v, str) else number_text(v, digits=0)
                                    for v in values])
    return rows


def guide_blocks(guide: "Guide", notes: bool = False) -> list[tuple]:
    """The guide in reading order as ``(kind, ...)`` blocks: ``("title", text)``,
    ``("heading", text)``, ``("text", text)``, ``("item", text, indent)`` and
    ``("table", rows)`` with the header as the first row.

    With ``notes`` (the printed files) every prompt is followed by ``("notes", label)``: room
    for the interviewer to write the answer, as a printed interview guide has."""
    lang = guide.lang
    prompts: list[tuple] = []
    for prompt in guide.prompts:
        prompts.append(("item", prompt, 0))
        if notes:
            prompts.append(("notes", t("guide.notes", lang)))
    b: list[tuple] = [
        ("title", guide.title),
        ("text", t("guide.subtitle", lang, recruitment=guide.recruitment, date=guide.date,
                   status=guide.status, session=guide.session_id)),
        ("text", t("guide.intro", lang)),
        ("heading", t("guide.section.prompts", lang)),
        *prompts,
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


#: Ruled lines under each prompt in the PDF, and empty lines in the Word file's notes box.
NOTE_LINES = 4


def guide_pdf(guide: "Guide", font_dir: Path | None = DEJAVU_DIR) -> bytes:
    """The guide as a PDF (`analysis.reports.pdf.ReportPDF`): with DejaVu Sans in ``font_dir``
    every character renders; without it the core Helvetica is used and typographic dashes and
    quotes become ASCII. Each prompt has ruled lines under it for the interviewer's notes."""
    lang = guide.lang
    pdf = ReportPDF(guide.title, lang, font_dir, footer_note=t("report.pdf.personal", lang))
    pdf.add_page()
    sizes = {"title": (16, "B", 8), "heading": (13, "B", 7), "subheading": (11, "B", 6),
             "text": (10, "", 5), "item": (10, "", 5), "small": (8, "", 4)}
    bullet = "• " if pdf.unicode else "- "
    blocks = _writable(guide_blocks(guide, notes=True))
    for i, block in enumerate(blocks):
        kind = block[0]
        if kind == "table":
            pdf.grid(block[1], align=["LEFT"] + ["RIGHT"] * (len(block[1][0]) - 1), size=8)
        elif kind == "notes":
            pdf.notes_box(block[1], lines=NOTE_LINES, indent=4)
            pdf.ln(2)
        elif kind in ("heading", "subheading"):
            if kind == "heading":
                pdf.heading(block[1])
            else:
                pdf.keep(20)
                pdf.ln(1)
                pdf.paragraph(block[1], *sizes[kind])
        else:
            size, style, height = sizes[kind]
            indent = 6 * (block[2] if kind == "item" else 0)
            text = f"{bullet}{block[1]}" if kind == "item" and not block[2] else block[1]
            if i + 1 < len(blocks) and blocks[i + 1][0] == "notes":
                # a prompt and the room for its answer stay on one page
                pdf.keep(height * pdf.lines_needed(text, pdf.width - indent, size)
                         + 9 + NOTE_LINES * 8)
            pdf.paragraph(text, size, style, height, indent)
    return pdf.to_bytes()


def guide_docx(guide: "Guide") -> bytes:
    """The guide as a Word document (python-docx); under each prompt a bordered box labelled
    "Notater"/"Notes" with empty lines for the interviewer's notes."""
    from docx import Document
    from docx.shared import Cm, Pt, RGBColor

    doc = Document()
    doc.core_properties.title = export_text(guide.title)[:255]  # Word's limit for a property
    for block in _writable(guide_blocks(guide, notes=True)):
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
        elif kind == "notes":
            box = doc.add_table(rows=1, cols=1)
            box.style = "Table Grid"
            cell = box.cell(0, 0)
            label = cell.paragraphs[0].add_run(block[1])
            label.font.size = Pt(8)
            label.font.color.rgb = RGBColor(0x6E, 0x6E, 0x6E)
            for _ in range(NOTE_LINES):
                cell.add_paragraph("")
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


def guide_xlsx(guide: "Guide") -> bytes:
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
        t("guide.section.prompts", lang): pd.DataFrame({  # a column to type the answers in
            t("guide.col.prompt", lang): guide.prompts,
            t("guide.notes", lang): [""] * len(guide.prompts)}),
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


def guide_bytes(guide: "Guide", fmt: str) -> bytes:
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
