"""Who is acting, and what their role allows. Every store function asks `Actor.require`."""
from __future__ import annotations

from dataclasses import dataclass

from analysis.errors import PermissionDenied

ROLES = ("admin", "recruiter", "rater", "viewer")

#: What each role may do. ``admin`` may do everything, including the admin-only actions
#: ``accounts`` (accounts, roles, assignments), ``erase``, ``retention``, ``access_request``
#: (export all held about one candidate) and ``audit`` (read the audit trail).
PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({"*"}),
    "recruiter": frozenset({
        "read", "read_names", "read_questions", "read_notes", "import", "correct", "retrain",
        "reveal", "export", "rate", "plan", "configure_recruitment",
    }),
    "rater": frozenset({"read", "read_names", "read_questions", "rate"}),
    "viewer": frozenset({"read", "read_names", "read_questions"}),
}


#: Every permission there is: what the roles list, plus the admin-only ones.
KNOWN_PERMISSIONS: frozenset[str] = frozenset().union(
    *(p for p in PERMISSIONS.values() if "*" not in p),
    {"accounts", "erase", "retention", "access_request", "audit"})


@dataclass(frozen=True)
class Actor:
    """The person behind a call: a user name and a role (see `ROLES`)."""

    name: str
    role: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"unknown role {self.role!r}; expected one of {ROLES}")

    def can(self, action: str) -> bool:
        allowed = PERMISSIONS[self.role]
        return "*" in allowed or action in allowed

    def require(self, action: str) -> None:
        """Raise `PermissionDenied` unless the role allows ``action``."""
        if not self.can(action):
            raise PermissionDenied(action, self.role)


#: The single user of local mode (``make run`` on localhost, the command line).
LOCAL = Actor("local", "admin")
