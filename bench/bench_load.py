"""Concurrent sessions: N clients talk to a running `streamlit run app.py` exactly as a browser
does, over the websocket at ``/_stcore/stream`` (protobuf ``BackMsg`` up, ``ForwardMsg`` down; no
browser), each opening Overview, Coverage, Compare and Questions on a 2,000-session store.

A page view is timed from the ``rerun_script`` BackMsg to the ``script_finished`` ForwardMsg
that ends that run; it is an error when the run ends in anything but success, when the page
shows an exception, or when it does not finish within the timeout. Per round it prints p50,
p95 and max, errors, the server's CPU seconds per page view (utime + stime of the server
process, all threads, read from /proc before and after the round) and its RSS after the round.
The first round meets cold caches; the later rounds are warm (the store did not change).

Goals (issue 13): 25 sessions p95 <= 2 s with 0 errors; CPU per warm page view <= 0.05 s;
RSS <= 1,000 MB after two rounds and no growth from round to round.

With ``--per-page N`` it first measures each page alone: one session opens it once (warm) and
then N times while the server's CPU is read (CPU seconds per warm view of that page, less noisy
on a shared machine than the concurrent rounds).

    python bench/bench_load.py [--sessions 25] [--rounds 2] [--db sqlite:///store.sqlite]
                               [--per-page 10] [--replicas 2]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: The pages each session opens, in order (file stem under app_pages/).
PAGES = ("overview", "coverage", "compare", "questions")
GOALS = {"p95": 2.0, "cpu_per_view": 0.05, "rss_mb": 1000.0}
CLK_TCK = os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    """The 1-minute load average, for every figure printed (the machine is shared)."""
    return f"{os.getloadavg()[0]:.2f}"


def server_cpu(pid: int) -> float:
    """CPU seconds (user + system, all threads) the process has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK_TCK


def server_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# -- the store ------------------------------------------------------------------------------------

def make_store(tmp: Path, sessions: int = 2000) -> str:
    """A SQLite store of ``sessions`` synthetic sessions, imported (and labelled by the fit
    model) the way a recruiter imports: ``python -m analysis import``."""
    book = tmp / f"synth{sessions}.xlsx"
    subprocess.run([sys.executable, "bench/synth.py", "--sessions", str(sessions), "-o",
                    str(book)], check=True, cwd=ROOT, capture_output=True)
    url = f"sqlite:///{tmp / 'load.sqlite'}"
    subprocess.run([sys.executable, "-m", "analysis", "import", str(book), "--db", url],
                   check=True, cwd=ROOT, capture_output=True)
    return url


#: Team mode's people, as a hiring organisation has them: a few recruiters, some HR readers, and
#: mostly the managers and observers who rate (each `--team` session is a person of its own).
TEAM_ROLES = ("recruiter",) * 3 + ("viewer",) * 4 + ("rater",) * 18


def team_cookies(url: str, people: int) -> list[str]:
    """``people`` accounts (roles cycling through `TEAM_ROLES`) and a sign-in cookie for each,
    as the app writes it after a sign-in (`ui.remember`)."""
    from analysis import Actor, Store, TrustError, create_account, issue_token
    from analysis.store.auth import LOCAL
    from ui.remember import COOKIE

    admin = Store(url, LOCAL)
    cookies = []
    for i in range(people):
        name, role = f"bench{i:02d}", TEAM_ROLES[i % len(TEAM_ROLES)]
        try:
            create_account(admin, name, None, role, f"Bench Person {i:02d}")
        except TrustError:  # made by an earlier run on this store
            pass
        actor = Actor(name, role)
        cookies.append(f"{COOKIE}={issue_token(Store(url, actor), actor)}")
    return cookies


# -- the server -----------------------------------------------------------------------------------

@dataclass
class Server:
    proc: subprocess.Popen
    port: int
    log: Path

    @property
    def pid(self) -> int:
        return self.proc.pid

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


#: Start `streamlit run` itself instead of `python -m ui.launch run` (--plain-streamlit).
PLAIN_STREAMLIT = False


