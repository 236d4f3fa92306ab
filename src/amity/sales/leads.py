"""Verbs on leads: capture (web form, by hand), assignment to the least busy seller, and
conversion into a company, a person and a deal in one step."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit, rate_limit, search
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Workspace
from amity.customers import services as customers
from amity.customers import timeline
from amity.customers.models import Size
from amity.sales import rules, scoring, services
from amity.sales.models import IncomeBracket, Lead, LeadFormHit, SalesSettings

LEAD_FIELDS = (
    "first_name",
    "last_name",
    "email",
    "phone",
    "company_name",
    "country",
    "message",
    "job_title",
    "industry",
    "company_size",
    "income_bracket",
)
LIMITS = {
    "job_title": 120,
    "industry": 100,
    "company_size": 10,
    "income_bracket": 10,
    "first_name": 100,
    "last_name": 100,
    "email": 254,
    "phone": 40,
    "company_name": 200,
    "country": 2,
    "message": 5000,
}
# Web-to-lead posts allowed per client address and workspace in one minute.
FORM_POSTS_PER_MINUTE = 5


def form_key(workspace_id: int) -> str:
    """Return the workspace's web-to-lead key, making one on first use."""
    found = services.settings_for(workspace_id)
    if not found.lead_form_key:
        SalesSettings.objects.filter(
            pk=found.pk, workspace_id=workspace_id, lead_form_key=""
        ).update(lead_form_key=secrets.token_urlsafe(24))
        found.refresh_from_db()
    return found.lead_form_key


def workspace_for_key(key: str) -> Workspace | None:
    if not key or len(key) > 64:
        return None
    found = SalesSettings.objects.filter(lead_form_key=key).select_related("workspace").first()
    return found.workspace if found is not None else None


def _clean(data: dict[str, Any]) -> dict[str, str]:
    cleaned: dict[str, str] = {}
    for name in LEAD_FIELDS:
        value = str(data.get(name) or "").strip()
        if "\x00" in value:
            raise ValidationError({name: _("Remove the NUL character.")})
        if len(value) > LIMITS[name]:
            raise ValidationError({name: _("This value is too long.")})
        cleaned[name] = value
    if not cleaned["last_name"]:
        raise ValidationError({"last_name": _("Give at least a last name.")})
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError as exc:
            raise ValidationError({"email": exc.messages}) from exc
    country = cleaned["country"].upper()
    if country and not (len(country) == 2 and country.isalpha()):
        raise ValidationError({"country": _("Two-letter code, such as NO or GB.")})
    cleaned["country"] = country
    if cleaned["company_size"] and cleaned["company_size"] not in Size.values:
        raise ValidationError({"company_size": _("Choose one of the sizes.")})
    if cleaned["income_bracket"] and cleaned["income_bracket"] not in IncomeBracket.values:
        raise ValidationError({"income_bracket": _("Choose one of the income brackets.")})
    return cleaned


def _create(
    book: rules.RuleBook, data: dict[str, Any], source: str, owner_id: int | None, actor: Any
) -> Lead:
    """Make one lead: assigned, classified and scored from `book` (the rules read once)."""
    workspace_id = book.workspace_id
    cleaned = _clean(data)
    source = source[:40]
    rule_id = None
    if owner_id is None:
        owner_id, rule_id = rules.assignee(workspace_id, source, cleaned["country"], book)
    lead = Lead(workspace_id=workspace_id, owner_id=owner_id, source=source, **cleaned)
    rules.classify(lead, book)
    # A new lead's facts are all on the row: scored here, not by a worker read per lead.
    lead.score, lead.score_reasons = scoring.explain(lead, book.scoring)
    lead.save()
    search.index(lead)
    audit.record(
        audit.Action.CREATE,
        workspace=workspace_id,
        actor=actor,
        actor_label="" if actor else "web-to-lead form",
        obj=lead,
        changes={
            **{k: [None, v] for k, v in cleaned.items() if v and k != "message"},
            **({"assignment_rule": [None, rule_id]} if rule_id else {}),
            **{k: [None, getattr(lead, k)] for k in rules.CLASSIFIED_FIELDS if getattr(lead, k)},
        },
    )
    return lead


@transaction.atomic
def create_lead(member: Membership, data: dict[str, Any], source: str = "manual") -> Lead:
    """Add a lead by hand or through the API; unassigned ones go to the least busy seller."""
    access.require(member, "lead", "create")
    owner = data.pop("owner", None)
    return _create(rules.RuleBook(member.workspace_id), data, source, owner, member.user)


def allow_form_post(workspace: Workspace, ip: str) -> bool:
    """Count a web-to-lead post from `ip`; return False past the per-minute limit."""
    return rate_limit.count_hit(LeadFormHit, workspace.pk, ip) <= FORM_POSTS_PER_MINUTE


@dataclass(frozen=True)
class RowProblem:
    """Why one imported row cannot be a lead; `row` counts data rows from 1."""

    row: int
    field: str
    message: str


def row_problems(rows: list[dict[str, Any]]) -> list[RowProblem]:
    """Check every row as a new lead would be checked; return each bad row's first problem."""
    problems = []
    for number, row in enumerate(rows, start=1):
        try:
            _clean(row)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                name, errors = next(iter(exc.error_dict.items()))
                message = " ".join(m for e in errors for m in e.messages)
            else:
                name, message = "__all__", " ".join(exc.messages)
            problems.append(RowProblem(number, name, message))
    return problems


@transaction.atomic
def import_leads(
    member: Membership, rows: list[dict[str, Any]], source: str = "import", origin: str = ""
) -> list[Lead]:
    """Create leads from imported rows in one transaction (all or none), each assigned,
    classified and scored like any other; a bad row raises with its number. One audit
    event sums the import up (`origin`: the file's name or "api")."""
    access.require(member, "lead", "create")
    created = _import_rows(member, rows, source)
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="lead_import",
        object_repr=origin[:200] or source,
        changes={"rows": len(rows), "leads": [lead.pk for lead in created][:1000]},
    )
    return created


