"""Lead rules admins define: who gets a new lead (assignment) and how it is classified.

Assignment: the first active rule (by position) whose conditions match the lead picks
its owner: a named member, the next member of a team in turn (round-robin, its state
kept on the rule row and moved under a row lock), or the team member with the fewest
new leads. When no rule matches, or the one that matches finds nobody, the lead goes
to the least busy seller of the workspace (the default fallback).

Classification: per target field (segment, priority), the first matching rule that
sets it wins; the lead remembers which rule set what.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, F, Model
from django.http import Http404
from django.utils.translation import gettext as _

from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Team
from amity.customers.models import Size
from amity.sales.models import (
    AssignmentRule,
    ClassificationRule,
    IncomeBracket,
    Lead,
    LeadPriority,
    RuleConditions,
    ScoringRule,
)

CLASSIFIED_FIELDS = ("segment", "priority")
R = TypeVar("R", AssignmentRule, ClassificationRule, ScoringRule)
# Roles whose members get leads no rule assigns (the least busy of them).
ASSIGNEE_ROLES = ("sales",)


@dataclass
class RuleBook:
    """A workspace's lead rules and assignable members, read once for many new leads.

    An import of 2,000 rows builds one and hands it to each lead, so the rules are not
    read again per row; a single new lead builds its own. The load of new leads per
    member is read once too and counted up as the book assigns leads.
    """

    workspace_id: int
    _members: list[tuple[int, int | None, str]] | None = field(default=None, repr=False)
    _load: dict[int, int] | None = field(default=None, repr=False)

    # Each list is read on first use, then kept for every lead the book serves.
    @cached_property
    def assignment(self) -> list[AssignmentRule]:
        return list(
            AssignmentRule.objects.filter(workspace_id=self.workspace_id, active=True).order_by(
                "position", "id"
            )
        )

    @cached_property
    def classification(self) -> list[ClassificationRule]:
        return list(
            ClassificationRule.objects.filter(workspace_id=self.workspace_id, active=True).order_by(
                "position", "id"
            )
        )

    @cached_property
    def scoring(self) -> list[ScoringRule]:
        return list(
            ScoringRule.objects.filter(workspace_id=self.workspace_id, active=True).order_by("id")
        )

    def members(self) -> list[tuple[int, int | None, str]]:
        """(user id, team id, role key) of each active member, by user id."""
        if self._members is None:
            self._members = list(
                Membership.objects.filter(workspace_id=self.workspace_id, is_active=True)
                .order_by("user_id")
                .values_list("user_id", "team_id", "role__key")
            )
        return self._members

    def is_active(self, user_id: int) -> bool:
        return any(found == user_id for found, _team, _role in self.members())

    def team(self, team_id: int | None) -> list[int]:
        if team_id is None:
            return []
        return [user_id for user_id, team, _role in self.members() if team == team_id]

    def sellers(self) -> list[int]:
        return [user_id for user_id, _team, role in self.members() if role in ASSIGNEE_ROLES]

    def least_loaded(self, user_ids: list[int]) -> int | None:
        """The one of `user_ids` with the fewest new leads (ties: the lowest id)."""
        if not user_ids:
            return None
        if self._load is None:
            self._load = dict(
                Lead.objects.filter(
                    workspace_id=self.workspace_id,
                    owner_id__isnull=False,
                    status=Lead.Status.NEW,
                    deleted_at__isnull=True,
                )
                .values("owner_id")
                .annotate(n=Count("id"))
                .values_list("owner_id", "n")
            )
        load = self._load
        return min(user_ids, key=lambda user_id: (load.get(user_id, 0), user_id))

    def assigned(self, user_id: int | None) -> None:
        """Count a new lead given to `user_id`, so the next least-busy choice sees it."""
        if user_id is not None and self._load is not None:
            self._load[user_id] = self._load.get(user_id, 0) + 1


def _matches_conditions(rule: RuleConditions, source: str, country: str) -> bool:
    if rule.source and rule.source.strip().lower() != source.strip().lower():
        return False
    countries = rule.country_list()
    return not countries or country.upper() in countries


# Assignment ---------------------------------------------------------------------


def _next_in_turn(rule: AssignmentRule, book: RuleBook) -> int | None:
    """Move the rule's round-robin pointer to the next team member, under a row lock."""
    locked = (
        AssignmentRule.objects.select_for_update()
        .filter(pk=rule.pk, workspace_id=rule.workspace_id)
        .values_list("last_user_id", flat=True)
        .first()
    )
    members = book.team(rule.team_id)
    if not members:
        return None
    later = [user_id for user_id in members if locked is not None and user_id > locked]
    chosen = later[0] if later else members[0]
    AssignmentRule.objects.filter(pk=rule.pk, workspace_id=rule.workspace_id).update(
        last_user_id=chosen
    )
    return chosen


