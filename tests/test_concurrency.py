"""Two users importing and correcting at the same time against PostgreSQL lose nothing."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from analysis.store.auth import Actor
from analysis.store.core import Store
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes
from tests.conftest import FixedLabeller, minimal_sheets

pytestmark = pytest.mark.postgres

ROUNDS = 4


def _workbook(prefix: str, recruitment: str) -> Upload:
    """The minimal workbook with its own session keys, in ``recruitment``."""
    sheets = minimal_sheets()
    for name in ("Økter", "Spørsmål", "Vurderinger"):
        sheets[name]["økt_id"] = prefix + sheets[name]["økt_id"]
    sheets["Tilbakemelding"]["økt_id"] = sheets["Tilbakemelding"]["økt_id"].map(
        lambda v: prefix + v if isinstance(v, str) else v)
    sheets["Tilbakemelding"]["kommentar"] = [f"{prefix} a", f"{prefix} b"]
    for name in ("Økter", "Tilbakemelding"):
        sheets[name]["rekruttering"] = recruitment
    return Upload(f"{prefix}.xlsx", workbook_bytes(sheets))


def _run_together(*jobs) -> list[BaseException]:
    """Run the jobs in threads released at the same moment; return what they raised."""
    barrier = threading.Barrier(len(jobs))
    errors: list[BaseException] = []

    def wrap(job):
        try:
            barrier.wait(timeout=30)
            job()
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)

    threads = [threading.Thread(target=wrap, args=(job,)) for job in jobs]
    for th in threads:
        th.start()
    for th in threads:
        th.join(timeout=120)
    return errors


@pytest.fixture
def pg_url(store_url):
    assert store_url.startswith("postgresql")
    return store_url


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_concurrent_imports_into_the_same_new_recruitment_lose_nothing(pg_url):
    alice = Store(pg_url, Actor("alice", "recruiter"))
    bob = Store(pg_url, Actor("bob", "recruiter"))
    for r in range(ROUNDS):
        recruitment = f"Avdelingsleder {r}"  # new to the store: both imports create it
        errors = _run_together(
            lambda: alice.import_upload(_workbook(f"a{r}-", recruitment), FixedLabeller()),
            lambda: bob.import_upload(_workbook(f"b{r}-", recruitment), FixedLabeller()))
        assert not errors, errors
    counts = alice.summary()
    assert counts == {"recruitments": ROUNDS, "sessions": 4 * ROUNDS, "questions": 6 * ROUNDS,
                      "ratings": 4 * ROUNDS, "feedback": 4 * ROUNDS}
    log = alice.import_log()
    assert sorted(log["user"]) == ["alice"] * ROUNDS + ["bob"] * ROUNDS


@pytest.mark.parametrize("store_url", ["postgresql"], indirect=True)
def test_concurrent_corrections_and_imports_lose_nothing(pg_url):
    admin = Store(pg_url)
    admin.import_upload(_workbook("base-", "Driftssjef"), FixedLabeller())
    questions = admin.questions()
    ids = [int(i) for i in questions["id"]]
    alice = admin.as_actor(Actor("alice", "recruiter"))
    bob = admin.as_actor(Actor("bob", "recruiter"))

    def correct_all(store, fit):
        for qid in ids:
            store.correct(qid, fit)

    def import_more(store, prefix):
        store.import_upload(_workbook(prefix, "Driftssjef"), FixedLabeller())

    errors = _run_together(lambda: correct_all(alice, "group"),
                           lambda: correct_all(bob, "supervisor"),
                           lambda: import_more(alice, "x-"), lambda: import_more(bob, "y-"))
    assert not errors, errors
    corrections = admin.corrections()
    # one correction per question (the later one wins), none lost, none duplicated
    assert len(corrections) == len(ids)
    assert set(corrections["fit"]) <= {"group", "supervisor"}
    fits = admin.questions().set_index("id").loc[ids]
    assert (fits["fit_source"] == "correction").all()
    assert admin.summary()["sessions"] == 6
    audit = admin.frame(text("select actor, action from audit_event"))
    assert (audit["action"] == "correct_label").sum() == 2 * len(ids)
    assert (audit["action"] == "import").sum() == 3
