"""The PDF set-up every printed report shares (fpdf2): the second-interview guide and the
finalists' comparison.

`ReportPDF` is an A4 page with a Unicode font (DejaVu Sans from Debian's fonts-dejavu-core, so
æøå, en dashes and typographic quotes print), a running head from page 2, and a footer with the
personal-data note and "Side 2 av 5". Every text it writes is user text until shown otherwise
(names, questions, notes): `ReportPDF.clean` drops control characters (`export_text`) and puts
a visible box in place of a character the font has no glyph for (an emoji), so nothing a user
typed can break the file or vanish without trace. Markdown and HTML are never interpreted.
"""
from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from pathlib import Path

from fpdf import FPDF

from analysis.i18n import t
from analysis.text import export_text

__all__ = ["DEJAVU_DIR", "ReportPDF"]

#: Where Debian's fonts-dejavu-core puts the Unicode font the PDF uses (æøå, –, “”).
DEJAVU_DIR = Path("/usr/share/fonts/truetype/dejavu")

#: What a character the font cannot draw becomes (WHITE SQUARE, which DejaVu Sans has).
MISSING_GLYPH = "\u25a1"
# Characters that are invisible or only modify the one before them (zero-width and direction
# marks, joiners, variation selectors, emoji skin tones, combining marks): without a glyph they
# are left out rather than drawn as a square of their own.
_SILENT = {"Cf", "Mn", "Me", "Sk"}

# Characters the PDF core fonts (latin-1) lack, and what to print instead.
_ASCII = str.maketrans({"–": "-", "—": "-", "“": '"', "”": '"', "„": '"', "‘": "'", "’": "'",
                        "…": "...", "•": "-", "↳": ">", "«": '"', "»": '"', "\u00a0": " ",
                        "\u2212": "-", "·": "-", MISSING_GLYPH: "?", "■": "#"})

#: The most characters a table cell shows (see `ReportPDF.grid`).
CELL_CHARACTERS = 160

GREY = (110, 110, 110)
RULE = (175, 175, 175)
SHADE = (242, 242, 242)
TEXT = (0, 0, 0)


def latin1(text: str) -> str:
    """``text`` as the core Helvetica can print it: dashes and quotes as ASCII, the rest of what
    latin-1 lacks as "?"."""
    return text.translate(_ASCII).encode("latin-1", "replace").decode("latin-1")


