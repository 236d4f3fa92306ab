"""Lead scores from admin-defined rules: points per attribute value or behaviour.

Each rule that matches adds its points (negative points take some away, as the
inactivity decay does); the lead keeps the list of rules that gave points, so
the screen can say why. Email opened/clicked are meant to become further
`ScoringRule.Attribute` values once the channels app records those events.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from amity.sales.models import Lead, ScoringRule


def _matches(rule: ScoringRule, lead: Lead) -> bool:
    value = rule.value.strip().lower()
    kind = ScoringRule.Attribute
    if rule.attribute == kind.COUNTRY:
        return lead.country.lower() == value
    if rule.attribute == kind.EMAIL_DOMAIN:
        return lead.email.lower().rpartition("@")[2] == value.lstrip("@")
    if rule.attribute == kind.SOURCE:
        return lead.source.lower() == value
    if rule.attribute == kind.COMPANY:
        return bool(value) and value in lead.company_name.lower()
    if rule.attribute == kind.FORM_SUBMITTED:
        return lead.source == "web"
    if rule.attribute == kind.INACTIVE_DAYS:
        days = int(value) if value.isdigit() else 0
        return (timezone.now() - lead.updated_at).days > days
    return False


def explain(lead: Lead, rules: list[ScoringRule]) -> tuple[int, list[dict[str, Any]]]:
    """Return the lead's score and which rules gave how many points."""
    reasons = [
        {"rule": rule.pk, "label": str(rule), "points": rule.points}
        for rule in rules
        if _matches(rule, lead)
    ]
    return sum(rule.points for rule in rules if _matches(rule, lead)), reasons


def rules_of(workspace_id: int) -> list[ScoringRule]:
    return list(ScoringRule.objects.filter(workspace_id=workspace_id, active=True).order_by("id"))


def rescore(workspace_id: int, lead_id: int) -> int | None:
    """Recompute one lead's score (idempotent); return it, or None when the lead is gone."""
    lead = Lead.objects.filter(workspace_id=workspace_id, pk=lead_id).first()
    if lead is None:
        return None
    score, reasons = explain(lead, rules_of(workspace_id))
    # Not a user's edit: the version stays, so no one's open form goes stale.
    Lead.objects.filter(workspace_id=workspace_id, pk=lead_id).update(
        score=score, score_reasons=reasons
    )
    return score


def rescore_later(workspace_id: int, lead_id: int) -> None:
    """Have the worker rescore the lead once the current transaction commits."""
    from amity.sales.tasks import rescore_lead

    transaction.on_commit(lambda: rescore_lead.enqueue(workspace_id, lead_id))
