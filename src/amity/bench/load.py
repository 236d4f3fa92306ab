"""TESTPLAN R9: a bounded load test against `amity serve` (stdlib threads and http.client).

Several users of several workspaces run a closed loop: 80 % reads (the people
list, global search, a customer's 360 page, the API list, a pipeline board, the
deals API list) and 20 % writes (half API PATCH of a person, half moving a deal
to another open stage, both with If-Match). Each writer edits its own records,
so a 412 is rare and counts as planned (the writer fetches the new ETag and
goes on). The run stops
by itself after `duration` seconds and reports req/s, p50/p95/p99 and errors.
Only 127.0.0.1 is contacted.
"""

from __future__ import annotations

import http.client
import json
import random
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.test import Client

from amity.bench import generator
from amity.bench.runner import Server, percentile
from amity.core import services
from amity.core.models import Membership
from amity.customers.models import Person
from amity.sales.models import Deal, Pipeline, Stage

READS = ["list", "search", "360", "api list", "board", "api deals"]
PREFIXES = ["han", "ber", "mo", "ka", "sch", "lin", "jo", "ol", "ra", "nu"]
MAX_DURATION = 3 * 3600
TARGET_RPS = 100
TARGET_P99_MS = 500


@dataclass
class Actor:
    """One simulated user: a session cookie for pages, a token for the API, records to write."""

    workspace: str
    cookie: str
    token: str
    read_ids: list[int]
    write_ids: list[int]
    etags: dict[int, str] = field(default_factory=dict)
    boards: list[int] = field(default_factory=list)  # pipeline ids
    # Open stages per pipeline, the deals this actor moves, and their (ETag, pipeline, stage).
    open_stages: dict[int, list[int]] = field(default_factory=dict)
    deal_ids: list[int] = field(default_factory=list)
    deals: dict[int, tuple[str, int, int]] = field(default_factory=dict)


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    statuses: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, op: str, ms: float, status: int, planned: bool = False) -> None:
        with self.lock:
            self.latencies.setdefault(op, []).append(ms)
            self.statuses[f"{op} {status}"] += 1
            if not (200 <= status < 300 or planned):
                self.errors[f"{op} {status}"] += 1


def _cookie(member: Membership) -> str:
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(member.user)
    session = client.session
    session["epoch"], session["started_at"] = member.user.session_epoch, time.time()
    session.save()
    name = settings.SESSION_COOKIE_NAME
    return f"{name}={client.cookies[name].value}"


def actors(per_workspace: int = 3) -> list[Actor]:
    """Return users with edit rights in every benchmark workspace, each with its own records."""
    result = []
    members = (
        Membership.objects.filter(
            workspace__slug__startswith=generator.SLUG, role__key__in=["admin", "manager"]
        )
        .select_related("user", "workspace", "role")
        .order_by("workspace_id", "user_id")
    )
    by_workspace: dict[int, list[Membership]] = {}
    for member in members:
        by_workspace.setdefault(member.workspace_id, []).append(member)
    for workspace_id, chosen in by_workspace.items():
        ids = list(
            Person.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True)
            .order_by("id")
            .values_list("id", flat=True)[:5000]
        )
        boards, open_stages, deal_ids = _sales(workspace_id)
        for n, member in enumerate(chosen[:per_workspace]):
            _, token = services.create_token(member, "load test")
            result.append(
                Actor(
                    workspace=member.workspace.slug,
                    cookie=_cookie(member),
                    token=token,
                    read_ids=ids,
                    write_ids=ids[n::per_workspace][:200],
                    boards=boards,
                    open_stages=open_stages,
                    deal_ids=deal_ids[n::per_workspace][:200],
                )
            )
    return result


def _sales(workspace_id: int) -> tuple[list[int], dict[int, list[int]], list[int]]:
    """Return a workspace's pipelines, their open stages and some open deals to move."""
    boards = list(
        Pipeline.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True)
        .order_by("position", "id")
        .values_list("id", flat=True)
    )
    open_stages: dict[int, list[int]] = {}
    for pipeline_id, stage_id in (
        Stage.objects.filter(workspace_id=workspace_id, is_won=False, is_lost=False)
        .order_by("position", "id")
        .values_list("pipeline_id", "id")
    ):
        open_stages.setdefault(pipeline_id, []).append(stage_id)
    deal_ids = list(
        Deal.objects.filter(workspace_id=workspace_id, deleted_at__isnull=True, status="open")
        .order_by("id")
        .values_list("id", flat=True)[:5000]
    )
    return boards, open_stages, deal_ids


