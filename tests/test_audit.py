"""The audit trail is written by the store's own actions only: no role can forge an event through
the public API (issue 10, defect 10)."""
from __future__ import annotations

import inspect

import pytest
from sqlalchemy import func, select

import analysis
from analysis import record_comparison_export, record_guide_export, refused
from analysis.errors import InputError, NotFound, PermissionDenied
from analysis.store.auth import ROLES, Actor
from analysis.store.core import Store
from analysis.store.models import AuditEvent


def _events(store: Store) -> list[tuple[str, str, str | None]]:
    with store.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.target)
            .order_by(AuditEvent.id))]


def test_the_store_has_no_public_way_to_write_an_arbitrary_event():
    assert not hasattr(Store, "audit_event")
    public = [name for name, _ in inspect.getmembers(Store, inspect.isfunction)
              if not name.startswith("_")]
    for name in public:
        params = inspect.signature(getattr(Store, name)).parameters
        assert "action" not in params, f"Store.{name} takes an action name"
    # nor does any function of the public API that writes (audit_log's ``action`` is a filter)
    for name, module in analysis._API.items():
        if module.startswith("analysis.model."):
            continue  # the fit model writes nothing to the store
        value = getattr(analysis, name)
        if callable(value) and name != "audit_log" and not inspect.isclass(value):
            try:
                params = inspect.signature(value).parameters
            except (TypeError, ValueError):
                continue
            assert "action" not in params, f"analysis.{name} takes an action name"


@pytest.mark.parametrize("role", ROLES)
def test_no_role_can_forge_an_erasure_or_a_refusal(sqlite_store, make_upload, labeller, role):
    sqlite_store.import_upload(make_upload(), labeller)
    actor = sqlite_store.as_actor(Actor(f"x-{role}", role))
    before = _events(sqlite_store)
    # a refusal of something the role may do is not a refusal: refused, nothing written
    with pytest.raises(InputError):
        refused(actor, "read")
    # an unknown permission (an attempt to smuggle in another action name) is refused too
    with pytest.raises(InputError, match="unknown permission"):
        refused(actor, "erase\nforged")
    assert _events(sqlite_store) == before
    if role != "admin":
        refused(actor, "erase")  # a real refusal of the actor's own is recorded, as itself
        assert _events(sqlite_store)[-1] == (f"x-{role}", "refused", None)
    assert not [e for e in _events(sqlite_store) if e[1] == "erase"]


def test_export_records_need_the_export_permission_and_a_real_target(sqlite_store, make_upload,
                                                                      labeller):
    sqlite_store.import_upload(make_upload(), labeller)
    viewer = sqlite_store.as_actor(Actor("vic", "viewer"))
    before = _events(sqlite_store)
    with pytest.raises(PermissionDenied):
        record_comparison_export(viewer, "Driftssjef Bergen")
    with pytest.raises(PermissionDenied):
        record_guide_export(viewer, "A1", "pdf")
    recruiter = sqlite_store.as_actor(Actor("rita", "recruiter"))
    with pytest.raises(NotFound):
        record_comparison_export(recruiter, "No such recruitment")
    with pytest.raises(NotFound):
        record_guide_export(recruiter, "NOPE", "pdf")
    with pytest.raises(InputError):
        record_guide_export(recruiter, "A1", "exe")
    assert _events(sqlite_store) == before
    record_comparison_export(recruiter, "Driftssjef Bergen", pseudonyms=True)
    record_guide_export(recruiter, "A1", "docx", "en")
    assert _events(sqlite_store)[-2:] == [("rita", "export", "Driftssjef Bergen"),
                                          ("rita", "export_guide", "A1")]


def test_an_over_long_target_is_cut_to_the_column(sqlite_store, make_upload, labeller):
    sqlite_store.import_upload(make_upload(name="x" * 600 + ".xlsx"), labeller)
    with sqlite_store.engine.connect() as conn:
        longest = conn.scalar(select(func.max(func.length(AuditEvent.target))))
    assert longest == 300
