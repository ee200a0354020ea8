"""Commands for trust: the first admin, erasure, retention, access requests and the audit trail.

They run on the server as the local admin (whoever may run commands there may read the store).
"""
from __future__ import annotations

import getpass
import sys
from pathlib import Path

from analysis.cli.common import open_store
from analysis.errors import TrustError


def cmd_create_admin(args) -> int:
    from analysis.store.accounts import create_first_admin

    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Repeat password: ") != password:
            raise TrustError("passwords_differ")
    create_first_admin(open_store(args), args.username, password)
    print(f"Created admin account {args.username}")
    return 0


def cmd_erase(args) -> int:
    from analysis.store.privacy import erase_candidate

    counts = erase_candidate(open_store(args), args.session_id)
    print(f"Erased the candidate of session {args.session_id}: "
          + ", ".join(f"{k} {v}" for k, v in counts.items()))
    return 0


def cmd_retention(args) -> int:
    from analysis.store.privacy import apply_retention, retention_due, retention_months

    store = open_store(args)
    months = args.months if args.months is not None else retention_months(store)
    due = retention_due(store, months)
    if due.empty:
        print(f"Nothing is past retention ({months} months).")
        return 0
    for row in due.itertuples():
        print(f"{row.session_id}\t{row.recruitment}\tlast date {row.last_date}\tdue {row.due}")
    if not args.apply:
        print(f"{len(due)} session(s) past retention ({months} months); "
              "run with --apply to erase them.")
        return 0
    erased = apply_retention(store, months)
    print(f"Erased {len(erased)} session(s).")
    return 0


def cmd_access_export(args) -> int:
    from analysis.store.privacy import access_export

    data = access_export(open_store(args), args.session_id)
    Path(args.out).write_bytes(data)
    print(f"Wrote {args.out}")
    return 0


def cmd_audit(args) -> int:
    from analysis.store.audit import audit_export, audit_log

    store = open_store(args)
    if args.csv:
        Path(args.csv).write_bytes(audit_export(store, "csv"))
        print(f"Wrote {args.csv}")
        return 0
    frame = audit_log(store, limit=args.limit)
    for row in frame.itertuples():
        detail = ", ".join(f"{k}={v}" for k, v in (row.detail or {}).items())
        print(f"{row.at:%Y-%m-%d %H:%M:%S}\t{row.actor}\t{row.role}\t{row.action}\t"
              f"{row.target or ''}\t{detail}")
    return 0


def register(add) -> None:
    """Add the trust commands to the parser (see `analysis.cli.build_parser`)."""
    p = add("create-admin", cmd_create_admin, "create the first admin account for team mode")
    p.add_argument("username")
    p.add_argument("--password-stdin", action="store_true",
                   help="read the password from the first line of standard input")
    p = add("erase", cmd_erase, "erase a candidate's personal data (figures stay)")
    p.add_argument("session_id")
    p = add("retention", cmd_retention, "list (or --apply: erase) what is past retention")
    p.add_argument("--apply", action="store_true")
    p.add_argument("--months", type=int, default=None,
                   help="retention period (default: the store's setting, else 6)")
    p = add("access-export", cmd_access_export,
            "export everything held about one candidate (session id or name) as .xlsx")
    p.add_argument("session_id")
    p.add_argument("-o", "--out", required=True)
    p = add("audit", cmd_audit, "print the audit trail, newest first, or export it as CSV")
    p.add_argument("--csv", default=None, metavar="OUT")
    p.add_argument("--limit", type=int, default=50)
