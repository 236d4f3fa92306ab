"""Lead scoring: each rule's contribution, the explanation, rescoring by the worker after
commit, and lists sorted and filtered by score."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.test import Client
from django.utils import timezone

from amity.core.models import User
from amity.sales import leads, scoring
from amity.sales.models import Lead, ScoringRule
from tests.conftest import World, tenant_guard_off


def _rules(world: World) -> dict[str, ScoringRule]:
    alice = world.member(world.alice)
    return {
        "country": leads.add_rule(alice, "country", "NO", 10),
        "domain": leads.add_rule(alice, "email_domain", "initech.example", 20),
        "source": leads.add_rule(alice, "source", "api", 3),
        "company": leads.add_rule(alice, "company", "tech", 5),
        "form": leads.add_rule(alice, "form_submitted", "", 7),
        "decay": leads.add_rule(alice, "inactive_days", "30", -15),
    }


def _lead(world: World, **data: Any) -> Lead:
    with tenant_guard_off():
        return Lead.objects.create(workspace=world.acme, last_name="Lee", **data)


def test_each_rule_contributes_its_points(world: World) -> None:
    rules = _rules(world)
    cases = [
        ({"country": "NO"}, 10, ["country"]),
        ({"email": "ann@Initech.example"}, 20, ["domain"]),
        ({"source": "api"}, 3, ["source"]),
        ({"company_name": "Initech Ltd"}, 5, ["company"]),
        ({"source": "web"}, 7, ["form"]),
        ({"updated_at": timezone.now() - timedelta(days=31)}, -15, ["decay"]),
        (
            {"country": "NO", "source": "web", "email": "x@initech.example"},
            37,
            ["country", "domain", "form"],
        ),
        ({"country": "SE"}, 0, []),
    ]
    with tenant_guard_off():
        active = scoring.rules_of(world.acme.pk)
    for data, points, names in cases:
        lead = _lead(world, **data)
        score, reasons = scoring.explain(lead, active)
        assert score == points, data
        assert [r["rule"] for r in reasons] == [rules[n].pk for n in names], data
        assert sum(r["points"] for r in reasons) == points


def test_a_web_lead_is_scored_when_created(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    """From the rules read once for the new lead (a RuleBook), with no worker round."""
    _rules(world)
    key = leads.form_key(world.acme.pk)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = Client().post(
            f"/leads/form/{key}/",
            {"last_name": "Lee", "country": "no", "email": "ann@initech.example"},
        )
    assert response.status_code == 200 and callbacks == []
    with tenant_guard_off():
        lead = Lead.objects.get()
    assert (lead.score, lead.owner_id) == (37, world.bob.pk)
    assert [(r["label"], r["points"]) for r in lead.score_reasons] == [
        ("country NO", 10),
        ("email domain initech.example", 20),
        ("submitted the web form", 7),
    ]


def test_a_new_rule_rescores_open_leads(
    world: World, django_capture_on_commit_callbacks: Any
) -> None:
    lead = _lead(world, country="NO")
    with django_capture_on_commit_callbacks(execute=True):
        leads.add_rule(world.member(world.alice), "country", "NO", 12)
    with tenant_guard_off():
        lead.refresh_from_db()
    assert (lead.score, lead.version) == (12, 1)


def test_it_sorts_and_filters_by_score(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    _lead(world, first_name="Low", score=5)
    _lead(world, first_name="High", score=50)
    _lead(world, first_name="Mid", score=20)
    client = as_user(world.bob)
    client.get("/leads/?sort=score")
    with django_assert_num_queries(7):
        response = client.get("/leads/?sort=score")
    assert [lead.first_name for lead in response.context["page"].items] == ["High", "Mid", "Low"]
    response = client.get("/leads/?sort=score&min_score=20")
    assert [lead.first_name for lead in response.context["page"].items] == ["High", "Mid"]


def test_only_admins_add_rules(world: World, as_user: Callable[[User], Client]) -> None:
    data = {
        "form": "scoring",
        "scoring-attribute": "country",
        "scoring-value": "NO",
        "scoring-points": 5,
    }
    assert as_user(world.erin).post("/deals/settings/", data).status_code == 403
    assert as_user(world.alice).post("/deals/settings/", data).status_code == 302
    with tenant_guard_off():
        assert list(ScoringRule.objects.values_list("attribute", "value", "points")) == [
            ("country", "NO", 5)
        ]
