"""The life of an import: upload, mapping and rule, dry run, background run, report.

All-or-nothing: the worker checks, matches and writes all records (a chunk at a
time, writing one while checking the next), their search and timeline entries,
the row errors, the audit event and `status = done` in ONE transaction. A crash
(kill -9) or a cancel rolls it all back; running the job again repeats it from
its stored file and, once `done` is committed, is a no-op. Progress and cancel
requests travel through small files beside the upload, because the job's own row
is locked by the writing transaction (and on SQLite so is every write).
"""

from __future__ import annotations

import gc
import json
import os
import secrets
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.http import Http404
from django.utils import timezone

from amity.core import access, audit
from amity.core.exports import csv_lines
from amity.core.models import Membership
from amity.customers.imports import mapping, parse, plan, writer
from amity.customers.models import ImportJob, ImportRowError

KINDS = ("person", "company")
FIRST_ERRORS = 20
RECENT = 20
Status = ImportJob.Status
ACTIVE = (Status.QUEUED, Status.RUNNING)
# Progress is written at least every chunk (2,000 rows); this long without means a dead worker.
STALE_SECONDS = 120


def import_dir() -> Path:
    """Return var/imports: outside the web root, readable by the app only."""
    path = Path(settings.VAR_DIR) / "imports"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def _path(job: ImportJob, suffix: str = "") -> Path:
    return import_dir() / (Path(job.file_name).name + suffix)


def own_job(member: Membership, pk: Any) -> ImportJob:
    """Return the member's own import; anyone else's (or another workspace's) is a 404."""
    try:
        pk = int(pk)
    except (TypeError, ValueError) as exc:
        raise Http404 from exc
    job = ImportJob.objects.filter(
        pk=pk, workspace_id=member.workspace_id, user_id=member.user_id
    ).first()
    if job is None:
        raise Http404
    return job


def recent(member: Membership) -> list[ImportJob]:
    return list(
        ImportJob.objects.filter(workspace_id=member.workspace_id, user_id=member.user_id).order_by(
            "-created_at", "-id"
        )[:RECENT]
    )


def may_reveal(member: Membership, kind: str) -> bool:
    return kind == "person" and access.can(member, "person", "reveal")


def upload(member: Membership, kind: str, name: str, data: bytes) -> ImportJob:
    """Store an uploaded file, read its header and guess the mapping."""
    if kind not in KINDS:
        raise ValidationError({"kind": "Choose person or company."})
    access.require(member, kind, "create")
    fmt = parse.format_of(name)
    if fmt is None:
        raise ValidationError({"file": "Upload a .csv, .xlsx or .vcf file."})
    if len(data) > parse.MAX_BYTES:
        raise ValidationError({"file": "The file is larger than 25 MB."})
    try:
        table = parse.read(data, fmt)
    except parse.ParseError as exc:
        raise ValidationError({"file": str(exc)}) from exc
    guessed = mapping.guess(
        table.header, kind, may_reveal=may_reveal(member, kind), workspace_id=member.workspace_id
    )
    job = ImportJob.objects.create(
        workspace_id=member.workspace_id,
        user_id=member.user_id,
        kind=kind,
        original_name=Path(name).name[-200:],
        file_format=fmt,
        file_name=f"{member.workspace_id}-{secrets.token_hex(12)}.{fmt}",
        header=table.header,
        total=len(table.rows),
        mapping={str(i): key for i, key in guessed.items()},
    )
    path = _path(job)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    return job


def preview(job: ImportJob, rows: int = 5) -> list[list[str]]:
    """Return the first rows of the stored file."""
    return _table(job).rows[:rows]


def _table(job: ImportJob) -> parse.Table:
    path = _path(job)
    if not path.is_file():
        raise ValidationError("The uploaded file is gone; upload it again.")
    return parse.read(path.read_bytes(), job.file_format)


def configure(
    member: Membership, job: ImportJob, chosen: dict[int, str], match_on: str, on_match: str
) -> ImportJob:
    """Save the mapping and duplicate rule of an import still waiting for them."""
    if job.status != Status.MAPPING:
        raise ValidationError("This import has already started.")
    if match_on not in ImportJob.Match.values or on_match not in ImportJob.OnMatch.values:
        raise ValidationError("Choose a duplicate rule.")
    try:
        clean = mapping.check_mapping(
            chosen,
            job.kind,
            len(job.header),
            may_reveal=may_reveal(member, job.kind),
            workspace_id=member.workspace_id,
        )
    except ValueError as exc:
        raise ValidationError({"mapping": str(exc)}) from exc
    job.mapping = {str(i): key for i, key in clean.items()}
    job.match_on, job.on_match = match_on, on_match
    _save(job, "mapping", "match_on", "on_match")
    return job


