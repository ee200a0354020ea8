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
from analysis.text import export_text
from analysis.workbook.writing import workbook_bytes

if TYPE_CHECKING:
    from analysis.reports.guide import Guide

__all__ = ["DEJAVU_DIR", "FORMATS", "MIME", "guide_blocks", "guide_pdf", "guide_docx",
           "guide_xlsx", "guide_bytes", "guide_file_name"]

#: Where Debian's fonts-dejavu-core puts the Unicode font the PDF uses (æøå, –, “”).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")
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


def guide_blocks(guide: "Guide") -> list[tuple]:
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


def guide_pdf(guide: "Guide", font_dir: Path | None = DEJAVU_DIR) -> bytes:
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


def guide_docx(guide: "Guide") -> bytes:
    """The guide as a Word document (python-docx)."""
    from docx import Document
    from docx.shared import Cm, Pt

    doc = Document()
    doc.core_properties.title = export_text(guide.title)[:255]  # Word's limit for a property
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
