"""Background jobs of the sales app, run by `amity worker`."""

from __future__ import annotations

from django.tasks import task

from amity.sales import scoring


@task()
def rescore_lead(workspace_id: int, lead_id: int) -> int | None:
    """Recompute a lead's score from the workspace's scoring rules."""
    return scoring.rescore(workspace_id, lead_id)


@task()
def rescore_person(workspace_id: int, person_id: int) -> int | None:
    """Recompute a person's score (PersonScore) from the workspace's scoring rules."""
    return scoring.rescore_person(workspace_id, person_id)


@task()
def rescore_workspace(workspace_id: int) -> int:
    """Recompute the scores of a workspace's new leads and people after a rule changed."""
    return scoring.rescore_workspace(workspace_id)
