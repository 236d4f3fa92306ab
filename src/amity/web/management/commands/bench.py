"""`amity bench`: generate the benchmark data set and time every scenario (docs/performance.md)."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection

from amity.bench import generator, runner, scenarios


class Command(BaseCommand):
    help = (
        "Build (or reuse) a seeded data set of --contacts people in the configured database, "
        "time each scenario in-process and over HTTP beside its raw-SQL floor, print a table, "
        "write var/bench/results-<db>-<date>.json and fail when a budget is missed."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        default = int(os.environ.get("BENCH_CONTACTS", "1000000"))
        parser.add_argument("--contacts", type=int, default=default)
        parser.add_argument("--seed", type=int, default=int(os.environ.get("BENCH_SEED", "1")))
        parser.add_argument("--rounds", type=int, default=30, help="timed rounds per scenario")
        parser.add_argument("--force", action="store_true", help="regenerate the data set")
        parser.add_argument("--generate-only", action="store_true")
        parser.add_argument("--no-http", action="store_true", help="skip the HTTP pass")
        parser.add_argument("--only", action="append", help="run only this scenario (repeatable)")
        parser.add_argument(
            "--no-fail", action="store_true", help="exit 0 even if a budget is missed"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        contacts, seed = options["contacts"], options["seed"]
        if contacts < 100:
            raise CommandError("Use at least 100 contacts.")
        summary = generator.ensure(
            contacts, seed, force=options["force"], progress=self.stdout.write
        )
        if summary.reused:
            self.stdout.write(f"Reusing the data set of {contacts:,} contacts (seed {seed}).")
            for table, count in sorted(summary.rows.items()):
                self.stdout.write(f"  added to {table:<19} {count:>12,}")
        else:
            self.stdout.write(
                f"Generated {summary.total_rows:,} rows in {summary.seconds:.1f} s: "
                f"{summary.rows_per_second:,.0f} rows/s"
            )
            for table, count in sorted(summary.rows.items()):
                self.stdout.write(f"  {table:<28} {count:>12,}")
        if options["generate_only"]:
            return
        # Pages refer to the hashed static files, as under `amity serve`.
        call_command("collectstatic", interactive=False, verbosity=0)
        scenarios.builtin()
        ds = scenarios.load_dataset(contacts)
        self.stdout.write(f"Timing the scenarios ({options['rounds']} rounds each) …")
        run = runner.Run(
            database=connection.vendor,
            contacts=contacts,
            seed=seed,
            rounds=options["rounds"],
            started=datetime.now(UTC).isoformat(timespec="seconds"),
            machine=runner.machine(),
            generator={
                "reused": summary.reused,
                "rows": summary.rows,
                "seconds": round(summary.seconds, 1),
                "rows_per_s": round(summary.rows_per_second),
            },
        )
        run.figures = runner.run_scenarios(
            ds,
            rounds=options["rounds"],
            http=not options["no_http"],
            only=options["only"],
            progress=self.stdout.write,
        )
        self.stdout.write("")
        self.stdout.write(
            f"{contacts:,} contacts on {connection.vendor}, {run.machine['cpus']} CPUs, "
            f"load {run.machine['load_average']}; times in ms, floor = raw-SQL p95"
        )
        self.stdout.write(runner.table(run))
        path = runner.write_json(run, settings.VAR_DIR / "bench", partial=bool(options["only"]))
        self.stdout.write(f"\nWrote {path}")
        missed = [f"{f.scenario} ({f.mode})" for f in run.figures if f.missed]
        failed = [
            f"{f.scenario} ({f.mode}): HTTP {f.status}"
            for f in run.figures
            if f.status not in (None, 200)
        ]
        if failed:
            raise CommandError("Scenarios answered with errors: " + ", ".join(failed))
        if missed and not options["no_fail"]:
            raise CommandError("Budgets missed: " + ", ".join(missed))
