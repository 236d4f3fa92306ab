"""Scores from admin-defined rules: points per attribute value or behaviour.

The same rules score leads (`Lead.score`) and people (`PersonScore`, a sales-owned
table, so the customers app's Person stays free of sales fields). Each rule that
matches adds its points (negative points take some away, as the inactivity decay
does); the record keeps the list of rules that gave points, so the screen can say why.

Behaviour the sales app cannot see itself (a meeting held lives in a higher app)
comes in through `register_behaviour`: a higher app (web) registers a function that
answers whether a person showed it. An email opened or a link clicked is recorded
by customers.email_tracking (opt-in per workspace), which sales reads itself.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from amity.core.models import Workspace
from amity.customers import email_tracking
from amity.customers.models import Person
from amity.sales.models import Lead, PersonScore, ScoringRule

# (workspace id, person id) → whether the person showed the behaviour.
BehaviourCheck = Callable[[int, int], bool]
_behaviours: dict[str, BehaviourCheck] = {}
# People and leads rescored per workspace on each worker round, for the inactivity decay.
DECAY_BATCH = 500


def register_behaviour(attribute: str, check: BehaviourCheck) -> None:
    """Let a higher app say whether a person showed a behaviour (e.g. "meeting_held")."""
    _behaviours[attribute] = check


@dataclass
class Facts:
    """What the rules look at, the same for a lead and a person."""

    country: str = ""
    email: str = ""
    source: str = ""
    company: str = ""
    industry: str = ""
    company_size: str = ""
    job_title: str = ""
    income_bracket: str = ""
    touched_at: datetime | None = None
    behaviours: set[str] = field(default_factory=set)


def lead_facts(lead: Lead) -> Facts:
    return Facts(
        country=lead.country,
        email=lead.email,
        source=lead.source,
        company=lead.company_name,
        industry=lead.industry,
        company_size=lead.company_size,
        job_title=lead.job_title,
        income_bracket=lead.income_bracket,
        touched_at=lead.updated_at,
        behaviours={ScoringRule.Attribute.FORM_SUBMITTED} if lead.source == "web" else set(),
    )


def person_facts(person: Person, rules: list[ScoringRule]) -> Facts:
    company = person.company if person.company_id is not None else None
    wanted = {rule.attribute for rule in rules}
    behaviours: set[str] = set()
    attribute = ScoringRule.Attribute
    # Sales can see this one itself: a lead from the web form with the person's email.
    if (
        attribute.FORM_SUBMITTED in wanted
        and person.email
        and Lead.objects.filter(
            workspace_id=person.workspace_id, email__iexact=person.email, source="web"
        ).exists()
    ):
        behaviours.add(attribute.FORM_SUBMITTED)
    if attribute.EMAIL_OPENED in wanted and email_tracking.has_opened(
        person.workspace_id, person.pk
    ):
        behaviours.add(attribute.EMAIL_OPENED)
    if attribute.LINK_CLICKED in wanted and email_tracking.has_clicked(
        person.workspace_id, person.pk
    ):
        behaviours.add(attribute.LINK_CLICKED)
    for name, check in _behaviours.items():
        if name in wanted and check(person.workspace_id, person.pk):
            behaviours.add(name)
    return Facts(
        country=person.billing_country,
        email=person.email,
        source=getattr(person, "source", "") or "",
        company=company.name if company else "",
        industry=company.industry if company else "",
        company_size=company.size if company else "",
        job_title=person.title,
        touched_at=person.updated_at,
        behaviours=behaviours,
    )


def _matches(rule: ScoringRule, facts: Facts) -> bool:
    value = rule.value.strip().lower()
    kind = ScoringRule.Attribute
    exact: dict[str, str] = {
        kind.COUNTRY: facts.country,
        kind.SOURCE: facts.source,
        kind.INDUSTRY: facts.industry,
        kind.COMPANY_SIZE: facts.company_size,
        kind.INCOME_BRACKET: facts.income_bracket,
    }
    if rule.attribute in exact:
        return bool(value) and exact[rule.attribute].strip().lower() == value
    if rule.attribute == kind.EMAIL_DOMAIN:
        return facts.email.lower().rpartition("@")[2] == value.lstrip("@")
    if rule.attribute == kind.COMPANY:
        return bool(value) and value in facts.company.lower()
    if rule.attribute == kind.JOB_TITLE:
        return bool(value) and value in facts.job_title.lower()
    if rule.attribute == kind.INACTIVE_DAYS:
        days = int(value) if value.isdigit() else 0
        return facts.touched_at is not None and (timezone.now() - facts.touched_at).days > days
    return rule.attribute in facts.behaviours


def explain_facts(facts: Facts, rules: list[ScoringRule]) -> tuple[int, list[dict[str, Any]]]:
    """Return the score and which rules gave how many points."""
    reasons = [
        {"rule": rule.pk, "label": str(rule), "points": rule.points}
        for rule in rules
        if _matches(rule, facts)
    ]
    return sum(rule.points for rule in rules if _matches(rule, facts)), reasons


def explain(lead: Lead, rules: list[ScoringRule]) -> tuple[int, list[dict[str, Any]]]:
    """Return the lead's score and which rules gave how many points."""
    return explain_facts(lead_facts(lead), rules)


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


