"""Background jobs of the sales app, run by `amity worker`."""

from __future__ import annotations

from django.tasks import task

from amity.sales import scoring


@task()
def rescore_lead(workspace_id: int, lead_id: int) -> int | None:
    """Recompute a lead's score from the workspace's scoring rules."""
    return scoring.rescore(workspace_id, lead_id)
