"""Assignment rules (each strategy, round-robin fairness and locking, the fallback, every
capture path) and classification rules (first match per field, on capture and edit)."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection, connections, transaction
from django.test import Client

from amity.core import services as core
from amity.core.models import AuditEvent, Team, User
from amity.sales import leads, rules
from amity.sales.models import AssignmentRule, ClassificationRule, Lead
from tests.api.conftest import Api, api_as, body
from tests.conftest import World, tenant_guard_off

__all__ = ["api_as"]


def _assignment(world: World, **data: Any) -> AssignmentRule:
    return rules.create_rule(world.member(world.alice), AssignmentRule, data)


def _classification(world: World, **data: Any) -> ClassificationRule:
    return rules.create_rule(world.member(world.alice), ClassificationRule, data)


def _new(world: World, **data: Any) -> Lead:
    return leads.create_lead(world.member(world.alice), {"last_name": "Lee", **data})


def test_a_user_rule_assigns_matching_leads_to_its_member(world: World) -> None:
    _assignment(world, name="Norway", countries="no, se", strategy="user", user=world.sam.pk)
    assert _new(world, country="NO").owner_id == world.sam.pk
    assert _new(world, country="SE").owner_id == world.sam.pk
    # No rule matches Denmark: the least busy seller (bob has none yet; sam has two).
    assert _new(world, country="DK").owner_id == world.bob.pk


def test_round_robin_is_fair_across_ten_leads(world: World) -> None:
    rule = _assignment(world, name="East turns", strategy="round_robin", team=world.east.pk)
    owners = [_new(world).owner_id for _ in range(10)]
    assert owners == [world.bob.pk, world.sam.pk] * 5
    assert Counter(owners) == {world.bob.pk: 5, world.sam.pk: 5}
    with tenant_guard_off():
        rule.refresh_from_db()
    assert rule.last_user_id == world.sam.pk


def test_least_busy_picks_the_team_member_with_fewest_new_leads(world: World) -> None:
    with tenant_guard_off():
        for _ in range(2):
            Lead.objects.create(workspace=world.acme, owner=world.bob, last_name="Old")
        Lead.objects.create(workspace=world.acme, owner=world.sam, last_name="Old")
    _assignment(world, name="East load", strategy="least_busy", team=world.east.pk)
    assert _new(world).owner_id == world.sam.pk
    # Now both have two: the tie goes to the lowest user id.
    assert _new(world).owner_id == min(world.bob.pk, world.sam.pk)


def test_rules_apply_in_order_of_position_and_skip_inactive_ones(world: World) -> None:
    _assignment(world, name="Later", position=20, source="web", strategy="user", user=world.erin.pk)
    _assignment(world, name="Off", position=5, strategy="user", user=world.dave.pk, active=False)
    _assignment(world, name="First", position=10, source="web", strategy="user", user=world.sam.pk)
    lead = leads.capture_from_form(world.acme, {"last_name": "Lee"})
    assert lead.owner_id == world.sam.pk
    # A manual lead does not match "source = web": the fallback.
    assert _new(world).owner_id == world.bob.pk


def test_a_rule_that_finds_nobody_falls_through(world: World) -> None:
    empty = Team.objects.create(workspace=world.acme, name="Empty")
    _assignment(world, name="Empty team", strategy="round_robin", team=empty.pk)
    _assignment(world, name="Sam", position=1, strategy="user", user=world.sam.pk)
    assert _new(world).owner_id == world.sam.pk


def test_every_capture_path_is_assigned_by_the_rules(
    world: World, api_as: Callable[[User], Api]
) -> None:
    _assignment(world, name="Sam", strategy="user", user=world.sam.pk)
    form = Client().post(f"/leads/form/{leads.form_key(world.acme.pk)}/", {"last_name": "Web"})
    assert form.status_code == 200
    via_api = body(api_as(world.erin).post("/leads", {"last_name": "Api"}))
    imported = leads.import_leads(world.member(world.erin), [{"last_name": "Imp"}])
    manual = _new(world)
    named = _new(world, owner=world.erin.pk)
    with tenant_guard_off():
        web_owner = Lead.objects.get(last_name="Web").owner_id
    assert [web_owner, via_api["owner"], imported[0].owner_id, manual.owner_id] == [
        world.sam.pk
    ] * 4
    # A lead given an owner keeps it.
    assert named.owner_id == world.erin.pk
    assert imported[0].source == "import"


def test_an_import_is_all_or_nothing(world: World) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="Row 2"):
        leads.import_leads(world.member(world.erin), [{"last_name": "Ok"}, {"last_name": ""}])
    with tenant_guard_off():
        assert Lead.objects.count() == 0


def test_rule_input_is_checked_field_by_field(world: World) -> None:
    from django.core.exceptions import ValidationError

    admin = world.member(world.alice)
    cases = [
        ({"name": "X", "strategy": "user"}, "user"),
        ({"name": "X", "strategy": "round_robin"}, "team"),
        ({"name": "X", "strategy": "user", "user": world.mallory.pk}, "user"),
        ({"name": "X", "strategy": "user", "user": world.sam.pk, "countries": "NOR"}, "countries"),
        ({"name": "", "strategy": "user", "user": world.sam.pk}, "name"),
    ]
    for data, field in cases:
        with pytest.raises(ValidationError) as caught:
            rules.create_rule(admin, AssignmentRule, data)
        assert field in caught.value.message_dict, data
    with tenant_guard_off():
        globex_team = Team.objects.create(workspace=world.globex, name="G")
    with pytest.raises(ValidationError) as caught:
        rules.create_rule(
            admin, AssignmentRule, {"name": "X", "strategy": "least_busy", "team": globex_team.pk}
        )
    assert "team" in caught.value.message_dict
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        rules.create_rule(world.member(world.erin), AssignmentRule, {"name": "X"})


@pytest.mark.django_db(transaction=True)
def test_round_robin_holds_under_concurrent_transactions() -> None:
    """Two transactions assigning at once never both get the same member (row lock)."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL's row locks and a second connection")
    workspace = core.create_workspace("Turns", "turns")
    team = Team.objects.create(workspace=workspace, name="T")
    users = []
    for name in ("one", "two"):
        user = User.objects.create(email=f"{name}@turns.test")
        core.add_member(workspace, user, "sales", team=team)
        users.append(user.pk)
    rule = AssignmentRule.objects.create(
        workspace=workspace, name="T", strategy="round_robin", team=team
    )
    first_locked, release = threading.Event(), threading.Event()
    got: dict[str, int | None] = {}

    def first() -> None:
        try:
            with transaction.atomic():
                got["first"] = rules.assignee(workspace.pk, "", "")[0]
                first_locked.set()
                release.wait(5)
        finally:
            connections.close_all()

    def second() -> None:
        try:
            first_locked.wait(5)
            with transaction.atomic():
                # Blocks on the rule row until the first transaction commits.
                got["second"] = rules.assignee(workspace.pk, "", "")[0]
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    first_locked.wait(5)
    time.sleep(0.5)  # the second transaction is now waiting for the rule row
    release.set()
    for thread in threads:
        thread.join(10)
    assert sorted([got["first"], got["second"]]) == sorted(users)  # type: ignore[type-var]
    rule.refresh_from_db()
    assert rule.last_user_id == got["second"]


