"""Background jobs of the customers app, run by `amity worker`."""

from __future__ import annotations

from django.tasks import task

from amity.customers import bulk, exports


@task()
def build_export(job_id: int, workspace_id: int) -> str:
    """Write a large list export to var/exports and mark its job done."""
    return exports.run_job(job_id, workspace_id)


@task()
def run_bulk(job_id: int, workspace_id: int) -> str:
    """Run a large bulk action (assign owner, move to trash) and mark its job done."""
    return bulk.run_job(job_id, workspace_id)


@task()
def run_tag_job(job_id: int, workspace_id: int) -> str:
    """Follow up a tag renamed, merged or deleted on many records (history, search)."""
    from amity.customers import tags

    return tags.run_job(job_id, workspace_id)


@task()
def run_import(job_id: int, workspace_id: int) -> str:
    """Run an import job all or nothing; a second run of a done job does nothing."""
    from amity.customers.imports import jobs

    return jobs.run(job_id, workspace_id)


@task()
def refresh_duplicates(
    workspace_id: int, kind: str, ids: list[int] | None = None, write_keys: bool = False
) -> int:
    """Recompute duplicate pairs: of some records after they changed, or of the workspace.

    `write_keys`: write the records' blocking keys first (records an import wrote).
    """
    from amity.customers import duplicates

    if kind not in duplicates.MODELS:
        return 0
    if ids is None:
        return duplicates.refresh_workspace(workspace_id, kind)
    if write_keys:
        duplicates.rewrite_keys(workspace_id, kind, ids)
    return duplicates.refresh_records(workspace_id, kind, ids)