class ReportPDF(FPDF):
    """An A4 report page in the house style.

    Parameters
    ----------
    title : str
        The document's title (user text: it may hold a name); in the PDF's properties and the
        running head from page 2.
    lang : {"nb", "en"}
        The language of the footer's page numbers and note.
    font_dir : Path, optional
        Where DejaVuSans.ttf and DejaVuSans-Bold.ttf are. Without them the core Helvetica is
        used and typographic dashes and quotes become ASCII (`latin1`).
    footer_note : str
        A short line at the foot of every page (e.g. that the file holds personal data).
    """

    def __init__(self, title: str, lang: str = "nb", font_dir: Path | None = DEJAVU_DIR,
                 footer_note: str = "") -> None:
        super().__init__(format="A4")
        self._glyphs: set[int] | None = None
        regular = font_dir / "DejaVuSans.ttf" if font_dir else None
        bold = font_dir / "DejaVuSans-Bold.ttf" if font_dir else None
        self.unicode = regular is not None and regular.exists()
        if self.unicode:
            self.add_font("DejaVu", "", str(regular))
            self.add_font("DejaVu", "B", str(bold if bold and bold.exists() else regular))
            self.family = "DejaVu"
        else:
            self.family = "Helvetica"
        self.report_lang = lang
        self.report_title = self.clean(title)
        self.footer_note = self.clean(footer_note)
        self.set_title(self.report_title)
        self.set_creator("Omvendt")
        self.set_lang("nb-NO" if lang == "nb" else "en-GB")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.alias_nb_pages()

    # -- text ---------------------------------------------------------------------------------
    def clean(self, text: object) -> str:
        """``text`` as this PDF can print it: no control characters, and a square for each
        character (or emoji sequence) the font has no glyph for."""
        text = export_text(str(text))
        if not self.unicode:
            return latin1(text)
        glyphs = self._font_glyphs()
        if all(ord(c) in glyphs for c in text):
            return text
        out: list[str] = []
        for c in text:
            if ord(c) in glyphs or c in "\n\t":
                out.append(c)
            elif unicodedata.category(c) in _SILENT:
                continue
            else:
                out.append(MISSING_GLYPH)
        return "".join(out)

    def _font_glyphs(self) -> set[int]:
        if self._glyphs is None:
            font = self.fonts["dejavu"]
            self._glyphs = set(font.cmap) if hasattr(font, "cmap") else set()
        return self._glyphs

    def fit_line(self, text: str, width: float) -> str:
        """``text`` (already clean) cut with "…" to fit ``width`` mm in the current font."""
        if self.get_string_width(text) <= width:
            return text
        ellipsis = "…" if self.unicode else "..."
        lo, hi = 0, len(text)
        while lo < hi:  # the longest prefix that fits with the ellipsis
            mid = (lo + hi + 1) // 2
            if self.get_string_width(text[:mid] + ellipsis) <= width:
                lo = mid
            else:
                hi = mid - 1
        return text[:lo].rstrip() + ellipsis

    def clip(self, text: str, longest: int) -> str:
        """``text`` (already clean) cut to ``longest`` characters with "…"."""
        if len(text) <= longest:
            return text
        return text[:longest - 1].rstrip() + ("…" if self.unicode else "...")

    @property
    def width(self) -> float:
        """The width between the margins, in mm."""
        return self.w - self.l_margin - self.r_margin

    def room(self) -> float:
        """The height left on this page above the bottom margin, in mm."""
        return self.page_break_trigger - self.get_y()

    def keep(self, height: float) -> None:
        """Start a new page unless ``height`` mm still fit on this one."""
        if self.room() < height:
            self.add_page()

    # -- blocks -------------------------------------------------------------------------------
    def paragraph(self, text: str, size: float = 10, style: str = "", height: float = 5,
                  indent: float = 0, colour: tuple[int, int, int] = TEXT) -> None:
        """A wrapped paragraph of (user) text; long words are broken, nothing is interpreted."""
        self.set_font(self.family, style, size)
        self.set_text_color(*colour)
        self.set_x(self.l_margin + indent)
        self.multi_cell(self.width - indent, height, self.clean(text), align="L",
                        new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*TEXT)

    def lines_needed(self, text: str, width: float, size: float = 10, style: str = "") -> int:
        """How many lines ``text`` takes in ``width`` mm."""
        self.set_font(self.family, style, size)
        return len(self.multi_cell(width, 5, self.clean(text), dry_run=True, output="LINES"))

    def heading(self, text: str, size: float = 13, space: float = 3) -> None:
        """A section heading, kept with at least a few lines of what follows."""
        self.keep(size * 0.6 + 20)
        self.ln(space)
        self.paragraph(text, size=size, style="B", height=size * 0.55)
        self.ln(1)

    def grid(self, rows: Sequence[Sequence[str]], widths: Sequence[float] | None = None,
             align: Sequence[str] | None = None, size: float = 9,
             longest: int = CELL_CHARACTERS) -> None:
        """A bordered table with the first row as its shaded, bold heading (repeated when the
        table runs onto a new page). ``widths`` are relative column widths; ``align`` is
        "LEFT", "RIGHT" or "CENTER" per column (for the body; the heading is left-aligned).

        A row cannot break across pages, so a cell shows at most ``longest`` characters
        (`clip`): the rest of a very long name or note would push the row off the page."""
        from fpdf.fonts import FontFace

        self.set_font(self.family, "", size)
        self.set_fill_color(255, 255, 255)  # the body's cells are white, whatever came before
        self.ln(1)
        with self.table(width=self.width, col_widths=tuple(widths) if widths else None,
                        text_align="LEFT", line_height=4.6, padding=1.2,
                        headings_style=FontFace(emphasis="BOLD", fill_color=SHADE),
                        repeat_headings=1) as table:
            for r, cells in enumerate(rows):
                row = table.row()
                for c, cell in enumerate(cells):
                    row.cell(self.clip(self.clean(cell), longest),
                             align=align[c] if align and r else "LEFT")
        self.ln(2)

    def notes_box(self, label: str, lines: int = 4, spacing: float = 8,
                  indent: float = 0) -> None:
        """Room to write by hand: ``label`` in small grey type and ``lines`` ruled lines, kept
        on one page."""
        height = 5 + lines * spacing + 2
        self.keep(height)
        x = self.l_margin + indent
        self.set_font(self.family, "", 8)
        self.set_text_color(*GREY)
        self.set_xy(x, self.get_y() + 1)
        self.cell(self.width - indent, 4, self.clean(label), new_x="LMARGIN", new_y="NEXT")
        self.set_text_color(*TEXT)
        self.set_draw_color(*RULE)
        self.set_line_width(0.2)
        y = self.get_y()
        for i in range(1, lines + 1):
            self.line(x, y + i * spacing, self.l_margin + self.width, y + i * spacing)
        self.set_draw_color(0, 0, 0)
        self.set_y(y + lines * spacing + 2)

    def bar(self, x: float, y: float, width: float, height: float, share: float,
            colour: tuple[int, int, int]) -> None:
        """A horizontal bar: ``share`` (0–1) of ``width`` filled, on a light track."""
        self.set_fill_color(*SHADE)
        self.rect(x, y, width, height, style="F")
        share = min(max(float(share), 0.0), 1.0) if share == share else 0.0
        if share > 0:
            self.set_fill_color(*colour)
            self.rect(x, y, width * share, height, style="F")
        self.set_fill_color(255, 255, 255)

    # -- every page ---------------------------------------------------------------------------
    def header(self) -> None:
        if self.page_no() == 1:
            return
        self.set_font(self.family, "", 8)
        self.set_text_color(*GREY)
        self.set_y(8)
        self.cell(self.width, 4, self.fit_line(self.report_title, self.width),
                  new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(*RULE)
        self.line(self.l_margin, 12.5, self.l_margin + self.width, 12.5)
        self.set_draw_color(0, 0, 0)
        self.set_text_color(*TEXT)
        self.set_y(15)

    def footer(self) -> None:
        self.set_y(-12)
        self.set_font(self.family, "", 7.5)
        self.set_text_color(*GREY)
        page = self.clean(t("report.pdf.page", self.report_lang, page=self.page_no(), pages="{nb}"))
        page_width = self.get_string_width(page.replace("{nb}", "99")) + 2
        if self.footer_note:
            self.cell(self.width - page_width, 4,
                      self.fit_line(self.footer_note, self.width - page_width - 2))
        self.set_x(self.l_margin + self.width - page_width)
        self.cell(page_width, 4, page, align="R")
        self.set_text_color(*TEXT)

    def to_bytes(self) -> bytes:
        """The finished file."""
        return bytes(self.output())