# Classification ------------------------------------------------------------------


def test_per_field_the_first_matching_rule_wins(world: World) -> None:
    nordic = _classification(world, name="Nordic", position=1, countries="NO,SE", segment="Nordics")
    big = _classification(
        world,
        name="Big",
        position=2,
        company_size="1001-5000",
        segment="Enterprise",
        priority="high",
    )
    web = _classification(world, name="Web", position=3, source="web", priority="normal")
    gov = _classification(
        world, name="Gov", position=4, email_domain="@Gov.example", segment="Public"
    )

    lead = _new(world, country="NO", company_size="1001-5000")
    assert (lead.segment, lead.priority) == ("Nordics", "high")
    assert lead.classified_by == {
        "segment": {"rule": nordic.pk, "label": "Nordic"},
        "priority": {"rule": big.pk, "label": "Big"},
    }
    web_lead = leads.capture_from_form(world.acme, {"last_name": "W", "email": "a@gov.example"})
    assert (web_lead.segment, web_lead.priority) == ("Public", "normal")
    assert web_lead.classified_by["priority"]["rule"] == web.pk
    assert web_lead.classified_by["segment"]["rule"] == gov.pk
    plain = _new(world, country="DK")
    assert (plain.segment, plain.priority, plain.classified_by) == ("", "", {})


def test_an_edit_classifies_the_lead_again(world: World, as_user: Callable[[User], Client]) -> None:
    _classification(world, name="Nordic", countries="NO", segment="Nordics", priority="low")
    lead = _new(world, country="DK", owner=world.bob.pk)
    response = as_user(world.bob).post(
        f"/leads/{lead.pk}/edit/",
        {"last_name": "Lee", "country": "no", "version": lead.version},
    )
    assert response.status_code == 302
    with tenant_guard_off():
        lead.refresh_from_db()
        event = AuditEvent.objects.filter(object_type="lead", action="update").latest("id")
    assert (lead.segment, lead.priority, lead.country, lead.version) == ("Nordics", "low", "NO", 2)
    assert event.changes["segment"] == ["", "Nordics"]
    # A stale form changes nothing.
    stale = as_user(world.bob).post(f"/leads/{lead.pk}/edit/", {"last_name": "X", "version": 1})
    assert stale.status_code == 302
    with tenant_guard_off():
        lead.refresh_from_db()
    assert lead.last_name == "Lee"