def start_server(url: str, log: Path, port: int | None = None, extra_env: dict | None = None,
                 timeout: float = 120) -> Server:
    """``streamlit run app.py`` on a free localhost port, returned once it answers /health."""
    port = port or free_port()
    # as `make run` and deploy/ start it: few malloc arenas, so freed memory is given back
    env = {**os.environ, "OMVENDT_DATABASE_URL": url, "MALLOC_ARENA_MAX": "2"}
    env.pop("OMVENDT_TEAM_MODE", None)  # local mode unless asked (`--team`)
    env.update(extra_env or {})
    out = open(log, "wb")
    # started as `make run` and deploy/ start it (ui.launch warms the pages' modules once the
    # server listens); --plain-streamlit for `streamlit run` alone, to compare
    launcher = ([str(Path(sys.executable).parent / "streamlit")] if PLAIN_STREAMLIT
                else [sys.executable, "-m", "ui.launch"])
    proc = subprocess.Popen(
        [*launcher, "run", "app.py",
         "--server.address", "127.0.0.1", "--server.port", str(port),
         "--server.headless", "true", "--browser.gatherUsageStats", "false"],
        cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
    server = Server(proc, port, log)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"the server exited: {log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2):
                return server
        except OSError:
            time.sleep(0.1)
    server.stop()
    raise RuntimeError("the server did not answer /_stcore/health in time")


# -- a client that speaks Streamlit's protocol --------------------------------------------------

@dataclass
class View:
    page: str
    seconds: float
    error: str | None = None


@dataclass
class Client:
    """One browser tab: a websocket session that opens pages by the navigation's script hashes."""

    port: int
    timeout: float = 120.0
    pages: dict[str, str] = field(default_factory=dict)  # url path -> page_script_hash
    ws: object = None
    cookie: str | None = None  # team mode: the sign-in cookie the browser would send

    async def connect(self) -> None:
        import websockets

        self.ws = await websockets.connect(
            f"ws://127.0.0.1:{self.port}/_stcore/stream", subprotocols=["streamlit"],
            origin=f"http://127.0.0.1:{self.port}", max_size=None, open_timeout=self.timeout,
            ping_interval=None, compression="deflate",
            additional_headers={"Cookie": self.cookie} if self.cookie else None)

    async def close(self) -> None:
        if self.ws is not None:
            await self.ws.close()

    async def open(self, page: str) -> View:
        """Open ``page`` (a file stem under app_pages/) as a click in the menu would."""
        from streamlit.proto.BackMsg_pb2 import BackMsg
        from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

        msg = BackMsg()
        state = msg.rerun_script
        state.query_string = ""
        state.page_script_hash = self.pages.get(page, "")
        state.page_name = "" if page == PAGES[0] else page
        state.context_info.timezone = "Europe/Oslo"
        state.context_info.locale = "nb-NO"
        state.context_info.url = f"http://127.0.0.1:{self.port}/{state.page_name}"
        start = time.perf_counter()
        await self.ws.send(msg.SerializeToString())
        error = None
        try:
            async with asyncio.timeout(self.timeout):
                while True:
                    fwd = ForwardMsg()
                    fwd.ParseFromString(await self.ws.recv())
                    kind = fwd.WhichOneof("type")
                    if kind == "navigation":
                        self.pages = {p.url_pathname or "overview": p.page_script_hash
                                      for p in fwd.navigation.app_pages}
                        # url paths are the file stems (import_data -> import_data)
                    elif kind == "delta":
                        delta = fwd.delta
                        if (delta.WhichOneof("type") == "new_element"
                                and delta.new_element.WhichOneof("type") == "exception"):
                            error = error or delta.new_element.exception.message[:200] or "exception"
                    elif kind == "page_not_found":
                        error = error or "page not found"
                    elif kind == "script_finished":
                        status = fwd.script_finished
                        if status == ForwardMsg.FINISHED_EARLY_FOR_RERUN:
                            continue  # the page asked for a rerun: its next run is the view
                        if status != ForwardMsg.FINISHED_SUCCESSFULLY:
                            error = error or f"script finished with status {status}"
                        elif self.cookie and not self.pages:  # the sign-in form, no menu
                            error = error or "not signed in"
                        break
        except TimeoutError:
            error = "timeout"
        except Exception as exc:  # a dropped connection is an error of this view, not the bench
            error = f"{type(exc).__name__}: {exc}"[:200]
        return View(page, time.perf_counter() - start, error)


async def one_session(port: int, timeout: float, stagger: float,
                      cookie: str | None = None) -> list[View]:
    await asyncio.sleep(stagger)
    client = Client(port, timeout, cookie=cookie)
    views: list[View] = []
    try:
        await client.connect()
    except Exception as exc:
        return [View(p, 0.0, f"connect: {exc}"[:200]) for p in PAGES]
    try:
        for page in PAGES:
            views.append(await client.open(page))
            if views[-1].error in ("timeout",) or (views[-1].error or "").startswith("Connection"):
                break
    finally:
        await client.close()
    return views


async def one_round(ports: list[int], sessions: int, timeout: float,
                    ramp: float, cookies: list[str] | None = None) -> list[View]:
    # session i goes to replica i mod N, as a sticky load balancer spreads new sessions
    tasks = [one_session(ports[i % len(ports)], timeout, ramp * i / max(sessions, 1),
                         cookies[i % len(cookies)] if cookies else None)
             for i in range(sessions)]
    return [v for views in await asyncio.gather(*tasks) for v in views]


def quantile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[int(q * 100) - 1]


def run(url: str, sessions: int = 25, rounds: int = 2, timeout: float = 120.0,
        ramp: float = 0.0, log_dir: Path | None = None, settle: float = 0.0,
        replicas: int = 1, pause: float = 20.0, team: int = 0) -> dict:
    """Start ``replicas`` servers on ``url``, run ``rounds`` rounds of ``sessions`` concurrent
    sessions spread over them, print a line per round, and return the figures (CPU and RSS
    summed over the replicas)."""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="omvendt-load-"))
    cookies = team_cookies(url, team) if team else None
    servers = [start_server(url, log_dir / f"server{i}.log",
                            extra_env={"OMVENDT_TEAM_MODE": "1"} if team else None)
               for i in range(replicas)]
    ports = [s.port for s in servers]
    cpu_of = lambda: sum(server_cpu(s.pid) for s in servers)  # noqa: E731
    rss_of = lambda: sum(server_rss_mb(s.pid) for s in servers)  # noqa: E731
    results: list[dict] = []
    try:
        rss_start = rss_of()
        print(f"{replicas} server(s) on port(s) {', '.join(map(str, ports))}"
              + (f"; team mode, {team} people signed in" if team else "; local mode")
              + "; RSS at start "
              f"{rss_start:.0f} MB; load average {load_average()}", flush=True)
        print(f"{'round':>5} {'sessions':>8} {'views':>5} {'p50 s':>6} {'p95 s':>6} {'max s':>6} "
              f"{'errors':>6} {'CPU s/view':>10} {'RSS MB':>7} {'load':>5}", flush=True)
        for r in range(1, rounds + 1):
            if r > 1 and pause:  # idle between rounds, longer than a closed tab is kept (15 s)
                time.sleep(pause)
            cpu0 = cpu_of()
            views = asyncio.run(one_round(ports, sessions, timeout, ramp, cookies))
            cpu = cpu_of() - cpu0
            if settle:
                time.sleep(settle)
            rss = rss_of()
            times = [v.seconds for v in views if not v.error]
            errors = [v for v in views if v.error]
            row = {"round": r, "sessions": sessions, "views": len(views),
                   "p50": quantile(times, 0.5), "p95": quantile(times, 0.95),
                   "max": max(times, default=float("nan")), "errors": len(errors),
                   "cpu_per_view": cpu / max(len(views), 1), "rss_mb": rss,
                   "load": load_average(),
                   "by_page": {p: quantile([v.seconds for v in views if v.page == p
                                            and not v.error], 0.95) for p in PAGES}}
            results.append(row)
            print(f"{r:>5} {sessions:>8} {len(views):>5} {row['p50']:6.2f} {row['p95']:6.2f} "
                  f"{row['max']:6.2f} {len(errors):>6} {row['cpu_per_view']:10.3f} {rss:7.0f} "
                  f"{row['load']:>5}", flush=True)
            print("      p95 by page: " + ", ".join(f"{p} {s:.2f} s"
                                                  for p, s in row["by_page"].items()), flush=True)
            for e in errors[:5]:
                print(f"      error on {e.page}: {e.error}", flush=True)
    finally:
        for server in servers:
            server.stop()
    return {"rss_start": rss_start, "rounds": results, "replicas": replicas}


