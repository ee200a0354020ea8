"""`python -m ui.launch --seed run app.py` (what `make run` starts): the seed runs beside the
server's start, and the server starts only after it."""
from __future__ import annotations

import sys

import pytest

from ui import launch


class _Seed:
    def __init__(self, code: int) -> None:
        self.returncode = code
        self.waited = False

    def poll(self) -> int | None:
        return self.returncode if self.waited else None  # still running until waited for

    def wait(self) -> int:
        self.waited = True
        return self.returncode


@pytest.fixture
def started(monkeypatch):
    """Records what the launch would start instead of starting it."""
    calls: dict = {"seeds": [], "argv": None}

    def fake_seed(code=0):
        seed = _Seed(code)
        calls["seeds"].append(seed)
        return seed

    def fake_streamlit():
        calls["argv"] = list(sys.argv)
        calls["seed_done_first"] = all(s.waited for s in calls["seeds"])
        return 0

    import streamlit.web.cli

    monkeypatch.setattr(streamlit.web.cli, "main", fake_streamlit)
    monkeypatch.setattr(launch, "_warm", lambda *a, **k: None)
    monkeypatch.setattr(sys, "argv", list(sys.argv))
    calls["fake_seed"] = fake_seed
    return calls


def test_the_seed_finishes_before_the_server_starts(started, monkeypatch):
    monkeypatch.setattr(launch, "start_seed", started["fake_seed"])
    assert launch.main(["--seed", "run", "app.py", "--server.port", "8599"]) == 0
    assert len(started["seeds"]) == 1 and started["seed_done_first"]
    assert started["argv"] == ["streamlit", "run", "app.py", "--server.port", "8599"]


def test_a_failed_seed_stops_the_launch(started, monkeypatch):
    monkeypatch.setattr(launch, "start_seed", lambda: started["fake_seed"](2))
    assert launch.main(["--seed", "run", "app.py"]) == 2
    assert started["argv"] is None  # the server never started


def test_without_seed_nothing_is_seeded(started, monkeypatch):
    monkeypatch.setattr(launch, "start_seed", started["fake_seed"])
    assert launch.main(["run", "app.py"]) == 0
    assert started["seeds"] == []
    assert started["argv"] == ["streamlit", "run", "app.py"]


def test_the_seed_process_fills_an_empty_store(tmp_path, monkeypatch):
    from analysis.store.core import Store

    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    assert launch.start_seed().wait() == 0
    assert Store(url).summary()["sessions"] > 0


def test_a_seeded_store_starts_no_seed_process(tmp_path, monkeypatch):
    url = f"sqlite:///{tmp_path / 'store.sqlite'}"
    monkeypatch.setenv("OMVENDT_DATABASE_URL", url)
    launch.start_seed().wait()
    assert launch.start_seed() is None


def test_the_modules_warmed_after_the_start_exist():
    """The warm-up imports what the pages import lazily; a renamed module would fail there."""
    import importlib

    from ui.launch import _PAGE_MODULES

    for name in _PAGE_MODULES:
        assert importlib.import_module(name) is not None
