"""The translation table: every user-visible string, in Norwegian bokmål and English.

Strings live in ``analysis/locale/*.toml``, one file per area of the product, each entry a table
with an ``nb`` and an ``en`` value. Placeholders use ``str.format`` names.

A string that holds a count has plural forms instead of "økt(er)": its value in each language is
a table with ``one`` and ``other`` (``nb = { one = "{n} økt", other = "{n} økter" }``), and the
count passed as ``n`` picks the form (``t(key, lang, n=3)``). Bokmål and English both use ``one``
for exactly 1 and ``other`` for everything else (0 included).
"""
from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path

LANGUAGES = ("nb", "en")
DEFAULT_LANGUAGE = "nb"
#: The plural forms an entry may have (CLDR's names; bokmål and English need only these two).
PLURAL_FORMS = ("one", "other")
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
            missing = [lang for lang in LANGUAGES if not _is_text(entry.get(lang))]
            if missing:
                raise ValueError(f"translation key {key!r} in {path.name} lacks {missing}")
            merged[key] = entry
    return merged


def _is_text(value: object) -> bool:
    """A plain string, or plural forms: a table with string values ``one`` and ``other``."""
    if isinstance(value, dict):
        return set(value) == set(PLURAL_FORMS) and all(isinstance(v, str) for v in value.values())
    return isinstance(value, str)


def plural_form(n: object) -> str:
    """The plural form a count takes in bokmål and English: ``one`` for exactly 1, else ``other``.

    Examples
    --------
    >>> plural_form(1), plural_form(0), plural_form(2.5)
    ('one', 'other', 'other')
    """
    try:
        return "one" if float(n) == 1 else "other"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "other"


def _flatten(entries: dict, prefix: str = ""):
    for key, value in entries.items():
        full = f"{prefix}{key}"
        if isinstance(value, dict) and not any(lang in value for lang in LANGUAGES):
            yield from _flatten(value, f"{full}.")
        else:
            yield full, value


def t(key: str, lang: str = DEFAULT_LANGUAGE, /, **params: object) -> str:
    """Translate ``key`` into ``lang`` and fill in ``params``; for an entry with plural forms the
    count ``n`` picks the form (see `plural_form`).

    Raises
    ------
    KeyError
        When ``key`` is not in the table, or has plural forms and no ``n`` is given.

    Examples
    --------
    >>> t("fit.job", "en")
    'Person–Job'
    >>> t("trust.admin.erased_n", "nb", n=1), t("trust.admin.erased_n", "nb", n=2)
    ('1 økt er slettet.', '2 økter er slettet.')
    """
    text = table()[key][lang if lang in LANGUAGES else DEFAULT_LANGUAGE]
    if isinstance(text, dict):
        if "n" not in params:
            raise KeyError(f"translation key {key!r} has plural forms: pass n=")
        text = text[plural_form(params["n"])]
    return text.format(**params) if params else text


def has(key: str) -> bool:
    """Whether ``key`` is in the table."""
    return key in table()
