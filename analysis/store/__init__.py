"""The store: SQLAlchemy models, `Store` (imports, reads, corrections), accounts and roles,
ratings that stay blind until complete, the audit trail and privacy (erasure, retention)."""
from analysis.store.core import ImportResult, Labeller, Store, with_effective_fit

__all__ = ["Store", "ImportResult", "Labeller", "with_effective_fit"]
