"""Measure the pipeline board at scale: `amity benchboard --deals 200000` (DESIGN §7).

Run it against a throwaway database (AMITY_SQLITE_PATH=/tmp/bench.sqlite3 or a
DATABASE_URL): it creates a workspace `bench-sales` with one pipeline, N deals
spread over its stages, currencies and 20 owners, then times whole board
requests (middleware, queries, template) and prints p50/p95 beside the raw SQL
of the column totals.
"""

from __future__ import annotations

import random
import statistics
import time
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.test import Client
from django.utils import timezone

from amity.core import services as core_services
from amity.core.models import Membership, User, Workspace
from amity.sales import services
from amity.sales.models import Deal, Stage

SLUG = "bench-sales"
OWNERS = 20
CHUNK = 5000


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


class Command(BaseCommand):
    help = "Create N deals in a bench workspace and time the pipeline board."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--deals", type=int, default=200_000)
        parser.add_argument("--requests", type=int, default=40)

    def handle(self, *args: Any, **options: Any) -> None:
        workspace = Workspace.objects.filter(slug=SLUG).first()
        if workspace is None:
            workspace = core_services.create_workspace("Bench sales", SLUG)
        pipeline = services.install_default_pipeline(workspace)
        stages = list(Stage.objects.filter(workspace=workspace, pipeline=pipeline))
        users = self._owners(workspace)
        services.set_rate(
            Membership.objects.select_related("user", "role").get(
                workspace=workspace, user=users[0]
            ),
            "USD",
            timezone.localdate(),
            "0.92",
        )
        have = Deal.objects.filter(workspace=workspace).count()
        if have < options["deals"]:
            self._fill(workspace, pipeline.pk, stages, users, options["deals"] - have)
            services.rebuild_totals(workspace.pk)
        with connection.cursor() as cursor:
            # Fresh statistics (and on PostgreSQL the visibility map) after the bulk load.
            cursor.execute("ANALYZE" if connection.vendor == "sqlite" else "VACUUM (ANALYZE)")
        total = Deal.objects.filter(workspace=workspace).count()
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(users[0])
        session = client.session
        session["epoch"] = users[0].session_epoch
        session["started_at"] = int(time.time())
        session.save()
        url = f"/deals/pipelines/{pipeline.pk}/"
        for label, query in (("whole board", ""), ("owner=me", "?owner=me")):
            times, cpu = [], []
            for _ in range(options["requests"]):
                start, start_cpu = time.perf_counter(), time.process_time()
                response = client.get(url + query)
                times.append((time.perf_counter() - start) * 1000)
                cpu.append((time.process_time() - start_cpu) * 1000)
                assert response.status_code == 200, response.status_code
            # CPU time shows the cost apart from other processes competing for the cores.
            self.stdout.write(
                f"{connection.vendor} {total} deals, board {label}: "
                f"wall p50 {statistics.median(times):.1f} ms, p95 {_p95(times):.1f} ms; "
                f"CPU p50 {statistics.median(cpu):.1f} ms, p95 {_p95(cpu):.1f} ms"
            )
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT stage_id, currency, COUNT(*), SUM(amount) FROM sales_deal "
                "WHERE workspace_id = %s AND pipeline_id = %s AND deleted_at IS NULL "
                "GROUP BY stage_id, currency",
                [workspace.pk, pipeline.pk],
            )
            cursor.fetchall()
        self.stdout.write(f"raw SQL column totals: {(time.perf_counter() - start) * 1000:.1f} ms")

    def _owners(self, workspace: Workspace) -> list[User]:
        users = []
        for n in range(OWNERS):
            user, created = User.objects.get_or_create(email=f"seller{n}@{SLUG}.test")
            if created:
                core_services.add_member(workspace, user, "admin" if n == 0 else "sales")
            users.append(user)
        return users

    def _fill(
        self, workspace: Workspace, pipeline_id: int, stages: list[Stage], users: list[User], n: int
    ) -> None:
        rng = random.Random(5)
        now = timezone.now()
        for start in range(0, n, CHUNK):
            rows = []
            for i in range(start, min(n, start + CHUNK)):
                stage = rng.choice(stages)
                entered = now - timedelta(minutes=rng.randrange(0, 60 * 24 * 365))
                rows.append(
                    Deal(
                        workspace=workspace,
                        owner_id=rng.choice(users).pk,
                        name=f"Bench deal {i}",
                        amount=Decimal(rng.randrange(100, 10_000_000)) / 100,
                        currency=rng.choice(("EUR", "EUR", "EUR", "USD")),
                        pipeline_id=pipeline_id,
                        stage=stage,
                        status="won" if stage.is_won else "lost" if stage.is_lost else "open",
                        stage_entered_at=entered,
                        created_at=entered,
                        updated_at=entered,
                    )
                )
            with transaction.atomic():
                Deal.objects.bulk_create(rows)
            self.stdout.write(f"  {min(n, start + CHUNK)} / {n} deals")
