"""Hostile text for tests (issue 10): workbooks whose cells hold what openpyxl cannot write (NUL and
other control characters, written as Excel's ``_xHHHH_`` escapes), over-long fields, markup and
zero-width characters."""
from __future__ import annotations

import io
import re
import zipfile

import pandas as pd

from analysis.workbook.writing import workbook_bytes
from tests.conftest import minimal_sheets

#: Markers in cell text that `escaped_workbook` turns into Excel's escape of a control character.
CONTROL_MARKERS = {"{NUL}": "_x0000_", "{VT}": "_x000B_", "{ESC}": "_x001B_", "{BEL}": "_x0007_"}

#: What `hostile_sheets` puts in the cells: markdown and HTML that must render as text, a remote
#: image (the issue's `![n](http://127.0.0.1:9911/x.png)`), zero-width and bidi characters.
MARKUP = ["![n](http://127.0.0.1:9911/x.png)", "<img src=x onerror=alert(1)>",
          "[klikk](javascript:alert(1))", "**fet** _kursiv_ `kode`", "# Overskrift", "$x^2$",
          "<script>alert(1)</script>", "| a | b |\n|---|---|", "=HYPERLINK(\"http://x\")"]
ZERO_WIDTH = "Ka\u200bri\u200d \u2060Nord\ufeffmann\u200e"


def escaped_workbook(sheets: dict[str, pd.DataFrame]) -> bytes:
    """``workbook_bytes(sheets)`` with every `CONTROL_MARKERS` marker replaced by its escape in the
    worksheet XML, as Excel writes a control character a user pasted into a cell."""
    data = workbook_bytes(sheets)
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            part = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                for marker, escape in CONTROL_MARKERS.items():
                    part = part.replace(marker.encode(), escape.encode())
            dst.writestr(info, part)
    return out.getvalue()


def hostile_sheets() -> dict[str, pd.DataFrame]:
    """The minimal workbook with hostile text in every free-text and name field that the import
    accepts (control characters, markup, zero-width characters), and lengths right at the
    database's limits."""
    sheets = minimal_sheets()
    s = sheets["Økter"]
    s["rekruttering"] = "Driftssjef {VT}Bergen <b>" + "x" * 250  # 276 after cleaning
    s.loc[0, "kandidat"] = ZERO_WIDTH + " ![n](http://127.0.0.1:9911/x.png)"
    s.loc[1, "kandidat"] = "**Ola** <i>Hansen</i>{NUL}" + "y" * 250
    s["leder"] = "Per {ESC}[31mLeder"
    s.loc[0, "økt_id"] = "A1" + "\u200b"  # the same session as A1 for the questions and ratings
    q = sheets["Spørsmål"]
    q["spørsmål"] = ["Hvorfor{VT}er stillingen ledig?{NUL} " + MARKUP[0],
                     "Hva skjedde {BEL}med forgjengeren? " + " ".join(MARKUP[1:5]),
                     " ".join(MARKUP[5:]) + " " + "lang tekst " * 500]
    r = sheets["Vurderinger"]
    r["vurderer"] = ["Per {ESC}Leder", "Olga\u200b Observatør"]
    r["notat"] = ["Notat{NUL} med ![n](http://127.0.0.1:9911/x.png)", "<script>x</script>{VT}"]
    f = sheets["Tilbakemelding"]
    f["rekruttering"] = s["rekruttering"].iloc[0]
    f["kommentar"] = ["Takk{VT}! " + MARKUP[1], "Kari Nordmann var flink {NUL}" + MARKUP[2]]
    return sheets


def visible(text: str) -> str:
    """``text`` with the markers removed, for comparing what was stored."""
    return re.sub(r"\{(NUL|VT|ESC|BEL)\}", "", text)
