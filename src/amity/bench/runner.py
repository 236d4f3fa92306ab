"""Time the scenarios in-process and over HTTP, beside their raw-SQL floor; check the budgets."""

from __future__ import annotations

import http.client
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from amity.bench import registry
from amity.bench.registry import Request, Scenario
from amity.bench.scenarios import Dataset
from amity.core import services
from amity.core.models import Membership


@dataclass
class Figure:
    scenario: str
    mode: str  # "in-process" or "http"
    p50_ms: float | None = None
    p95_ms: float | None = None
    queries: int | None = None
    floor_p50_ms: float | None = None
    floor_p95_ms: float | None = None
    budget_ms: float | None = None
    rows_per_s: float | None = None
    min_rows_per_s: float | None = None
    status: int | None = None
    skipped: str = ""
    # In-process only: the CPU time of this process per request (SQLite's work included,
    # PostgreSQL's not), much less sensitive than wall time to other work on the machine.
    cpu_p50_ms: float | None = None
    cpu_p95_ms: float | None = None

    @property
    def ratio(self) -> float | None:
        if self.p95_ms is None or not self.floor_p95_ms:
            return None
        return self.p95_ms / self.floor_p95_ms

    @property
    def missed(self) -> bool:
        if self.min_rows_per_s is not None and self.rows_per_s is not None and not self.skipped:
            return self.rows_per_s < self.min_rows_per_s
        return (
            self.budget_ms is not None
            and self.p95_ms is not None
            and not self.skipped
            and self.p95_ms > self.budget_ms
        )


@dataclass
class Run:
    database: str
    contacts: int
    seed: int
    rounds: int
    started: str
    machine: dict[str, Any]
    generator: dict[str, Any]
    figures: list[Figure] = field(default_factory=list)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def timed(fn: Callable[[], Any], rounds: int, warmup: int = 2) -> list[float]:
    """Return the milliseconds of `rounds` calls after `warmup` untimed ones."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return times


def machine() -> dict[str, Any]:
    load = os.getloadavg() if hasattr(os, "getloadavg") else (0.0, 0.0, 0.0)
    return {
        "host": platform.node(),
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "load_average": [round(v, 2) for v in load],
    }


class Sessions:
    """Logged-in clients and API tokens for the data set's users."""

    def __init__(self, ds: Dataset) -> None:
        self.ds = ds
        self.clients: dict[str, Client] = {}

    def client(self, user: str) -> Client:
        if user not in self.clients:
            client = Client(SERVER_NAME="127.0.0.1")
            client.force_login(self.ds.users[user])
            # What the login view adds (core.middleware.SessionTimeoutMiddleware checks it).
            session = client.session
            session["epoch"] = self.ds.users[user].session_epoch
            session["started_at"] = time.time()
            session.save()
            self.clients[user] = client
        return self.clients[user]

    def cookie(self, user: str) -> str:
        name = settings.SESSION_COOKIE_NAME
        return f"{name}={self.client(user).cookies[name].value}"

    def token(self, user: str) -> str:
        if user not in self.ds.tokens:
            member: Membership = self.ds.members[user]
            _, raw = services.create_token(member, "benchmark")
            self.ds.tokens[user] = raw
        return self.ds.tokens[user]


def _in_process(sessions: Sessions, req: Request) -> Callable[[], int]:
    client = sessions.client(req.user)
    headers = {"Authorization": f"Bearer {sessions.token(req.user)}"} if req.api else {}

    def call() -> int:
        return int(client.generic(req.method, req.path, headers=headers).status_code)

    return call