class Driver:
    def __init__(self, server: Server, tally: Tally, deadline: float, seed: int) -> None:
        self.server, self.tally, self.deadline = server, tally, deadline
        self.rng = random.Random(seed)
        self.conn: http.client.HTTPConnection | None = None

    def _request(
        self, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=30)
            try:
                self.conn.request(method, path, body=body, headers={"Host": "127.0.0.1", **headers})
                response = self.conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.conn.close()
                    self.conn = None
                return response.status, dict(response.getheaders()), data
            except (http.client.HTTPException, OSError):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _timed(
        self, op: str, method: str, path: str, headers: dict[str, str], body: bytes | None = None
    ) -> tuple[int, dict[str, str]]:
        start = time.perf_counter()
        try:
            status, head, _ = self._request(method, path, headers, body)
        except (http.client.HTTPException, OSError):
            status, head = 599, {}
        planned = op in ("write", "move deal") and status == 412
        self.tally.add(op, (time.perf_counter() - start) * 1000, status, planned)
        return status, head

    def move_deal(self, actor: Actor, api: dict[str, str]) -> None:
        """Move one of the actor's deals to another open stage of its pipeline (If-Match)."""
        pk = self.rng.choice(actor.deal_ids)
        if pk not in actor.deals:
            status, head, body = self._get_json(f"/api/v1/deals/{pk}", api)
            if status != 200:
                return
            actor.deals[pk] = (head.get("ETag", ""), body["pipeline"], body["stage"])
        etag, pipeline, stage = actor.deals[pk]
        choices = [s for s in actor.open_stages.get(pipeline, []) if s != stage]
        if not choices:
            return
        target = self.rng.choice(choices)
        headers = {**api, "If-Match": etag, "Content-Type": "application/json"}
        body = json.dumps({"stage": target}).encode()
        status, head = self._timed("move deal", "POST", f"/api/v1/deals/{pk}/move", headers, body)
        if status == 200:
            actor.deals[pk] = (head.get("ETag", ""), pipeline, target)
        else:
            actor.deals.pop(pk, None)  # read it again next time

    def _get_json(self, path: str, headers: dict[str, str]) -> tuple[int, dict[str, str], Any]:
        start = time.perf_counter()
        try:
            status, head, data = self._request("GET", path, headers)
        except (http.client.HTTPException, OSError):
            status, head, data = 599, {}, b""
        self.tally.add("api detail", (time.perf_counter() - start) * 1000, status)
        return status, head, json.loads(data) if status == 200 else None

    def step(self, actor: Actor) -> None:
        rng = self.rng
        page = {"Cookie": actor.cookie}
        api = {"Authorization": f"Bearer {actor.token}"}
        if rng.random() < 0.1 and actor.deal_ids:
            self.move_deal(actor, api)
            return
        if rng.random() < 0.1 / 0.9:
            pk = rng.choice(actor.write_ids)
            if pk not in actor.etags:
                _, head = self._timed("api detail", "GET", f"/api/v1/people/{pk}", api)
                actor.etags[pk] = head.get("ETag", "")
            body = json.dumps({"title": f"Load {rng.randrange(10**6)}"}).encode()
            headers = {**api, "If-Match": actor.etags[pk], "Content-Type": "application/json"}
            _, head = self._timed("write", "PATCH", f"/api/v1/people/{pk}", headers, body)
            actor.etags[pk] = head.get("ETag", "")
            return
        op = rng.choice(READS)
        if op == "list":
            self._timed(
                op, "GET", rng.choice(["/people/?owner=me", "/people/?sort=-created"]), page
            )
        elif op == "search":
            self._timed(op, "GET", f"/search/?q={rng.choice(PREFIXES)}", page)
        elif op == "360":
            self._timed(op, "GET", f"/people/{rng.choice(actor.read_ids)}/", page)
        elif op == "board" and actor.boards:
            owner = rng.choice(["", "?owner=me"])
            self._timed(op, "GET", f"/deals/pipelines/{rng.choice(actor.boards)}/{owner}", page)
        elif op == "api deals":
            self._timed(op, "GET", "/api/v1/deals?limit=50", api)
        else:
            self._timed(op, "GET", "/api/v1/people?sort=name&limit=50", api)

    def run(self, mine: list[Actor]) -> None:
        while time.monotonic() < self.deadline:
            self.step(self.rng.choice(mine))
        if self.conn is not None:
            self.conn.close()


def summarise(tally: Tally, seconds: float) -> dict[str, Any]:
    everything = [ms for values in tally.latencies.values() for ms in values]
    total = len(everything)

    def stats(values: list[float]) -> dict[str, float]:
        return {
            "count": len(values),
            "p50_ms": round(percentile(values, 0.50), 1),
            "p95_ms": round(percentile(values, 0.95), 1),
            "p99_ms": round(percentile(values, 0.99), 1),
        }

    return {
        "seconds": round(seconds, 1),
        "requests": total,
        "req_per_s": round(total / seconds, 1) if seconds else 0.0,
        **(stats(everything) if everything else {}),
        "errors": sum(tally.errors.values()),
        "error_kinds": dict(tally.errors),
        "statuses": dict(tally.statuses),
        "by_operation": {op: stats(values) for op, values in sorted(tally.latencies.items())},
    }


def run(duration: float, threads: int, workers: int, seed: int = 1) -> dict[str, Any]:
    """Drive `amity serve` for `duration` seconds (at most three hours) and summarise."""
    duration = max(1.0, min(duration, MAX_DURATION))
    cast = actors()
    if not cast:
        raise RuntimeError("No benchmark workspaces here: run `amity bench --generate-only` first.")
    tally = Tally()
    with Server(workers=workers) as server:
        started = time.monotonic()
        deadline = started + duration
        drivers = [Driver(server, tally, deadline, seed + n) for n in range(threads)]
        pool = [
            threading.Thread(target=d.run, args=(cast[n % len(cast) :: threads] or cast,))
            for n, d in enumerate(drivers)
        ]
        for thread in pool:
            thread.start()
        for thread in pool:
            thread.join(duration + 120)
        seconds = time.monotonic() - started
    summary = summarise(tally, seconds)
    summary.update(
        threads=threads,
        server_workers=workers,
        users=len(cast),
        workspaces=len({a.workspace for a in cast}),
        targets={"req_per_s": TARGET_RPS, "p99_ms": TARGET_P99_MS, "errors": 0},
    )
    summary["met"] = (
        summary["req_per_s"] >= TARGET_RPS
        and summary.get("p99_ms", 1e9) < TARGET_P99_MS
        and summary["errors"] == 0
    )
    return summary
