"""TESTPLAN R6 (soak only): acknowledged writes survive `kill -9` of PostgreSQL, twice.

The shared PostgreSQL of a developer machine or CI must not be killed, so the test
starts a private cluster of its own (initdb in a temporary directory, a free
port, run as the `postgres` user when the test runs as root), runs `amity serve`
against it, and drives about 20 writes/s through the API with If-Match. Every
2xx answer is logged (person, version, title). The postmaster and its children
are killed with SIGKILL twice and restarted. Afterwards the log is compared with
the database and its audit log.

Targets: 0 acknowledged-but-missing writes, versions monotonic with no duplicates,
503 (never 500) during the outage, and a 2xx again within 10 s of PostgreSQL being
back. Needs the PostgreSQL server binaries (initdb, pg_ctl); skipped without them.
"""

from __future__ import annotations

import contextlib
import glob
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import pytest

AMITY = [sys.executable, "-m", "amity.cli"]
pytestmark = [
    pytest.mark.soak,
    pytest.mark.skipif(
        os.environ.get("DATABASE_URL", "").startswith("postgres"),
        reason="runs once, in the SQLite pass (it starts a PostgreSQL cluster of its own)",
    ),
]
WRITERS = 4
RATE_PER_WRITER = 5.0  # 20 writes/s in all
SECONDS = 60
KILLS_AT = (20, 40)

SETUP = """
import json
from amity.core import services
from amity.core.models import User
from amity.customers import services as customers
ws = services.create_workspace("R6", "r6")
user = User.objects.create_user("r6@example.test", "x-unused-password-x")
member = services.add_member(ws, user, "admin")
_, token = services.create_token(member, "r6")
ids = [customers.create_person(member, {"last_name": f"R6 {n}"}).pk for n in range(WRITERS)]
print(json.dumps({"token": token, "ids": ids}))
"""

LEDGER = """
import json
from amity.core.models import AuditEvent
from amity.customers.models import Person
people = {p.pk: p.version for p in Person.objects.all()}
titles = {}
for e in AuditEvent.objects.filter(action="update", object_type="person").order_by("seq"):
    if "title" in e.changes:
        titles.setdefault(e.object_id, []).append(e.changes["title"][1])
print(json.dumps({"versions": people, "titles": titles}))
"""


def _bindir() -> Path | None:
    found = shutil.which("pg_config")
    if found:
        out = subprocess.run([found, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(out.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    for path in sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True):
        return Path(path).parent
    return None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Cluster:
    """A private PostgreSQL cluster that can be killed with SIGKILL and started again."""

    def __init__(self, bindir: Path, root: Path) -> None:
        self.bindir, self.data, self.port = bindir, root / "pgdata", _free_port()
        self.as_postgres = os.geteuid() == 0
        root.chmod(0o755)
        self.data.mkdir()
        if self.as_postgres:
            shutil.chown(self.data, "postgres", "postgres")

    def _run(self, *args: str) -> None:
        command = [str(self.bindir / args[0]), *args[1:]]
        if self.as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        assert done.returncode == 0, f"{args[0]}: {done.stdout}{done.stderr}"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth", "trust", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.data} -c listen_addresses=127.0.0.1"
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.data / "log"),
            "-w",
            "start",
        )

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")

    def kill9(self) -> None:
        """SIGKILL the postmaster and every process it started (a crash of the server)."""
        pid = int((self.data / "postmaster.pid").read_text().split()[0])
        children = []
        for stat in glob.glob("/proc/[0-9]*/stat"):
            try:
                fields = Path(stat).read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                children.append(int(Path(stat).parent.name))
        for target in [pid, *children]:
            with contextlib.suppress(ProcessLookupError):
                os.kill(target, signal.SIGKILL)
        time.sleep(1)

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/amity_r6"


