"""Scores on people (PersonScore) and the new lead attributes: each rule's exact points,
behaviour through the registration hook, decay, the worker after a write, the record
panel, and the people list sorted and filtered by score."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from amity.activities.models import Interaction
from amity.core.models import User
from amity.customers import services as customers
from amity.customers.models import Person
from amity.sales import leads, scoring
from amity.sales.models import Lead, PersonScore, ScoringRule
from tests.conftest import World, tenant_guard_off

_n = itertools.count(1)


def _rules(world: World) -> dict[str, ScoringRule]:
    alice = world.member(world.alice)
    return {
        "country": leads.add_rule(alice, "country", "NO", 10),
        "industry": leads.add_rule(alice, "industry", "Banking", 20),
        "size": leads.add_rule(alice, "company_size", "1001-5000", 15),
        "title": leads.add_rule(alice, "job_title", "director", 8),
        "domain": leads.add_rule(alice, "email_domain", "bank.example", 4),
        "form": leads.add_rule(alice, "form_submitted", "", 7),
        "meeting": leads.add_rule(alice, "meeting_held", "", 30),
        "decay": leads.add_rule(alice, "inactive_days", "30", -25),
    }


def _person(world: World, **data: Any) -> Person:
    alice = world.member(world.alice)
    company = customers.create_company(
        alice,
        {"name": f"Bank {next(_n)}", "industry": "banking", "size": "1001-5000"},
    )
    return customers.create_person(alice, {"last_name": "Lee", "company": company.pk, **data})


def _reasons(workspace_id: int, person_id: int) -> list[tuple[int, int]]:
    with tenant_guard_off():
        found = PersonScore.objects.get(workspace_id=workspace_id, person_id=person_id)
    return [(r["rule"], r["points"]) for r in found.reasons]


def test_each_rule_gives_a_person_its_exact_points(world: World) -> None:
    rules = _rules(world)
    person = _person(world, billing_country="NO", title="Sales Director", email="ann@bank.example")
    assert scoring.rescore_person(world.acme.pk, person.pk) == 10 + 20 + 15 + 8 + 4
    assert _reasons(world.acme.pk, person.pk) == [
        (rules["country"].pk, 10),
        (rules["industry"].pk, 20),
        (rules["size"].pk, 15),
        (rules["title"].pk, 8),
        (rules["domain"].pk, 4),
    ]


def test_behaviour_counts_form_posts_and_meetings_held(world: World) -> None:
    rules = _rules(world)
    person = _person(world, email="ann@elsewhere.example")
    with tenant_guard_off():
        base = 20 + 15  # the company's industry and size
        assert scoring.rescore_person(world.acme.pk, person.pk) == base
        leads.capture_from_form(world.acme, {"last_name": "Lee", "email": "ANN@elsewhere.example"})
        assert scoring.rescore_person(world.acme.pk, person.pk) == base + 7
        # A meeting that did not happen gives nothing; one held gives its points (the web app
        # registers this behaviour with sales.scoring, so sales never imports activities).
        Interaction.objects.create(
            workspace=world.acme, kind="meeting", outcome="no_show", person=person
        )
        assert scoring.rescore_person(world.acme.pk, person.pk) == base + 7
        Interaction.objects.create(
            workspace=world.acme, kind="meeting", outcome="held", person=person
        )
        assert scoring.rescore_person(world.acme.pk, person.pk) == base + 7 + 30
    assert [rule for rule, _points in _reasons(world.acme.pk, person.pk)] == [
        rules["industry"].pk,
        rules["size"].pk,
        rules["form"].pk,
        rules["meeting"].pk,
    ]


def test_inactivity_decays_the_score(world: World) -> None:
    _rules(world)
    person = _person(world)
    with tenant_guard_off():
        Person.objects.filter(pk=person.pk).update(updated_at=timezone.now() - timedelta(days=31))
        assert scoring.rescore_person(world.acme.pk, person.pk) == 20 + 15 - 25
        # The worker's sweep rescores scores older than a day.
        PersonScore.objects.filter(person_id=person.pk).update(
            score=99, computed_at=timezone.now() - timedelta(days=2)
        )
        assert scoring.decay_sweep() == 1
        assert PersonScore.objects.get(person_id=person.pk).score == 10
        assert scoring.decay_sweep() == 0


def test_a_lead_scores_on_title_industry_and_size(world: World) -> None:
    rules = _rules(world)
    lead = leads.create_lead(
        world.member(world.alice),
        {
            "last_name": "Lee",
            "job_title": "IT Director",
            "industry": "Banking",
            "company_size": "1001-5000",
        },
    )
    with tenant_guard_off():
        score, reasons = scoring.explain(lead, scoring.rules_of(world.acme.pk))
    assert score == 8 + 20 + 15
    assert [r["rule"] for r in reasons] == [
        rules["industry"].pk,
        rules["size"].pk,
        rules["title"].pk,
    ]


def test_the_worker_rescores_a_person_after_a_change(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    _rules(world)
    with django_capture_on_commit_callbacks(execute=True):
        person = _person(world)
    with tenant_guard_off():
        assert PersonScore.objects.get(person_id=person.pk).score == 35
    with django_capture_on_commit_callbacks(execute=True):
        customers.update_person(
            world.member(world.alice), person, {"title": "Director"}, expected_version=1
        )
    with tenant_guard_off():
        assert PersonScore.objects.get(person_id=person.pk).score == 43
    # A new rule rescores people too.
    with django_capture_on_commit_callbacks(execute=True):
        leads.add_rule(world.member(world.alice), "job_title", "dir", 1)
    with tenant_guard_off():
        assert PersonScore.objects.get(person_id=person.pk).score == 44


def test_the_person_page_explains_the_score(
    world: World, as_user: Callable[[User], Client]
) -> None:
    rules = _rules(world)
    person = _person(world, billing_country="NO")
    with tenant_guard_off():
        scoring.rescore_person(world.acme.pk, person.pk)
    page = as_user(world.bob).get(f"/people/{person.pk}/").content.decode()
    assert "45 points" in page
    assert f"{rules['country']}: +10" in page and f"{rules['industry']}: +20" in page
    # Support has no leads, so no score panel.
    assert "45 points" not in as_user(world.carol).get(f"/people/{person.pk}/").content.decode()


def test_the_people_list_sorts_and_filters_by_score_in_constant_queries(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    alice = world.member(world.alice)
    with tenant_guard_off():
        for last, points in (("Low", 5), ("High", 50), ("Mid", 20), ("None", None)):
            person = customers.create_person(alice, {"last_name": last})
            if points is not None:
                PersonScore.objects.create(workspace=world.acme, person=person, score=points)
    client = as_user(world.bob)
    client.get("/people/?sort=-score&cols=email,score")
    few_rows = _people_queries(client)
    response = client.get("/people/?sort=-score&cols=email,score")
    names = [p.last_name for p in response.context["page"].items]
    assert names == ["High", "Mid", "Low", "None"]
    assert [p.sales_score for p in response.context["page"].items] == [50, 20, 5, 0]
    filtered = client.get("/people/?sort=-score&min_score=20")
    assert [p.last_name for p in filtered.context["page"].items] == ["High", "Mid"]
    with tenant_guard_off():
        for n in range(20):
            person = customers.create_person(alice, {"last_name": f"More {n}"})
            PersonScore.objects.create(workspace=world.acme, person=person, score=n)
    with django_assert_num_queries(few_rows):
        client.get("/people/?sort=-score&cols=email,score")
    # Paging by score: the second page follows the first.
    first = client.get("/people/?sort=score&cols=score")
    page = first.context["page"]
    assert (
        page.next_cursor is None
        or client.get(f"/people/?sort=score&after={page.next_cursor}").status_code == 200
    )
    assert client.get("/people/?sort=score&after=WzEsImEiXQ").status_code == 200


def _people_queries(client: Client) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/people/?sort=-score&cols=email,score")
    return len(captured.captured_queries)


def test_purging_a_person_drops_its_score(world: World) -> None:
    from amity.sales import purge

    person = _person(world)
    with tenant_guard_off():
        PersonScore.objects.create(workspace=world.acme, person=person, score=3)
    purge.forget(world.acme.pk, "person", [person.pk])
    with tenant_guard_off():
        assert not PersonScore.objects.exists()
    assert Lead.objects.filter(workspace=world.acme).count() == 0  # the guard's own check
