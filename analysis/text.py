"""Text hygiene: what becomes of control characters, invisible characters and look-alike names.

Decided once, at import (`analysis.workbook.schema`), and applied again wherever text enters the
store from elsewhere (a rating typed in the app, an account, a sign-in):

- **Control characters** (C0 and C1 except tab, line feed and carriage return; DEL; the
  non-characters U+FFFE/U+FFFF; lone surrogates) are taken out of every text. A vertical tab, a
  form feed or a next-line character is the line break a word processor pasted, so it becomes a
  line feed; the others are dropped. The import warns, with the row and the column, and shows the
  value with the characters made visible (`show_controls`). PostgreSQL refuses NUL in text and
  every XML-based file format (xlsx, docx) refuses most C0 characters, so text in the store never
  holds them.
- **Identifiers** (session ids, recruitments, candidates, managers, raters, user names) are also
  put in Unicode normal form NFKC, lose their format characters (zero-width space and joiners,
  word joiner, byte-order mark, soft hyphen, direction marks) and have every run of white space
  collapsed to one space (`identifier`): ``"Ka\\u200bri"`` and ``"Kari"`` are one rater.
- **Writers** (`export_text`) drop the same characters from anything they write, so an export
  never fails on text a store got before these rules (or from outside the app).
"""
from __future__ import annotations

import re
import unicodedata

__all__ = ["CONTROL", "has_controls", "strip_controls", "show_controls", "identifier",
           "export_text"]

#: The characters no stored text keeps (see the module's docstring).
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff\ud800-\udfff]")
#: Control characters that stood for a line break.
_BREAKS = {"\x0b": "\n", "\x0c": "\n", "\x85": "\n"}
_SPACE = re.compile(r"\s+")


def has_controls(text: str) -> bool:
    """Whether ``text`` holds a character `strip_controls` would change."""
    return CONTROL.search(text) is not None


def strip_controls(text: str) -> str:
    """``text`` without control characters: line-break controls become ``"\\n"``, the rest go.

    Examples
    --------
    >>> strip_controls("Hva\\x0bnå?\\x00")
    'Hva\\nnå?'
    """
    return CONTROL.sub(lambda m: _BREAKS.get(m.group(), ""), text)


def show_controls(text: str) -> str:
    """``text`` with each control character made visible, for a problem report: C0 characters as
    their Unicode control pictures (NUL as "␀", vertical tab as "␋"), the others as ``\\xNN`` or
    ``\\uNNNN``."""
    def visible(match: re.Match) -> str:
        ch = match.group()
        code = ord(ch)
        if code < 0x20:
            return chr(0x2400 + code)
        if code == 0x7F:
            return "\u2421"
        return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
    return CONTROL.sub(visible, text)


def identifier(text: str) -> str:
    """A name or id in the one form the store keeps: NFKC, no control or format (zero-width)
    characters, white space collapsed to single spaces and trimmed.

    Examples
    --------
    >>> identifier("  Ka\\u200bri \\u00a0 Nordmann ")
    'Kari Nordmann'
    """
    if text.isascii():  # the common case: no format characters, NFKC changes nothing
        if CONTROL.search(text):
            text = strip_controls(text)
        return " ".join(text.split())
    if text.isprintable() and "  " not in text and unicodedata.is_normalized("NFKC", text):
        return text.strip()  # no control, format or odd space characters, nothing to normalise
    text = unicodedata.normalize("NFKC", strip_controls(text))
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Cf")
    return _SPACE.sub(" ", text).strip()


def export_text(text: str) -> str:
    """``text`` as every writer (xlsx, docx, pdf, csv) can hold it: without control characters."""
    return strip_controls(text) if CONTROL.search(text) else text