def _pick(rule: AssignmentRule, book: RuleBook) -> int | None:
    strategy = AssignmentRule.Strategy
    if rule.strategy == strategy.USER:
        if rule.user_id is None:
            return None
        return rule.user_id if book.is_active(rule.user_id) else None
    if rule.strategy == strategy.ROUND_ROBIN:
        return _next_in_turn(rule, book)
    return book.least_loaded(book.team(rule.team_id))


def assignee(
    workspace_id: int, source: str, country: str, book: RuleBook | None = None
) -> tuple[int | None, int | None]:
    """Return (owner user id, the rule that chose them or None for the fallback).

    Call inside the transaction that creates the lead: round-robin locks its rule row.
    """
    book = book or RuleBook(workspace_id)
    chosen: int | None = None
    rule_id: int | None = None
    for rule in book.assignment:
        if _matches_conditions(rule, source, country):
            chosen = _pick(rule, book)
            if chosen is not None:
                rule_id = rule.pk
                break
    if chosen is None:
        chosen = book.least_loaded(book.sellers())
    book.assigned(chosen)
    return chosen, rule_id


# Classification -----------------------------------------------------------------


def _classification_matches(rule: ClassificationRule, lead: Lead) -> bool:
    if not _matches_conditions(rule, lead.source, lead.country):
        return False
    if rule.company_size and rule.company_size != lead.company_size:
        return False
    domain = rule.email_domain.strip().lower().lstrip("@")
    return not domain or lead.email.lower().rpartition("@")[2] == domain


def classification(
    lead: Lead, rules: Iterable[ClassificationRule]
) -> tuple[dict[str, str], dict[str, Any]]:
    """Return the lead's segment and priority, and which rule set each (first match wins)."""
    values = dict.fromkeys(CLASSIFIED_FIELDS, "")
    by: dict[str, Any] = {}
    for rule in rules:
        if len(by) == len(CLASSIFIED_FIELDS):
            break
        if not _classification_matches(rule, lead):
            continue
        for name in CLASSIFIED_FIELDS:
            value = getattr(rule, name)
            if value and name not in by:
                values[name] = value
                by[name] = {"rule": rule.pk, "label": rule.name}
    return values, by


def classify(lead: Lead, book: RuleBook | None = None) -> None:
    """Set the lead's segment and priority from the workspace's rules (does not save)."""
    book = book or RuleBook(lead.workspace_id)
    values, by = classification(lead, book.classification)
    for name, value in values.items():
        setattr(lead, name, value)
    lead.classified_by = by


# Rule administration -------------------------------------------------------------

RULE_FIELDS: dict[type[Model], tuple[str, ...]] = {
    AssignmentRule: (
        "name",
        "position",
        "source",
        "countries",
        "strategy",
        "user",
        "team",
        "active",
    ),
    ClassificationRule: (
        "name",
        "position",
        "source",
        "countries",
        "company_size",
        "email_domain",
        "segment",
        "priority",
        "active",
    ),
    ScoringRule: ("attribute", "value", "points", "active"),
}


def require_admin(member: Membership) -> None:
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied(_("Only admins configure lead rules."))


def _clean_countries(raw: str) -> str:
    codes = [c.strip().upper() for c in raw.replace(" ", ",").split(",") if c.strip()]
    for code in codes:
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise ValidationError({"countries": _("Two-letter codes separated by commas.")})
    return ",".join(dict.fromkeys(codes))


def _validate(member: Membership, rule: Model) -> None:
    errors: dict[str, str] = {}
    if isinstance(rule, AssignmentRule | ClassificationRule):
        rule.countries = _clean_countries(rule.countries)
        if not rule.name.strip():
            errors["name"] = _("Give the rule a name.")
    if isinstance(rule, AssignmentRule):
        _validate_assignment(member, rule, errors)
    if isinstance(rule, ClassificationRule):
        if not rule.segment and not rule.priority:
            errors["segment"] = _("Set a segment, a priority or both.")
        if rule.priority and rule.priority not in LeadPriority.values:
            errors["priority"] = _("Choose one of the priorities.")
        if rule.company_size and rule.company_size not in Size.values:
            errors["company_size"] = _("Choose one of the sizes.")
        rule.email_domain = rule.email_domain.strip().lower().lstrip("@")
    if isinstance(rule, ScoringRule):
        if rule.attribute not in ScoringRule.Attribute.values:
            errors["attribute"] = _("Choose one of the attributes.")
        if not -1000 <= rule.points <= 1000:
            errors["points"] = _("Use from -1000 to 1000 points.")
        if rule.attribute == ScoringRule.Attribute.INACTIVE_DAYS and not rule.value.isdigit():
            errors["value"] = _("Give a whole number of days.")
        if (
            rule.attribute == ScoringRule.Attribute.INCOME_BRACKET
            and rule.value not in IncomeBracket.values
        ):
            errors["value"] = _("Choose one of the income brackets: %(brackets)s.") % {
                "brackets": ", ".join(IncomeBracket.values)
            }
    if errors:
        raise ValidationError(errors)