def measure(ds: Dataset, scenario: Scenario, sessions: Sessions, rounds: int) -> Figure:
    n = scenario.rounds or rounds
    figure = Figure(
        scenario.name,
        "in-process",
        budget_ms=scenario.budget_ms,
        min_rows_per_s=scenario.min_rows_per_s,
    )
    if scenario.floor is not None:
        floor = timed(lambda: scenario.floor(ds) if scenario.floor else None, n)
        figure.floor_p50_ms, figure.floor_p95_ms = percentile(floor, 0.5), percentile(floor, 0.95)
    if scenario.call is not None:
        call = scenario.call
        # Slow work (an export of 100k rows) is warm after its first round: no extra rounds.
        with CaptureQueriesContext(connection) as queries:
            start = time.perf_counter()
            counts = [call(ds)]
            times = [(time.perf_counter() - start) * 1000]
        figure.queries = len(queries)
        times += timed(lambda: counts.append(call(ds)), n - 1, warmup=0)
        figure.rows_per_s = counts[-1] / (statistics.median(times) / 1000)
        if scenario.after is not None:
            scenario.after(ds)
    else:
        assert scenario.request is not None
        request = _in_process(sessions, scenario.request(ds))
        statuses: list[int] = []
        cpu: list[float] = []

        def one() -> None:
            start = time.process_time()
            statuses.append(request())
            cpu.append((time.process_time() - start) * 1000)

        times = timed(one, n)
        cpu = cpu[-n:]  # without the warm-up rounds
        figure.cpu_p50_ms, figure.cpu_p95_ms = percentile(cpu, 0.5), percentile(cpu, 0.95)
        with CaptureQueriesContext(connection) as queries:
            statuses.append(request())
        figure.queries = len(queries)
        figure.status = statuses[-1]
    figure.p50_ms, figure.p95_ms = percentile(times, 0.5), percentile(times, 0.95)
    return figure


# Over HTTP against `amity serve` ----------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


START_TIMEOUT = 300


class Server:
    """`amity serve` on 127.0.0.1 and a free port, stopped by its pid."""

    def __init__(self, workers: int = 2) -> None:
        self.port = free_port()
        self.workers = workers
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> Server:
        env = {**os.environ, "AMITY_LOG_LEVEL": "WARNING"}
        command = [sys.executable, "-m", "amity.cli", "serve", "--host", "127.0.0.1"]
        command += ["--port", str(self.port), "--workers", str(self.workers)]
        # The bench collects the static files itself; doing it again delays the start.
        command += ["--no-collectstatic"]
        # The server's output goes to a file: an unread pipe would stall it once full.
        self.log = settings.VAR_DIR / "bench" / "serve.log"
        self.log.parent.mkdir(parents=True, exist_ok=True)
        with open(self.log, "wb") as output:
            self.process = subprocess.Popen(  # noqa: S603 - our own command
                command, env=env, stdout=output, stderr=subprocess.STDOUT
            )
        # A machine shared with other work can take minutes to start two workers.
        deadline = time.monotonic() + START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"amity serve exited; see {self.log}")
            try:
                if self.get("/healthz")[0] == 200:
                    return self
            except OSError:
                time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"amity serve did not answer within {START_TIMEOUT} s")

    def __exit__(self, *exc: object) -> None:
        if self.process is not None and self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()

    def get(
        self, path: str, headers: dict[str, str] | None = None, method: str = "GET"
    ) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        try:
            conn.request(method, path, headers={"Host": "127.0.0.1", **(headers or {})})
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def measure_http(
    ds: Dataset, scenario: Scenario, sessions: Sessions, server: Server, rounds: int
) -> Figure:
    figure = Figure(scenario.name, "http", budget_ms=scenario.budget_ms)
    if scenario.request is None:
        figure.skipped = "not a single request (timed in-process)"
        return figure
    req = scenario.request(ds)
    headers = (
        {"Authorization": f"Bearer {sessions.token(req.user)}"}
        if req.api
        else {"Cookie": sessions.cookie(req.user)}
    )
    statuses: list[int] = []
    times = timed(
        lambda: statuses.append(server.get(req.path, headers, req.method)[0]),
        scenario.rounds or rounds,
    )
    figure.status = statuses[-1]
    figure.p50_ms, figure.p95_ms = percentile(times, 0.5), percentile(times, 0.95)
    return figure


# Reporting ------------------------------------------------------------------------


