"""The translation table: every user-visible string, in Norwegian bokmål and English.

Strings live in ``analysis/locale/*.toml``, one file per area of the product, each entry a table
with an ``nb`` and an ``en`` value. Placeholders use ``str.format`` names.
"""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
_LOCALE_DIR = Path(__file__).parent / "locale"


@cache
def table() -> dict[str, dict[str, str]]:
    """All entries of all locale files, keyed by translation key.

    Raises
    ------
    ValueError
        When a key is defined twice or lacks one of the languages.
    """
    merged: dict[str, dict[str, str]] = {}
    for path in sorted(_LOCALE_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            entries = tomllib.load(fh)
        for key, entry in _flatten(entries):
            if key in merged:
                raise ValueError(f"translation key {key!r} defined twice ({path.name})")
            missing = [lang for lang in LANGUAGES if not isinstance(entry.get(lang), str)]
            if missing:
                raise ValueError(f"translation key {key!r} in {path.name} lacks {missing}")
            merged[key] = entry
    return merged


def _flatten(entries: dict, prefix: str = ""):
    for key, value in entries.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and not any(lang in value for lang in LANGUAGES):
            yield from _flatten(value, f"{full}.")
        else:
            yield full, value


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``key`` into ``lang`` and fill in ``params``.

    Examples
    --------
    >>> t("fit.job", "en")
    'Person–Job'
    """
    text = table()[key][lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """Whether ``key`` is in the table."""
    return key in table()
