"""Unlink customers purged from the trash from deals and leads, within their workspace."""

from __future__ import annotations

from amity.customers import timeline


def forget(workspace_id: int, kind: str, ids: list[int]) -> None:
    from amity.sales.models import Deal, DealPerson, Lead, PersonScore

    if not ids:
        return
    if kind == "person":
        DealPerson.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()
        PersonScore.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()
        Lead.objects.filter(workspace_id=workspace_id, person_id__in=ids).update(person=None)
    elif kind == "company":
        Deal.objects.filter(workspace_id=workspace_id, company_id__in=ids).update(company=None)
        Lead.objects.filter(workspace_id=workspace_id, company_id__in=ids).update(company=None)


def register() -> None:
    timeline.register_forget(forget)