async def _pages_one_by_one(port: int, pid: int, views: int, timeout: float) -> dict[str, dict]:
    client = Client(port, timeout)
    await client.connect()
    out: dict[str, dict] = {}
    try:
        await client.open(PAGES[0])  # the navigation (page hashes) comes with the first run
        for page in PAGES:
            await client.open(page)  # warm: this page's caches are filled once
            cpu0 = server_cpu(pid)
            done = [await client.open(page) for _ in range(views)]
            cpu = server_cpu(pid) - cpu0
            out[page] = {"cpu_per_view": cpu / views, "load": load_average(),
                         "p50": quantile([v.seconds for v in done], 0.5),
                         "errors": sum(1 for v in done if v.error)}
    finally:
        await client.close()
    return out


def per_page(url: str, views: int = 10, timeout: float = 120.0,
             log_dir: Path | None = None) -> dict[str, dict]:
    """Server CPU per warm view of each page, one session, one view at a time: each page is
    opened once to warm its caches, then ``views`` times while the server's CPU is read. Less
    noisy on a shared machine than the concurrent rounds (no queueing; the server's CPU only)."""
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="omvendt-load-"))
    server = start_server(url, log_dir / "server-pages.log")
    try:
        out = asyncio.run(_pages_one_by_one(server.port, server.pid, views, timeout))
    finally:
        server.stop()
    print(f"{'page':>10} {'views':>5} {'CPU s/view':>10} {'p50 s':>6} {'errors':>6} {'load':>5}",
          flush=True)
    for page, row in out.items():
        print(f"{page:>10} {views:>5} {row['cpu_per_view']:10.3f} {row['p50']:6.2f} "
              f"{row['errors']:>6} {row['load']:>5}", flush=True)
    return out