def dry_run(member: Membership, job: ImportJob) -> dict[str, Any]:
    """Work out what the import would do, store the counts on the job and write nothing."""
    access.require(member, job.kind, "create")
    table = _table(job)
    result = plan.build(member, job, table.rows)
    summary = {
        "counts": result.counts(),
        "errors": [
            {"row": e.row, "column": e.column, "value": e.value, "code": e.code, "params": e.params}
            for e in result.errors[:FIRST_ERRORS]
        ],
    }
    job.dry_run = summary
    _save(job, "dry_run")
    return summary


def start(member: Membership, job: ImportJob) -> ImportJob:
    """Queue the import; the worker runs it once this transaction commits."""
    if job.status != Status.MAPPING:
        raise ValidationError("This import has already started.")
    access.require(member, job.kind, "create")
    job.status = Status.QUEUED
    _save(job, "status")
    enqueue(job)
    return job


def enqueue(job: ImportJob) -> None:
    from amity.customers.tasks import run_import

    job_id, workspace_id = job.pk, job.workspace_id
    transaction.on_commit(lambda: run_import.enqueue(job_id, workspace_id))


def retry(member: Membership, job: ImportJob) -> ImportJob:
    """Run a failed or interrupted import again (a done one stays done)."""
    if job.status not in (Status.FAILED, Status.RUNNING, Status.QUEUED):
        raise ValidationError("Only a failed or interrupted import can be run again.")
    enqueue(job)
    return job


def cancel(member: Membership, job: ImportJob) -> ImportJob:
    """Stop an import: a waiting one at once, a running one before it commits."""
    if job.status == Status.MAPPING or job.status == Status.QUEUED:
        changed = ImportJob.objects.filter(
            pk=job.pk, workspace_id=job.workspace_id, status=job.status
        ).update(status=Status.CANCELLED, finished_at=timezone.now())
        if changed:
            _discard_file(job)
            return reload(job)
    if job.status == Status.RUNNING or job.status == Status.QUEUED:
        _path(job, ".cancel").touch()
    return reload(job)


def reload(job: ImportJob) -> ImportJob:
    return ImportJob.objects.get(pk=job.pk, workspace_id=job.workspace_id)


def _save(job: ImportJob, *names: str) -> None:
    ImportJob.objects.filter(pk=job.pk, workspace_id=job.workspace_id).update(
        **{name: getattr(job, name) for name in names}
    )


def _discard_file(job: ImportJob) -> None:
    for suffix in ("", ".progress", ".cancel"):
        _path(job, suffix).unlink(missing_ok=True)


def progress(job: ImportJob) -> dict[str, Any]:
    """Return {"phase", "done", "total", "percent"} of a job."""
    total = job.total or 0
    if job.status == Status.DONE:
        return {"phase": "done", "done": total, "total": total, "percent": 100, "stale": False}
    if job.status != Status.RUNNING:
        return {"phase": job.status, "done": 0, "total": total, "percent": 0, "stale": False}
    path = _path(job, ".progress")
    try:
        data = json.loads(path.read_text())
        phase, done = str(data["phase"]), int(data["done"])
        last = path.stat().st_mtime
    except (OSError, ValueError, KeyError, TypeError):
        # Nothing written yet: the worker is reading the file and what rows are matched against.
        phase, done = "checking", 0
        last = job.started_at.timestamp() if job.started_at else time.time()
    # Rows are checked and written a chunk at a time: `done` counts both.
    percent = min(done, total) * 100 // total if total and phase == "writing" else 0
    return {
        "phase": phase,
        "done": done,
        "total": total,
        "percent": min(percent, 99),
        # No progress for a while: the worker probably died; the job may run again.
        "stale": time.time() - last > STALE_SECONDS,
    }


def _write_progress(job: ImportJob, phase: str, done: int) -> None:
    path = _path(job, ".progress")
    temp = path.with_suffix(path.suffix + ".tmp")
    temp.write_text(json.dumps({"phase": phase, "done": done}))
    temp.replace(path)