def _validate_assignment(member: Membership, rule: AssignmentRule, errors: dict[str, str]) -> None:
    strategy = AssignmentRule.Strategy
    if rule.strategy not in strategy.values:
        errors["strategy"] = _("Choose how the rule assigns leads.")
    elif rule.strategy == strategy.USER:
        rule.team_id = None
        if (
            rule.user_id is None
            or not Membership.objects.filter(
                workspace_id=member.workspace_id, user_id=rule.user_id, is_active=True
            ).exists()
        ):
            errors["user"] = _("Choose a member of this workspace.")
    else:
        rule.user_id = None
        if (
            rule.team_id is None
            or not Team.objects.filter(workspace_id=member.workspace_id, pk=rule.team_id).exists()
        ):
            errors["team"] = _("Choose a team of this workspace.")


def _assign(rule: Model, data: dict[str, Any]) -> None:
    for name in RULE_FIELDS[type(rule)]:
        if name not in data:
            continue
        value = data[name]
        if name in ("user", "team"):
            setattr(rule, f"{name}_id", value)
        elif isinstance(value, str):
            setattr(rule, name, value.strip())
        elif value is not None:
            setattr(rule, name, value)


def _label(rule: Model) -> str:
    return str(rule)[:200]


def _after_change(member: Membership, model: type[Model]) -> None:
    if model is ScoringRule:
        from amity.sales import scoring

        scoring.rescore_workspace_later(member.workspace_id)


@transaction.atomic
def create_rule(member: Membership, model: type[R], data: dict[str, Any]) -> R:
    """Add a rule of `model` (admins); errors name the field."""
    require_admin(member)
    rule = model(workspace_id=member.workspace_id)
    _assign(rule, data)
    _validate(member, rule)
    rule.save()
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type=model.ACCESS_TYPE,
        object_id=rule.pk,
        changes={"rule": [None, _label(rule)]},
    )
    _after_change(member, model)
    return rule


@transaction.atomic
def update_rule(member: Membership, rule: R, data: dict[str, Any], *, expected_version: int) -> R:
    """Change a rule if it is still at `expected_version`."""
    require_admin(member)
    before = _label(rule)
    _assign(rule, data)
    _validate(member, rule)
    model = type(rule)
    columns: dict[str, Any] = {}
    for name in RULE_FIELDS[model]:
        attname = f"{name}_id" if name in ("user", "team") else name
        columns[attname] = getattr(rule, attname)
    if isinstance(rule, AssignmentRule | ClassificationRule):
        columns["countries"] = rule.countries
    updated = model._default_manager.filter(
        pk=rule.pk, workspace_id=member.workspace_id, version=expected_version
    ).update(**columns, version=F("version") + 1)
    if not updated:
        raise VersionConflict(
            model._default_manager.filter(pk=rule.pk, workspace_id=member.workspace_id).first()
        )
    rule.version = expected_version + 1
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type=model.ACCESS_TYPE,
        object_id=rule.pk,
        changes={"rule": [before, _label(rule)]},
    )
    _after_change(member, model)
    return rule


@transaction.atomic
def delete_rule(member: Membership, rule: Model, *, expected_version: int) -> None:
    """Delete a rule if it is still at `expected_version`."""
    require_admin(member)
    model = type(rule)
    deleted, _rows = model._default_manager.filter(
        pk=rule.pk, workspace_id=member.workspace_id, version=expected_version
    ).delete()
    if not deleted:
        raise VersionConflict(
            model._default_manager.filter(pk=rule.pk, workspace_id=member.workspace_id).first()
        )
    audit.record(
        audit.Action.DELETE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type=getattr(model, "ACCESS_TYPE", "rule"),
        object_id=rule.pk,
        changes={"rule": [_label(rule), None]},
    )
    _after_change(member, model)


def get_rule(member: Membership, model: type[R], pk: int) -> R:
    """Return one rule of the workspace (admins first: 403 to others, whatever the id)."""
    require_admin(member)
    found = model._default_manager.filter(workspace_id=member.workspace_id, pk=pk).first()
    if found is None:
        raise Http404
    return found


def ordered(member: Membership, model: type[R]) -> list[R]:
    """Return the workspace's rules of `model` in the order they apply."""
    order = ("id",) if model is ScoringRule else ("position", "id")
    qs = model._default_manager.filter(workspace_id=member.workspace_id).order_by(*order)
    if model is AssignmentRule:
        qs = qs.select_related("user", "team")  # type: ignore[misc]  # mypy sees the TypeVar
    return list(qs[:500])