def rescore_person(workspace_id: int, person_id: int) -> int | None:
    """Recompute one person's score into PersonScore; None when the person is gone."""
    person = (
        Person.objects.filter(workspace_id=workspace_id, pk=person_id, deleted_at__isnull=True)
        .select_related("company")
        .first()
    )
    if person is None:
        PersonScore.objects.filter(workspace_id=workspace_id, person_id=person_id).delete()
        return None
    rules = rules_of(workspace_id)
    score, reasons = explain_facts(person_facts(person, rules), rules)
    values = {"score": score, "reasons": reasons, "computed_at": timezone.now()}
    mine = PersonScore.objects.filter(workspace_id=workspace_id, person_id=person_id)
    if not mine.update(**values):
        try:
            with transaction.atomic():
                PersonScore.objects.create(workspace_id=workspace_id, person_id=person_id, **values)
        except IntegrityError:  # another worker scored them meanwhile
            mine.update(**values)
    return score


def rescore_later(workspace_id: int, lead_id: int) -> None:
    """Have the worker rescore the lead once the current transaction commits."""
    from amity.sales.tasks import rescore_lead

    transaction.on_commit(lambda: rescore_lead.enqueue(workspace_id, lead_id))


def rescore_person_later(workspace_id: int, person_id: int) -> None:
    """Have the worker rescore the person once the current transaction commits."""
    from amity.sales.tasks import rescore_person as task

    transaction.on_commit(lambda: task.enqueue(workspace_id, person_id))


def rescore_workspace_later(workspace_id: int) -> None:
    """Have the worker rescore every new lead and person of the workspace (rules changed)."""
    from amity.sales.tasks import rescore_workspace

    transaction.on_commit(lambda: rescore_workspace.enqueue(workspace_id))


def rescore_workspace(workspace_id: int, limit: int = 5000) -> int:
    """Rescore the workspace's new leads and living people (at most `limit` of each)."""
    lead_ids = Lead.objects.filter(
        workspace_id=workspace_id, status=Lead.Status.NEW, deleted_at__isnull=True
    ).values_list("pk", flat=True)[:limit]
    person_ids = Person.objects.filter(
        workspace_id=workspace_id, deleted_at__isnull=True
    ).values_list("pk", flat=True)[:limit]
    done = 0
    for lead_id in list(lead_ids):
        rescore(workspace_id, lead_id)
        done += 1
    for person_id in list(person_ids):
        rescore_person(workspace_id, person_id)
        done += 1
    return done


def decay_sweep() -> int:
    """Rescore scores older than a day where a decay rule exists (a worker sweep)."""
    done = 0
    stale = timezone.now() - timedelta(days=1)
    decaying = ScoringRule.objects.filter(
        workspace_id__in=Workspace.objects.values("pk"),
        attribute=ScoringRule.Attribute.INACTIVE_DAYS,
        active=True,
    ).values_list("workspace_id", flat=True)
    for workspace_id in sorted(set(decaying)):
        ids = PersonScore.objects.filter(
            workspace_id=workspace_id, computed_at__lt=stale
        ).values_list("person_id", flat=True)[:DECAY_BATCH]
        for person_id in list(ids):
            rescore_person(workspace_id, person_id)
            done += 1
    return done
