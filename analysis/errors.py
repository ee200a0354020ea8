"""The exceptions `analysis` raises; pages catch these and render them, never a traceback."""
from __future__ import annotations


class OmvendtError(Exception):
    """Base class of every expected failure (bad input, refused access, bad model file)."""


class WorkbookError(OmvendtError):
    """A workbook cannot be imported. ``problems`` lists every problem found (see `Problem`)."""

    def __init__(self, problems: list, message: str | None = None) -> None:
        self.problems = list(problems)
        super().__init__(message or f"{len(self.problems)} problem(s) in the workbook")


class FileRejected(OmvendtError):
    """A file is refused before it is parsed (not a workbook, too big, encrypted, a zip bomb...).

    ``code`` is a translation key (``problem.<code>``) and ``params`` its placeholders.
    """

    def __init__(self, code: str, file: str = "", **params: object) -> None:
        self.code = code
        self.file = file
        self.params = params
        super().__init__(f"{file}: {code} {params}".strip())


class ModelFileError(OmvendtError):
    """A saved model file is untrusted, tampered with or made by other library versions."""


class PermissionDenied(OmvendtError):
    """The signed-in user's role does not allow this action."""

    def __init__(self, action: str, role: str) -> None:
        self.action = action
        self.role = role
        super().__init__(f"role '{role}' may not '{action}'")


class NotFound(OmvendtError):
    """A session, recruitment or question that does not exist in the store."""


class InputError(OmvendtError):
    """Bad input to a function or command (missing column, unreadable file, bad value)."""


class TrustError(InputError):
    """Bad input to an account, retention or audit function. ``code`` is a translation key
    (``trust.error.<code>``); the exception's text is the English message (for the CLI)."""

    def __init__(self, code: str, **params: object) -> None:
        from analysis.i18n import t

        self.code = code
        self.params = params
        super().__init__(t(f"trust.error.{code}", "en", **params))
