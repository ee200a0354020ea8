"""Shared fixtures: stores on SQLite and on a throwaway PostgreSQL server, workbook builders."""
from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import tempfile
from glob import glob
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from analysis.store.core import Store
from analysis.workbook.reading import Upload
from analysis.workbook.writing import workbook_bytes

ROOT = Path(__file__).resolve().parent.parent


class FixedLabeller:
    """A stand-in model for store tests: labels every question ``job`` with confidence 0.5."""

    version = "fixed-test"

    def label(self, texts):
        return np.array(["job"] * len(texts), dtype=object), np.full(len(texts), 0.5)


@pytest.fixture
def labeller():
    return FixedLabeller()


def app_store_for(tmp_path: Path, monkeypatch, model: Path | None = None) -> Store:
    """An empty SQLite store where the app (AppTest) finds it, through the environment, and
    error details shown in full (tests read the real exception; production hides it)."""
    from streamlit import config as st_config

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    monkeypatch.setenv("OMVENDT_MODEL_PATH", str(model or tmp_path / "no-model.npz"))
    st_config.set_option("client.showErrorDetails", "full")
    return Store(url)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Argon2 at its cheapest for the tests: a hash at the production parameters (argon2-cffi's
    defaults, unchanged in `analysis.store.accounts`) takes about 50 ms and 64 MiB, and account
    tests make hundreds. What is hashed, and how it is checked, stays the same."""
    from argon2 import PasswordHasher

    from analysis.store import accounts

    cheap = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
    saved = accounts._HASHER, accounts._DUMMY_HASH
    accounts._HASHER, accounts._DUMMY_HASH = cheap, cheap.hash("omvendt-no-such-account")
    yield
    accounts._HASHER, accounts._DUMMY_HASH = saved


_ESCAPED = re.compile(r"\\([!-/:-@\[-`{-~])")


def rendered(markdown: str) -> str:
    """What a reader sees of Markdown the app wrote with user text in it (AppTest reports the
    source): backslash escapes gone, hard line breaks as newlines, no invisible word joiners."""
    return _ESCAPED.sub(r"\1", markdown.replace("  \n", "\n").replace("\u2060", ""))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _pg_bin() -> Path | None:
    found = sorted(glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


@pytest.fixture(scope="session")
def postgres_url():
    """A PostgreSQL server started for this test run from the machine's binaries.

    PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` user.
    Skips only outside CI; with OMVENDT_REQUIRE_POSTGRES=1 a missing server is a failure.
    """
    bindir = _pg_bin()
    if bindir is None:
        if os.environ.get("OMVENDT_REQUIRE_POSTGRES"):
            pytest.fail("PostgreSQL binaries not found (apt-get install postgresql)")
        pytest.skip("PostgreSQL binaries not found")
    as_root = os.geteuid() == 0
    tmp = tempfile.mkdtemp(prefix="omvendt-pg-")
    datadir = Path(tmp) / "data"
    run_as = ["runuser", "-u", "postgres", "--"] if as_root else []
    if as_root:
        shutil.chown(tmp, "postgres", "postgres")
    port = _free_port()
    subprocess.run([*run_as, str(bindir / "initdb"), "-D", str(datadir), "-U", "omvendt",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   check=True, capture_output=True)
    log = Path(tmp) / "server.log"
    subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-l", str(log), "-w",
                    "-o", f"-p {port} -k {tmp} -c listen_addresses=127.0.0.1 -c fsync=off",
                    "start"], check=True, capture_output=True)
    try:
        url = f"postgresql+psycopg://omvendt@127.0.0.1:{port}/postgres"
        yield url
    finally:
        subprocess.run([*run_as, str(bindir / "pg_ctl"), "-D", str(datadir), "-m", "immediate",
                        "stop"], capture_output=True)
        shutil.rmtree(tmp, ignore_errors=True)


_pg_counter = iter(range(1_000_000))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def store_url(request, tmp_path):
    """A fresh, empty store URL: once on SQLite, once on PostgreSQL (its own database)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'store.sqlite'}"
    base = request.getfixturevalue("postgres_url")
    import psycopg

    name = f"t{os.getpid()}_{next(_pg_counter)}"
    dsn = base.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return base.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture
def store(store_url):
    return Store(store_url)


@pytest.fixture
def sqlite_store(tmp_path):
    return Store(f"sqlite:///{tmp_path / 'store.sqlite'}")


def minimal_sheets() -> dict[str, pd.DataFrame]:
    """A small valid workbook in Norwegian headers: one recruitment, a held and a declined
    session, three questions with a follow-up chain, two ratings and two feedback answers."""
    return {
        "Økter": pd.DataFrame({
            "økt_id": ["A1", "A2"], "rekruttering": ["Driftssjef Bergen"] * 2,
            "kandidat": ["Kari Nordmann", "Ola Hansen"], "dato": ["04.03.2026", "2026-03-04"],
            "start": ["09:00", None], "slutt": ["09:35", None], "leder_minutter": [25, None],
            "status": ["gjennomført", "takket nei"], "leder": ["Per Leder", "Per Leder"],
        }),
        "Spørsmål": pd.DataFrame({
            "økt_id": ["A1"] * 3, "nr": [1, 2, 3], "minutt": [1, 4, 7],
            "spørsmål": ["Hvorfor er stillingen ledig?", "Hva skjedde med forgjengeren?",
                         "Hvordan gir du tilbakemelding?"],
            "oppfølging_av": [None, 1, None], "fit": [None, None, "leder"],
        }),
        "Vurderinger": pd.DataFrame({
            "økt_id": ["A1", "A1"], "vurderer": ["Per Leder", "Olga Observatør"],
            "rolle": ["leder", "observatør"], "levert": ["04.03.2026 12:00"] * 2,
            "rolleinnsikt": [4, 3], "prioriteringer": [3, 3], "samtale": [5, 4],
            "oppfølging": [4, 4], "mestring": [4, 5], "notat": ["God samtale", "Trygg"],
        }),
        "Tilbakemelding": pd.DataFrame({
            "rekruttering": ["Driftssjef Bergen"] * 2, "økt_id": ["A1", None],
            "opplevelse": [5, 4], "lærte": [4, 4], "rettferdig": [5, 5], "anbefale": [9, 7],
        }),
    }


@pytest.fixture
def make_upload():
    """Build an `Upload` from frames; ``make_upload()`` gives the minimal valid workbook."""
    def make(sheets: dict[str, pd.DataFrame] | None = None, name: str = "log.xlsx") -> Upload:
        return Upload(name, workbook_bytes(sheets if sheets is not None else minimal_sheets()))
    return make


@pytest.fixture(scope="session")
def sample_workbook() -> Path:
    path = ROOT / "sample_data" / "omvendt_sample.xlsx"
    if not path.exists():
        pytest.fail("sample_data/omvendt_sample.xlsx is missing")
    return path


@pytest.fixture
def downloads(monkeypatch):
    """The bytes of every download button a page draws, by key (a deferred file is written at
    once, as a click would)."""
    import streamlit as st

    seen: dict[str, bytes] = {}
    original = st.download_button

    def recording(label, data, *args, **kwargs):
        seen[kwargs.get("key")] = data() if callable(data) else data
        return original(label, data, *args, **kwargs)

    monkeypatch.setattr(st, "download_button", recording)
    return seen