def _fmt(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def table(run: Run) -> str:
    head = ("scenario", "mode", "p50 ms", "p95 ms", "cpu p95", "queries", "floor", "ratio")
    lines: list[tuple[str, ...]] = [(*head, "budget", "")]
    for f in run.figures:
        if f.skipped:
            lines.append((f.scenario, f.mode, "skipped:", f.skipped, "", "", "", "", "", ""))
            continue
        verdict = "MISSED" if f.missed else ("ok" if f.budget_ms or f.min_rows_per_s else "")
        if f.status is not None and f.status != 200:
            verdict = f"HTTP {f.status}"
        extra = f" ({f.rows_per_s:,.0f} rows/s)" if f.rows_per_s else ""
        lines.append(
            (
                f.scenario,
                f.mode,
                _fmt(f.p50_ms),
                _fmt(f.p95_ms),
                _fmt(f.cpu_p95_ms),
                "-" if f.queries is None else str(f.queries),
                _fmt(f.floor_p95_ms, 2),
                "-"
                if f.ratio is None
                else f"{f.ratio:,.1f}×"
                if f.ratio < 10
                else f"{f.ratio:,.0f}×",
                f"≥{f.min_rows_per_s:,.0f} rows/s"
                if f.min_rows_per_s
                else "-"
                if f.budget_ms is None
                else f"{f.budget_ms:.0f}",
                verdict + extra,
            )
        )
    widths = [max(len(str(row[i])) for row in lines if row[2] != "skipped:") for i in range(10)]
    out = []
    for row in lines:
        if row[2] == "skipped:":
            out.append(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  skipped: {row[3]}")
        else:
            cells = [
                f"{c:<{w}}" if i < 2 or i == 9 else f"{c:>{w}}"
                for i, (c, w) in enumerate(zip(row, widths, strict=True))
            ]
            out.append("  ".join(cells).rstrip())
    return "\n".join(out)


def write_json(run: Run, directory: Path, *, partial: bool = False) -> Path:
    """Write the run; a run of chosen scenarios only goes beside, not over, the full one."""
    directory.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC)
    suffix = "-partial" if partial else ""
    path = directory / f"results-{run.database}-{stamp:%Y-%m-%d}{suffix}.json"
    data = asdict(run)
    for figure, raw in zip(run.figures, data["figures"], strict=True):
        raw["ratio"] = figure.ratio
        raw["missed"] = figure.missed
    path.write_text(json.dumps(data, indent=2) + "\n")
    return path


def run_scenarios(
    ds: Dataset,
    *,
    rounds: int,
    http: bool,
    only: list[str] | None = None,
    progress: Callable[[str], None] = print,
) -> list[Figure]:
    sessions = Sessions(ds)
    chosen = [s for s in registry.scenarios() if not only or s.name in only]
    figures: list[Figure] = []
    for scenario in chosen:
        if scenario.pending:
            figures.append(
                Figure(scenario.name, "-", budget_ms=scenario.budget_ms, skipped=scenario.pending)
            )
            continue
        progress(f"  {scenario.name} (in-process) …")
        figures.append(measure(ds, scenario, sessions, rounds))
    if http:
        try:
            figures += _over_http(ds, chosen, figures, sessions, rounds, progress)
        except RuntimeError as exc:
            # The in-process figures stand; the HTTP pass shows why it is missing.
            figures += [Figure(s.name, "http", skipped=str(exc)) for s in chosen if not s.pending]
    return figures


def _over_http(
    ds: Dataset,
    chosen: list[Scenario],
    local_figures: list[Figure],
    sessions: Sessions,
    rounds: int,
    progress: Callable[[str], None],
) -> list[Figure]:
    figures: list[Figure] = []
    local = {f.scenario: f for f in local_figures}
    with Server() as server:
        for scenario in chosen:
            if scenario.pending:
                continue
            progress(f"  {scenario.name} (http) …")
            figure = measure_http(ds, scenario, sessions, server, rounds)
            # Same code path, so the same queries; the floor is the database's part.
            twin = local[scenario.name]
            figure.queries = twin.queries
            figure.floor_p50_ms, figure.floor_p95_ms = twin.floor_p50_ms, twin.floor_p95_ms
            figures.append(figure)
    return figures
