"""The audit trail: who did what and when, append-only, readable and exportable by admins.

The store writes events for imports, label corrections and retraining; this module adds refused
access (`guard`), and the trust features add sign-ins, exports, erasures and reveals. Only these
actions of the library write events: there is no public function that writes an arbitrary one. An event
says *that* something happened to a target (a session key, a file name, a user name) and counts,
never the personal data involved.
"""
from __future__ import annotations

import pandas as pd
from sqlalchemy import select

from analysis.errors import InputError, PermissionDenied, TrustError
from analysis.store.auth import KNOWN_PERMISSIONS
from analysis.store.models import AuditEvent

COLUMNS = ["at", "actor", "role", "action", "target", "detail"]


def guard(store, permission: str) -> None:
    """`Actor.require` that also writes a ``refused`` audit event when the role says no.

    Raises
    ------
    PermissionDenied
        When the actor's role does not allow ``permission``.
    """
    try:
        store.actor.require(permission)
    except PermissionDenied:
        refused(store, permission)
        raise


def refused(store, permission: str) -> None:
    """Record that the actor was refused ``permission`` (a page or a store call).

    Only a true refusal is recorded: the permission must exist and the actor's role must lack it,
    so nobody can write an event about anything else through this door.

    Raises
    ------
    InputError
        For an unknown permission, or one the actor's role has.
    """
    if permission not in KNOWN_PERMISSIONS:
        raise InputError(f"unknown permission {permission!r}")
    if store.actor.can(permission):
        raise InputError(f"role {store.actor.role!r} has permission {permission!r}")
    store._record("refused", None, permission=permission)


#: What the library takes out of the app for someone, and the action its audit event records.
EXPORT_ACTIONS = {"comparison": "export", "guide": "export_guide"}


def record_export(store, kind: str, target: str, **detail: bool | int | str) -> None:
    """Record that the actor took personal data out of the app: the comparison workbook of a
    recruitment (``kind="comparison"``) or a finalist's guide (``"guide"``).

    The store-side half of `record_comparison_export` and `record_guide_export`, which check
    the target first; the event's action follows from ``kind``, never from the caller.

    Raises
    ------
    PermissionDenied
        Without permission ``export``.
    InputError
        For a kind not in `EXPORT_ACTIONS`, or a detail that is not a plain value.
    """
    store.actor.require("export")
    if kind not in EXPORT_ACTIONS:
        raise InputError(f"unknown export {kind!r}; expected one of {list(EXPORT_ACTIONS)}")
    if any(not isinstance(value, (bool, int, str)) for value in detail.values()):
        raise InputError("an export's details are plain values")
    if EXPORT_ACTIONS[kind] == "export":  # one action for several exports: say which
        detail = {"kind": kind, **detail}
    store._record(EXPORT_ACTIONS[kind], target, **detail)


def audit_log(store, action: str | None = None, limit: int | None = None) -> pd.DataFrame:
    """The audit trail, newest first (admin only).

    Parameters
    ----------
    action : str, optional
        Only events of this action (e.g. ``"erase"``).
    limit : int, optional
        At most this many events.
    """
    guard(store, "audit")
    stmt = select(AuditEvent.at, AuditEvent.actor, AuditEvent.role, AuditEvent.action,
                  AuditEvent.target, AuditEvent.detail).order_by(AuditEvent.id.desc())
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if limit:
        stmt = stmt.limit(int(limit))
    frame = store.frame(stmt)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    return frame


def audit_export(store, fmt: str = "xlsx") -> bytes:
    """The whole audit trail as an .xlsx or a CSV, formula-safe (admin only); the export itself
    is audited."""
    from analysis.workbook.writing import safe_csv, workbook_bytes

    if fmt not in ("xlsx", "csv"):
        raise TrustError("bad_format", fmt=fmt)
    frame = audit_log(store)
    frame = frame.assign(detail=frame["detail"].map(_detail_text))
    store._record("export", "audit", format=fmt, rows=len(frame))
    if fmt == "csv":
        return safe_csv(frame)
    return workbook_bytes({"audit": frame})


def _detail_text(detail: object) -> str:
    if not detail:
        return ""
    if isinstance(detail, dict):
        return "; ".join(f"{k}={v}" for k, v in detail.items())
    return str(detail)