def test_acknowledged_writes_survive_two_postgres_crashes(tmp_path: Path) -> None:
    bindir = _bindir()
    if bindir is None:
        pytest.skip("needs the PostgreSQL server binaries (initdb, pg_ctl)")
    # Outside pytest's private temporary directory, which the postgres user cannot enter.
    root = Path(tempfile.mkdtemp(prefix="amity-r6-"))
    cluster = Cluster(bindir, root)
    cluster.init()
    cluster.start()
    try:
        subprocess.run(
            [
                str(bindir / "createdb"),
                "-h",
                "127.0.0.1",
                "-p",
                str(cluster.port),
                "-U",
                "postgres",
                "amity_r6",
            ],
            check=True,
            timeout=60,
        )
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith(("AMITY_", "DATABASE_URL", "DJANGO_"))
        }
        env.update(
            AMITY_VAR_DIR=str(tmp_path / "var"), DATABASE_URL=cluster.url, AMITY_LOG_LEVEL="ERROR"
        )
        subprocess.run([*AMITY, "migrate", "-v0"], env=env, check=True, timeout=300)
        out = subprocess.run(
            [*AMITY, "shell", "-c", SETUP.replace("WRITERS", str(WRITERS))],
            env=env, check=True, timeout=120, capture_output=True, text=True,
        )  # fmt: skip
        setup = json.loads(out.stdout.strip().splitlines()[-1])
        port = _free_port()
        server = subprocess.Popen(
            [*AMITY, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
        try:
            _wait_until_up(port)
            acknowledged, statuses, recoveries = _drive(port, setup["token"], setup["ids"], cluster)
        finally:
            os.kill(server.pid, signal.SIGTERM)
            server.wait(30)
        out = subprocess.run(
            [*AMITY, "shell", "-c", LEDGER],
            env=env,
            check=True,
            timeout=120,
            capture_output=True,
            text=True,
        )
        ledger = json.loads(out.stdout.strip().splitlines()[-1])
    finally:
        cluster.stop()
        shutil.rmtree(root, ignore_errors=True)
    print(f"statuses {dict(statuses)}; recovery after each restart (s): {recoveries}")
    for pk in setup["ids"]:
        mine = [(version, title) for p, version, title in acknowledged if p == pk]
        versions = [v for v, _ in mine]
        assert versions == sorted(set(versions))  # monotonic, no duplicate versions
        # Every acknowledged write is in the database and in the audit log, in order.
        assert ledger["versions"][str(pk)] >= max(versions, default=1)
        written = ledger["titles"].get(str(pk), [])
        positions = [written.index(title) for _, title in mine]
        assert positions == sorted(positions)
    report = f"statuses {dict(statuses)}, recoveries {recoveries}"
    assert statuses[500] == 0, report
    assert sum(n for status, n in statuses.items() if 200 <= status < 300) >= 100, report
    assert all(r <= 10 for r in recoveries) and len(recoveries) == len(KILLS_AT), report


def _wait_until_up(port: int) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/healthz", headers={"Host": "127.0.0.1"})
            if conn.getresponse().status == 200:
                return
        except OSError:
            pass
        time.sleep(0.5)
    raise AssertionError("amity serve did not come up")


def _drive(
    port: int, token: str, ids: list[int], cluster: Cluster
) -> tuple[list[tuple[int, int, str]], Counter[int], list[float]]:
    acknowledged: list[tuple[int, int, str]] = []
    statuses: Counter[int] = Counter()
    lock = threading.Lock()
    restarted_at: list[float] = []
    started = time.monotonic()
    stop = started + SECONDS

    log: list[tuple[float, float, int]] = []  # (start, end, status) of every request

    def call(
        method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, str, bytes]:
        began = time.monotonic()
        status, etag, data = _call(method, path, headers, body)
        with lock:
            log.append((began, time.monotonic(), status))
            statuses[status] += 1
        return status, etag, data

    def _call(
        method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, str, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request(
                method,
                path,
                body=body,
                headers={"Host": "127.0.0.1", "Authorization": f"Bearer {token}", **headers},
            )
            response = conn.getresponse()
            return response.status, response.getheader("ETag", ""), response.read()
        except OSError:
            return 0, "", b""
        finally:
            conn.close()

    def writer(pk: int) -> None:
        etag, n = "", 0
        while time.monotonic() < stop:
            began = time.monotonic()
            if not etag:
                status, etag, _ = call("GET", f"/api/v1/people/{pk}", {})
                if status != 200:
                    etag = ""
            else:
                title = f"w{pk}-{n}"
                n += 1
                status, new_etag, _body = call(
                    "PATCH", f"/api/v1/people/{pk}",
                    {"If-Match": etag, "Content-Type": "application/json"},
                    json.dumps({"title": title}).encode(),
                )  # fmt: skip
                if 200 <= status < 300:
                    version = int(new_etag.strip('"').rsplit("-v", 1)[1])
                    with lock:
                        acknowledged.append((pk, version, title))
                etag = new_etag if 200 <= status < 300 or status == 412 else ""
            time.sleep(max(0.0, 1 / RATE_PER_WRITER - (time.monotonic() - began)))

    threads = [threading.Thread(target=writer, args=(pk,)) for pk in ids]
    for thread in threads:
        thread.start()
    for at in KILLS_AT:
        time.sleep(max(0.0, started + at - time.monotonic()))
        cluster.kill9()
        time.sleep(2)  # the outage: requests meanwhile must get 503
        cluster.start()
        restarted_at.append(time.monotonic())
    for thread in threads:
        thread.join(SECONDS + 60)
    # Recovery: from PostgreSQL being back to the first 2xx of a request sent after that.
    recoveries = [
        round(min((end for start, end, status in log if start >= back and 200 <= status < 300),
                  default=float("inf")) - back, 1)
        for back in restarted_at
    ]  # fmt: skip
    return acknowledged, statuses, recoveries
