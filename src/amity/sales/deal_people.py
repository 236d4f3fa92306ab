"""The people on a deal and their roles (decision maker, champion… or the user's own words)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.customers.models import Person
from amity.sales.models import Deal, DealPerson

# Offered in the form; any other text up to 60 characters is a role too.
SUGGESTED_ROLES = {
    "decision maker": gettext_lazy("decision maker"),
    "champion": gettext_lazy("champion"),
    "influencer": gettext_lazy("influencer"),
    "user": gettext_lazy("user"),
    "other": gettext_lazy("other"),
}
ROLE_LENGTH = 60


def _clean_role(role: str) -> str:
    role = (role or "").strip()
    if "\x00" in role:
        raise ValidationError({"role": _("Remove the NUL character.")})
    if len(role) > ROLE_LENGTH:
        raise ValidationError({"role": _("Use at most 60 characters.")})
    return role


def on_deal(member: Membership, deal: Deal) -> QuerySet[DealPerson]:
    """The deal's people (not those in the trash), by last name."""
    return (
        DealPerson.objects.filter(
            workspace_id=member.workspace_id, deal=deal, person__deleted_at__isnull=True
        )
        .select_related("person")
        .order_by("person__last_name", "id")
    )


def _audit(member: Membership, deal: Deal, change: list[str | None]) -> None:
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=deal,
        changes={"people": change},
    )


@transaction.atomic
def add(member: Membership, deal: Deal, person_id: int, role: str) -> DealPerson:
    """Put a person the member may see on the deal, with a role."""
    access.require(member, "deal", "edit", deal)
    role = _clean_role(role)
    if not access.visible(member, Person).filter(pk=person_id).exists():
        raise ValidationError({"person": _("Choose a person in this workspace.")})
    try:
        with transaction.atomic():
            link = DealPerson.objects.create(
                workspace_id=member.workspace_id, deal=deal, person_id=person_id, role=role
            )
    except IntegrityError:
        raise ValidationError({"person": _("This person is already on the deal.")}) from None
    _audit(member, deal, [None, f"{person_id}:{role}"])
    return link


@transaction.atomic
def change_role(
    member: Membership, link: DealPerson, role: str, *, expected_version: int
) -> DealPerson:
    """Change a person's role on a deal if the link is still at `expected_version`."""
    access.require(member, "deal", "edit", link.deal)
    role = _clean_role(role)
    before = link.role
    if not DealPerson.objects.filter(
        pk=link.pk, workspace_id=member.workspace_id, version=expected_version
    ).update(role=role, version=F("version") + 1):
        raise VersionConflict(
            DealPerson.objects.filter(pk=link.pk, workspace_id=member.workspace_id).first()
        )
    link.role, link.version = role, expected_version + 1
    _audit(member, link.deal, [f"{link.person_id}:{before}", f"{link.person_id}:{role}"])
    return link


@transaction.atomic
def remove(member: Membership, link: DealPerson, *, expected_version: int | None = None) -> None:
    """Take a person off a deal (at `expected_version`, when given)."""
    access.require(member, "deal", "edit", link.deal)
    qs = DealPerson.objects.filter(pk=link.pk, workspace_id=member.workspace_id)
    if expected_version is not None:
        qs = qs.filter(version=expected_version)
    deleted, _rows = qs.delete()
    if not deleted:
        raise VersionConflict(
            DealPerson.objects.filter(pk=link.pk, workspace_id=member.workspace_id).first()
        )
    _audit(member, link.deal, [f"{link.person_id}:{link.role}", None])


def get_link(member: Membership, pk: int, action: str = "view") -> DealPerson:
    """Return a deal-person link within the member's reach: 404 outside it, 403 for a
    visible deal they may not change."""
    from django.http import Http404

    link = (
        DealPerson.objects.filter(workspace_id=member.workspace_id, pk=pk)
        .select_related("deal")
        .first()
    )
    if link is None:
        raise Http404
    link.deal = access.get_for_user(member, Deal, link.deal_id, action)
    return link
