"""Leads: the public web-to-lead form (key, honeypot, rate limit, CSRF-exempt), assignment to
the least busy seller, and conversion into a company, a person and a deal."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.test import Client

from amity.core.models import AuditEvent, User
from amity.customers.models import Company, Person, TimelineEvent
from amity.sales import leads
from amity.sales.models import Deal, DealPerson, Lead
from tests.conftest import World, tenant_guard_off


def _leads() -> list[tuple[str, str, int | None, str]]:
    with tenant_guard_off():
        return [
            (lead.last_name, lead.source, lead.owner_id, lead.status)
            for lead in Lead.objects.order_by("id")
        ]


def _post(world: World, **data: Any) -> Any:
    key = leads.form_key(world.acme.pk)
    # A client that enforces CSRF like a browser on another site would meet it.
    client = Client(enforce_csrf_checks=True)
    return client.post(f"/leads/form/{key}/", {"last_name": "Lee", **data})


def test_it_captures_a_lead_for_the_least_busy_seller(world: World) -> None:
    assert _post(world, first_name="Ann", company_name="Initech").status_code == 200
    assert _post(world, last_name="Moe").status_code == 200
    assert _post(world, last_name="Kim").status_code == 200
    # bob and sam are the sellers: the first goes to the lower id, then each to the idler one.
    assert _leads() == [
        ("Lee", "web", world.bob.pk, "new"),
        ("Moe", "web", world.sam.pk, "new"),
        ("Kim", "web", world.bob.pk, "new"),
    ]
    with tenant_guard_off():
        event = AuditEvent.objects.get(object_type="lead", object_id=str(Lead.objects.first().pk))
    assert (event.action, event.actor_id, event.actor_label) == ("create", None, "web-to-lead form")


def test_it_ignores_the_honeypot_quietly(world: World) -> None:
    response = _post(world, website="http://spam.example")
    assert response.status_code == 200 and b"Thank you" in response.content
    assert _leads() == []


def test_it_refuses_an_unknown_key(world: World) -> None:
    leads.form_key(world.acme.pk)
    response = Client().post("/leads/form/not-the-key/", {"last_name": "Lee"})
    assert response.status_code == 404
    assert _leads() == []


def test_it_limits_posts_per_address(world: World) -> None:
    for _ in range(leads.FORM_POSTS_PER_MINUTE):
        assert _post(world).status_code == 200
    response = _post(world)
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert len(_leads()) == leads.FORM_POSTS_PER_MINUTE


def test_it_rejects_get_and_bad_input(world: World) -> None:
    key = leads.form_key(world.acme.pk)
    assert Client().get(f"/leads/form/{key}/").status_code == 405
    assert _post(world, last_name="").status_code == 400
    assert _post(world, email="not an email").status_code == 400
    assert _leads() == []


def test_it_converts_a_lead(world: World, as_user: Callable[[User], Client]) -> None:
    _post(world, first_name="Ann", company_name="Initech", email="ann@initech.example")
    with tenant_guard_off():
        lead = Lead.objects.get()
    assert as_user(world.sam).post(f"/leads/{lead.pk}/convert/", {"version": 1}).status_code == 403
    assert as_user(world.dave).post(f"/leads/{lead.pk}/convert/", {"version": 1}).status_code == 403
    response = as_user(world.bob).post(f"/leads/{lead.pk}/convert/", {"version": 1})
    with tenant_guard_off():
        lead.refresh_from_db()
        company = Company.objects.get()
        person = Person.objects.get()
        deal = Deal.objects.get()
        roles = list(DealPerson.objects.values_list("deal_id", "person_id"))
        entries = list(
            TimelineEvent.objects.filter(person=person, kind="lead").values_list(
                "summary", flat=True
            )
        )
    assert response.status_code == 302 and response["Location"] == f"/deals/{deal.pk}/"
    assert (lead.status, lead.person_id, lead.company_id, lead.deal_id) == (
        "converted",
        person.pk,
        company.pk,
        deal.pk,
    )
    assert (company.name, person.full_name, person.email, person.company_id) == (
        "Initech",
        "Ann Lee",
        "ann@initech.example",
        company.pk,
    )
    assert (deal.name, deal.company_id, deal.owner_id) == ("Initech", company.pk, world.bob.pk)
    assert roles == [(deal.pk, person.pk)]
    assert len(entries) == 1 and entries[0].startswith("Converted from a lead (source: web)")
    again = as_user(world.bob).post(f"/leads/{lead.pk}/convert/", {"version": 2})
    assert again.status_code == 302 and again["Location"] == f"/leads/{lead.pk}/"
    with tenant_guard_off():
        assert (Company.objects.count(), Person.objects.count(), Deal.objects.count()) == (1, 1, 1)


def test_it_lists_new_leads(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    _post(world, last_name="Lee")
    _post(world, last_name="Moe")
    client = as_user(world.dave)
    client.get("/leads/")
    with django_assert_num_queries(7):
        response = client.get("/leads/")
    assert [str(lead) for lead in response.context["page"].items] == ["Moe", "Lee"]
    assert as_user(world.carol).get("/leads/").context["page"].items == []
