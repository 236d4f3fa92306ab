"""Measure the import fast path: `amity bench_import --rows 100000` (DESIGN §7)."""

from __future__ import annotations

import secrets
import time
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from amity.core import services
from amity.core.models import Membership, User
from amity.customers.imports import jobs, plan


def bench_csv(rows: int, *, sensitive: bool = True) -> bytes:
    """Return a CSV of `rows` distinct people, as an exported CRM list looks."""
    head = "First Name,Last Name,Email,Phone,Mobile,Job Title,City,Country"
    lines = [head + (",National ID" if sensitive else "")]
    for n in range(rows):
        line = (
            f"Given{n},Family{n % 5000},person{n}@example.test,+47 {20000000 + n},"
            f"+47 {90000000 + n},Engineer,Oslo,NO"
        )
        lines.append(line + (f",{10000000000 + n}" if sensitive else ""))
    return ("\r\n".join(lines) + "\r\n").encode()


class Command(BaseCommand):
    help = "Import generated people into a new workspace and print rows per second."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--rows", type=int, default=100_000)
        parser.add_argument("--no-sensitive", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        rows = options["rows"]
        slug = f"bench-{secrets.token_hex(4)}"
        workspace = services.create_workspace("Import bench", slug)
        user = User.objects.create(email=f"admin@{slug}.test")
        services.add_member(workspace, user, "admin")
        member = Membership.objects.select_related("role", "user").get(
            workspace=workspace, user=user
        )
        data = bench_csv(rows, sensitive=not options["no_sensitive"])
        self.stdout.write(f"{connection.vendor}: {rows} rows, {len(data) / 1e6:.1f} MB")
        for label in ("first import (creates)", "same file again, update rule (unchanged)"):
            job = jobs.upload(member, "person", "bench.csv", data)
            chosen = {int(i): k for i, k in job.mapping.items()}
            jobs.configure(member, job, chosen, "email", "update")
            started = time.perf_counter()
            dry = plan.build(member, job, jobs._table(job).rows)
            checked = time.perf_counter() - started
            jobs.start(member, job)
            started, cpu = time.perf_counter(), time.process_time()
            status = jobs.run(job.pk, workspace.pk)
            wall, cpu = time.perf_counter() - started, time.process_time() - cpu
            job = jobs.reload(job)
            self.stdout.write(
                f"{label}: {status}, {dry.counts()}; dry run {checked:.2f} s; "
                f"run {wall:.2f} s = {rows / wall:,.0f} rows/s "
                f"(CPU of this process {cpu:.2f} s)"
            )