def run(job_id: int, workspace_id: int) -> str:
    """Run a queued import to the end, all or nothing; return the job's status."""
    job = ImportJob.objects.filter(pk=job_id, workspace_id=workspace_id).first()
    if job is None:
        return "missing"
    if job.status in (Status.DONE, Status.CANCELLED, Status.MAPPING):
        if job.status != Status.MAPPING:
            _discard_file(job)
        return job.status
    member = (
        Membership.objects.select_related("role", "user", "workspace")
        .filter(workspace_id=workspace_id, user_id=job.user_id, is_active=True)
        .first()
    )
    if member is None or not access.can(member, job.kind, "create"):
        return _finish(job, Status.FAILED)
    if _path(job, ".cancel").exists():
        return _finish(job, Status.CANCELLED)
    started = (
        ImportJob.objects.filter(pk=job.pk, workspace_id=workspace_id)
        .exclude(status__in=(Status.DONE, Status.CANCELLED))
        .update(status=Status.RUNNING, attempts=F("attempts") + 1, started_at=timezone.now())
    )
    if not started:  # another run finished it since it was read
        return reload(job).status
    job.status = Status.RUNNING

    def report(phase: str, done: int) -> None:
        _write_progress(job, phase, done)

    def cancelled() -> bool:
        return _path(job, ".cancel").exists()

    # Hundreds of thousands of small objects: the collector would run again and
    # again over them while nothing here makes cycles (DESIGN §10).
    collecting = gc.isenabled()
    gc.disable()
    try:
        table = _table(job)
        with transaction.atomic():
            locked = ImportJob.objects.select_for_update().get(pk=job.pk, workspace_id=workspace_id)
            if locked.status in (Status.DONE, Status.CANCELLED):
                return locked.status  # another run finished it meanwhile
            result = writer.write(member, job, table.rows, progress=report, cancelled=cancelled)
            counts = result.counts()
            ImportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).update(
                status=Status.DONE,
                created=counts["create"],
                updated=counts["update"],
                unchanged=counts["unchanged"],
                skipped=counts["skip"],
                failed=counts["error"],
                finished_at=timezone.now(),
            )
            audit.record(
                audit.Action.CREATE,
                workspace=workspace_id,
                actor=member.user,
                object_type="import",
                object_id=job.pk,
                object_repr=job.original_name,
                changes={
                    "kind": job.kind,
                    "rows": job.total,
                    "counts": counts,
                    "match_on": job.match_on,
                    "on_match": job.on_match,
                    "fields": sorted(job.mapping.values()),
                },
            )
            transaction.on_commit(lambda: _discard_file(job))
    except writer.Cancelled:
        return _finish(job, Status.CANCELLED)
    except Exception:
        # The transaction rolled back; keep the file so the job can run again.
        ImportJob.objects.filter(pk=job.pk, workspace_id=workspace_id).exclude(
            status__in=(Status.DONE, Status.CANCELLED)
        ).update(status=Status.FAILED, finished_at=timezone.now())
        raise
    finally:
        if collecting:
            gc.enable()
    return Status.DONE


def _finish(job: ImportJob, status: str) -> str:
    ImportJob.objects.filter(pk=job.pk, workspace_id=job.workspace_id).exclude(
        status=Status.DONE
    ).update(status=status, finished_at=timezone.now())
    if status == Status.CANCELLED:
        _discard_file(job)
    return status


def error_rows(job: ImportJob) -> Iterator[list[Any]]:
    yield ["Row", "Column", "Value", "Reason"]
    errors = ImportRowError.objects.filter(workspace_id=job.workspace_id, job_id=job.pk).order_by(
        "row", "id"
    )
    for e in errors.iterator(chunk_size=2000):
        yield [e.row, e.column, e.value, mapping.reason_text(e.code, e.params)]


def error_report(job: ImportJob) -> Iterator[str]:
    """Yield the error report as formula-safe CSV lines."""
    return csv_lines(error_rows(job))


def first_errors(job: ImportJob, limit: int = FIRST_ERRORS) -> list[ImportRowError]:
    return list(
        ImportRowError.objects.filter(workspace_id=job.workspace_id, job_id=job.pk).order_by(
            "row", "id"
        )[:limit]
    )


KEEP_DAYS = 30


def purge_old(days: int = KEEP_DAYS) -> int:
    """Drop error reports and leftover files of imports that ended over `days` ago.

    Error rows hold the refused cells (personal data the member chose not to
    keep); the worker runs this with the other housekeeping jobs.
    """
    from datetime import timedelta

    from amity.core.models import Workspace

    cutoff = timezone.now() - timedelta(days=days)
    removed = 0
    for workspace_id in Workspace.objects.values_list("pk", flat=True):
        ended = ImportJob.objects.filter(workspace_id=workspace_id, finished_at__lt=cutoff)
        removed += ImportRowError.objects.filter(
            workspace_id=workspace_id, job__in=ended.values("pk")
        ).delete()[0]
        for job in ended.exclude(file_name=""):
            _discard_file(job)
    return removed