def verdict(figures: dict) -> list[str]:
    """The goals, each met or not, from `run`'s figures."""
    rounds = figures["rounds"]
    last = rounds[-1]
    warm = rounds[1:] or rounds
    growth = last["rss_mb"] - rounds[-2]["rss_mb"] if len(rounds) > 1 else 0.0
    p95 = max(r["p95"] for r in rounds)
    cpu = min(r["cpu_per_view"] for r in warm)
    errors = sum(r["errors"] for r in rounds)
    ok = lambda b: "met" if b else "NOT met"  # noqa: E731
    return [
        f"p95 (worst round) {p95:.2f} s, goal <= {GOALS['p95']} s: {ok(p95 <= GOALS['p95'])}",
        f"errors {errors}, goal 0: {ok(errors == 0)}",
        f"CPU per warm page view {cpu:.3f} s, goal <= {GOALS['cpu_per_view']} s: "
        f"{ok(cpu <= GOALS['cpu_per_view'])}",
        f"RSS after the last round {last['rss_mb']:.0f} MB, goal <= {GOALS['rss_mb']:.0f} MB: "
        f"{ok(last['rss_mb'] <= GOALS['rss_mb'])}; growth over the last round {growth:+.0f} MB",
    ]


def main(argv: list[str] | None = None) -> dict:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sessions", type=int, default=25)
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--db", help="an existing store (default: a fresh 2,000-session store)")
    ap.add_argument("--store-sessions", type=int, default=2000)
    ap.add_argument("--timeout", type=float, default=120.0, help="seconds per page view")
    ap.add_argument("--ramp", type=float, default=0.0,
                    help="seconds over which the sessions start (0: all at once)")
    ap.add_argument("--pause", type=float, default=20.0,
                    help="idle seconds between rounds (longer than the 15 s a closed tab's "
                         "session is kept, so a round's RSS is what it holds, not the last's)")
    ap.add_argument("--replicas", type=int, default=1,
                    help="app servers on the same store, sessions spread over them")
    ap.add_argument("--per-page", type=int, default=0, metavar="N",
                    help="also measure each page's CPU per warm view, one session, N views")
    ap.add_argument("--team", type=int, default=0, metavar="N",
                    help="team mode: N accounts (recruiters, viewers, raters), each session "
                         "signed in as one of them by its cookie (default: local mode)")
    ap.add_argument("--plain-streamlit", action="store_true",
                    help="start `streamlit run` alone, without ui.launch's warm-up")
    args = ap.parse_args(argv)
    global PLAIN_STREAMLIT
    PLAIN_STREAMLIT = args.plain_streamlit
    tmp = Path(tempfile.mkdtemp(prefix="omvendt-load-"))
    try:
        url = args.db
        if not url:
            start = time.perf_counter()
            url = make_store(tmp, args.store_sessions)
            print(f"store: {args.store_sessions} sessions imported in "
                  f"{time.perf_counter() - start:.1f} s", flush=True)
        pages = per_page(url, args.per_page, args.timeout, tmp) if args.per_page else {}
        if not args.rounds:
            return {"rounds": [], "pages": pages}
        figures = run(url, args.sessions, args.rounds, args.timeout, args.ramp, tmp,
                      replicas=args.replicas, pause=args.pause, team=args.team)
        for line in verdict(figures):
            print("  " + line)
        return {**figures, "pages": pages}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