def _import_rows(member: Membership, rows: list[dict[str, Any]], source: str) -> list[Lead]:
    book = rules.RuleBook(member.workspace_id)
    created = []
    for number, row in enumerate(rows, start=1):
        data = dict(row)
        owner = data.pop("owner", None)
        try:
            created.append(
                _create(book, data, data.pop("source", "") or source, owner, member.user)
            )
        except ValidationError as exc:
            raise ValidationError(
                _("Row %(number)s: %(errors)s")
                % {"number": number, "errors": " ".join(exc.messages)}
            ) from exc
    return created


EDITABLE = (*LEAD_FIELDS, "source")


@transaction.atomic
def update_lead(
    member: Membership, lead: Lead, data: dict[str, Any], *, expected_version: int
) -> Lead:
    """Change a new lead's fields if it is still at `expected_version`; reclassify, rescore."""
    access.require(member, "lead", "edit", lead)
    merged = {name: getattr(lead, name) for name in LEAD_FIELDS}
    merged.update({k: v for k, v in data.items() if k in LEAD_FIELDS})
    cleaned = _clean(merged)
    before = {name: getattr(lead, name) for name in (*LEAD_FIELDS, *rules.CLASSIFIED_FIELDS)}
    for name, value in cleaned.items():
        setattr(lead, name, value)
    if "source" in data:
        lead.source = str(data["source"] or "").strip()[:40]
    rules.classify(lead)
    now = timezone.now()
    columns = {name: getattr(lead, name) for name in (*EDITABLE, *rules.CLASSIFIED_FIELDS)}
    updated = Lead.objects.filter(
        pk=lead.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        deleted_at__isnull=True,
    ).update(**columns, classified_by=lead.classified_by, version=F("version") + 1, updated_at=now)
    if not updated:
        raise VersionConflict(
            Lead.objects.filter(pk=lead.pk, workspace_id=member.workspace_id).first()
        )
    lead.version, lead.updated_at = expected_version + 1, now
    changes = {
        k: [v, getattr(lead, k)]
        for k, v in before.items()
        if v != getattr(lead, k) and k != "message"
    }
    search.index(lead)
    scoring.rescore_later(member.workspace_id, lead.pk)
    if changes:
        audit.record(
            audit.Action.UPDATE,
            workspace=member.workspace_id,
            actor=member.user,
            obj=lead,
            changes=changes,
        )
    return lead


@transaction.atomic
def capture_from_form(workspace: Workspace, data: dict[str, Any]) -> Lead:
    """Create a lead posted to the public web-to-lead form (source "web")."""
    return _create(rules.RuleBook(workspace.pk), data, "web", None, None)


@transaction.atomic
def convert(
    member: Membership, lead: Lead, *, expected_version: int, with_deal: bool = True
) -> Lead:
    """Turn a new lead into a company (when named), a person and a deal, in one transaction."""
    access.require(member, "lead", "edit", lead)
    if lead.status != Lead.Status.NEW:
        raise ValidationError(_("This lead is already converted."))
    for kind in ("person",) + (("company",) if lead.company_name else ()):
        if not access.can(member, kind, "create"):
            raise PermissionDenied(_("Your role may not create the records a conversion makes."))
    if with_deal and not access.can(member, "deal", "create"):
        raise PermissionDenied(_("Your role may not create the records a conversion makes."))
    claimed = Lead.objects.filter(
        pk=lead.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        status=Lead.Status.NEW,
        deleted_at__isnull=True,
    ).update(status=Lead.Status.CONVERTED, version=F("version") + 1, updated_at=timezone.now())
    if not claimed:
        raise VersionConflict(
            Lead.objects.filter(pk=lead.pk, workspace_id=member.workspace_id).first()
        )
    owner = lead.owner_id or member.user_id
    company = None
    if lead.company_name:
        company = customers.create_company(member, {"name": lead.company_name, "owner": owner})
    person = customers.create_person(
        member,
        {
            "first_name": lead.first_name,
            "last_name": lead.last_name,
            "email": lead.email,
            "phone": lead.phone,
            "company": company.pk if company else None,
            "owner": owner,
            "billing_country": lead.country,
        },
    )
    deal = None
    if with_deal:
        pipeline = services.install_default_pipeline(member.workspace_id)
        deal = services.create_deal(
            member,
            pipeline,
            {
                "name": str(company or person),
                "company": company.pk if company else None,
                "owner": owner,
            },
            people=[(person.pk, "")],
        )
    # The lead's story goes onto the new person's timeline, with when it began.
    timeline.add(
        member,
        person,
        "lead",
        _("Converted from a lead (source: %(source)s) captured on %(date)s")
        % {"source": lead.source or "—", "date": lead.created_at.date().isoformat()},
        {"lead_id": lead.pk, "message": lead.message[:2000]},
        occurred_at=timezone.now(),
    )
    now = timezone.now()
    Lead.objects.filter(pk=lead.pk, workspace_id=member.workspace_id).update(
        person=person, company=company, deal=deal, converted_at=now
    )
    lead.refresh_from_db()
    search.remove(lead)
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=lead,
        changes={"status": ["new", "converted"]},
    )
    return lead


def add_rule(member: Membership, attribute: str, value: str, points: int) -> Any:
    """Add a scoring rule (admins); the worker rescores leads and people after commit."""
    from amity.sales.models import ScoringRule

    return rules.create_rule(
        member, ScoringRule, {"attribute": attribute, "value": value[:100], "points": points}
    )
