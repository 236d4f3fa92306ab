"""Behaviour the sales scoring rules count that lives in the activities app.

The web app sits above both, so it joins them: sales never imports activities.
"""

from __future__ import annotations

from django.utils import timezone


def meeting_held(workspace_id: int, person_id: int) -> bool:
    """Whether a meeting with the person was logged, or a meeting event with them has ended."""
    from amity.activities.models import Event, Interaction

    logged = Interaction.objects.filter(
        workspace_id=workspace_id,
        person_id=person_id,
        kind=Interaction.Kind.MEETING,
        outcome=Interaction.Outcome.HELD,
        deleted_at__isnull=True,
    ).exists()
    return (
        logged
        or Event.objects.filter(
            workspace_id=workspace_id,
            person_id=person_id,
            kind=Event.Kind.MEETING,
            ends_at__lte=timezone.now(),
            deleted_at__isnull=True,
        ).exists()
    )


def register() -> None:
    from amity.sales import scoring
    from amity.sales.models import ScoringRule

    scoring.register_behaviour(ScoringRule.Attribute.MEETING_HELD, meeting_held)
