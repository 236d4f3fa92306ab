"""The import fast path (DESIGN §7: ≥ 10,000 rows/s with duplicate checks).

A benchmark, not part of CI: `AMITY_IMPORT_BENCH=100000 make pytest-sqlite
PYTEST_ARGS="tests/imports/test_import_speed.py -s"` (and the same with
pytest-postgres) prints rows per second for a first import (all creates) and a
re-run of the same file with the update rule (all duplicates, all unchanged).
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import pytest

from amity.customers.imports import jobs
from amity.customers.models import Person
from tests.conftest import World

ROWS = int(os.environ.get("AMITY_IMPORT_BENCH", "0"))
pytestmark = pytest.mark.skipif(ROWS == 0, reason="set AMITY_IMPORT_BENCH=<rows> to measure")


def _csv(rows: int) -> bytes:
    lines = ["First Name,Last Name,Email,Phone,Mobile,Job Title,City,Country,National ID"]
    for n in range(rows):
        lines.append(
            f"Given{n},Family{n % 5000},person{n}@example.test,+47 {20000000 + n},"
            f"+47 {90000000 + n},Engineer,Oslo,NO,{10000000000 + n}"
        )
    return ("\r\n".join(lines) + "\r\n").encode()


def test_it_imports_at_least_ten_thousand_rows_a_second(
    world: World, settings: Any, tmp_path: Path
) -> None:
    settings.VAR_DIR = tmp_path
    data = _csv(ROWS)
    for label in ("create", "update (all unchanged)"):
        member = world.member(world.alice)
        job = jobs.upload(member, "person", "bench.csv", data)
        mapping = {int(i): k for i, k in job.mapping.items()}
        jobs.configure(member, job, mapping, "email", "update")
        jobs.start(member, job)
        started, cpu = time.perf_counter(), time.process_time()
        jobs.run(job.pk, job.workspace_id)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        job = jobs.reload(job)
        print(
            f"\n{label}: {ROWS} rows in {elapsed:.2f} s = {ROWS / elapsed:,.0f} rows/s "
            f"(this process's CPU: {cpu:.2f} s = {ROWS / cpu:,.0f} rows/s)"
        )
        assert job.status == "done"
        assert job.failed == 0
    assert Person.objects.filter(workspace=world.acme).count() == ROWS
    assert ROWS / elapsed >= 10_000 or ROWS < 50_000
