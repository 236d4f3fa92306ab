"""`amity bench_load`: the R9 load test against `amity serve` on the benchmark data set."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from amity.bench import load
from amity.bench.runner import machine


class Command(BaseCommand):
    help = (
        "Run a bounded load test (80 % reads, 20 % writes with If-Match, several users of "
        "several workspaces) against `amity serve` on 127.0.0.1 for --duration seconds; "
        "report req/s, p50/p95/p99 and errors, and fail when the R9 targets are missed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--duration", type=float, default=600.0, help="seconds (max 3 h)")
        parser.add_argument("--threads", type=int, default=8, help="concurrent clients")
        parser.add_argument("--workers", type=int, default=2, help="server worker processes")
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--no-fail", action="store_true")

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(
            f"Load test: {options['duration']:.0f} s, {options['threads']} clients, "
            f"{options['workers']} server workers, {connection.vendor} …"
        )
        summary = load.run(
            options["duration"], options["threads"], options["workers"], options["seed"]
        )
        summary.update(database=connection.vendor, machine=machine())
        self.stdout.write(
            f"{summary['requests']:,} requests in {summary['seconds']} s: "
            f"{summary['req_per_s']} req/s, p50 {summary.get('p50_ms')} ms, "
            f"p95 {summary.get('p95_ms')} ms, p99 {summary.get('p99_ms')} ms, "
            f"{summary['errors']} errors ({summary['users']} users, "
            f"{summary['workspaces']} workspaces)"
        )
        for op, figures in summary["by_operation"].items():
            self.stdout.write(
                f"  {op:<11} {figures['count']:>7,}  p50 {figures['p50_ms']:>7} ms  "
                f"p95 {figures['p95_ms']:>7} ms  p99 {figures['p99_ms']:>7} ms"
            )
        if summary["error_kinds"]:
            self.stdout.write(f"  errors: {summary['error_kinds']}")
        directory = settings.VAR_DIR / "bench"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"load-{connection.vendor}-{datetime.now(UTC):%Y-%m-%d}.json"
        path.write_text(json.dumps(summary, indent=2) + "\n")
        self.stdout.write(f"Wrote {path}")
        if not summary["met"] and not options["no_fail"]:
            raise CommandError(
                f"R9 targets missed (≥ {load.TARGET_RPS} req/s, p99 < {load.TARGET_P99_MS} ms, "
                "0 errors)."
            )