def test_the_lead_page_says_which_rule_set_the_class(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _classification(world, name="Nordic rule", countries="NO", segment="Nordics")
    lead = _new(world, country="NO")
    page = as_user(world.bob).get(f"/leads/{lead.pk}/").content.decode()
    assert "Nordics" in page and "Nordic rule" in page


def test_the_lead_list_filters_by_segment_and_priority_in_constant_queries(
    world: World, as_user: Callable[[User], Client], django_assert_num_queries: Any
) -> None:
    with tenant_guard_off():
        for n in range(3):
            Lead.objects.create(
                workspace=world.acme,
                owner=world.bob,
                last_name=f"A{n}",
                segment="SMB",
                priority="high",
            )
        Lead.objects.create(workspace=world.acme, last_name="B", segment="SMB", priority="low")
        Lead.objects.create(workspace=world.acme, last_name="C", segment="Enterprise")
    client = as_user(world.bob)
    client.get("/leads/")
    with django_assert_num_queries(7):
        few = client.get("/leads/?segment=smb&priority=high&min_score=0")
    assert sorted(lead.last_name for lead in few.context["page"].items) == ["A0", "A1", "A2"]
    with tenant_guard_off():
        for n in range(30):
            Lead.objects.create(workspace=world.acme, owner=world.sam, last_name=f"M{n}")
    with django_assert_num_queries(7):
        many = client.get("/leads/")
    assert len(many.context["page"].items) == 35
    page = client.get("/leads/?priority=low").content.decode()
    assert ">B</a>" in page and ">C</a>" not in page


def test_the_rules_screen_adds_edits_and_deletes_rules(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.alice)
    response = client.post(
        "/leads/rules/",
        {
            "form": "assignment",
            "assignment-name": "East",
            "assignment-position": 1,
            "assignment-strategy": "round_robin",
            "assignment-team": world.east.pk,
            "assignment-countries": "no",
            "assignment-active": "on",
        },
    )
    assert response.status_code == 302
    with tenant_guard_off():
        rule = AssignmentRule.objects.get()
    assert (rule.countries, rule.team_id) == ("NO", world.east.pk)
    bad = client.post(
        "/leads/rules/",
        {"form": "classification", "classification-name": "Nothing", "classification-position": 0},
    )
    assert bad.status_code == 400 and "Set a segment" in bad.content.decode()
    edit = client.post(
        f"/leads/rules/assignment/{rule.pk}/",
        {
            "assignment-name": "East 2",
            "assignment-position": 1,
            "assignment-strategy": "user",
            "assignment-user": world.sam.pk,
            "version": 1,
        },
    )
    assert edit.status_code == 302
    with tenant_guard_off():
        rule.refresh_from_db()
    assert (rule.name, rule.strategy, rule.user_id, rule.team_id, rule.active, rule.version) == (
        "East 2",
        "user",
        world.sam.pk,
        None,
        False,
        2,
    )
    assert client.get("/leads/rules/").status_code == 200
    client.post(f"/leads/rules/assignment/{rule.pk}/delete/", {"version": 1})
    with tenant_guard_off():
        assert AssignmentRule.objects.count() == 1  # stale: kept
    client.post(f"/leads/rules/assignment/{rule.pk}/delete/", {"version": 2})
    with tenant_guard_off():
        assert AssignmentRule.objects.count() == 0
        assert AuditEvent.objects.filter(object_type="assignment_rule").count() == 3


def test_the_rules_api_creates_updates_and_deletes_with_if_match(
    world: World, api_as: Callable[[User], Api]
) -> None:
    api = api_as(world.alice)
    created = api.post(
        "/classification-rules",
        {"name": "Nordic", "countries": ["no", "SE"], "segment": "Nordics", "priority": "high"},
    )
    assert created.status_code == 201
    data = body(created)
    assert (data["countries"], data["version"]) == (["NO", "SE"], 1)
    path = f"/classification-rules/{data['id']}"
    assert api.patch(path, {"segment": "N"}).status_code == 428
    assert (
        api.patch(
            path, {"segment": "N"}, {"If-Match": f'"classification_rule-{data["id"]}-v7"'}
        ).status_code
        == 412
    )
    changed = api.patch(path, {"segment": "N"}, {"If-Match": created["ETag"]})
    assert changed.status_code == 200 and body(changed)["segment"] == "N"
    assert [r["name"] for r in body(api.get("/classification-rules"))] == ["Nordic"]
    bad = api.post("/assignment-rules", {"name": "X", "strategy": "round_robin"})
    assert bad.status_code == 422 and "team" in bad.content.decode()
    assert (
        api.post(
            "/assignment-rules", {"name": "X", "strategy": "user", "countries": ["NOR"]}
        ).status_code
        == 422
    )
    assert api.delete(path, {"If-Match": changed["ETag"]}).status_code == 204
    assert api_as(world.erin).get("/scoring-rules").status_code == 403
    assert api_as(world.mallory).get("/classification-rules").json() == []
