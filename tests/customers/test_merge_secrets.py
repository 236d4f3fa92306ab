"""Merging carries sensitive custom values: masked on screen, sealed again, exact undo."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from django.test import Client

from amity.core.models import User
from amity.customers import custom_fields, merge, services
from amity.customers.models import Company, CustomSecret, MergeRecord, Person
from tests.api.conftest import Api, body, token_for
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers

pytestmark = pytest.mark.django_db

VAT_KEPT = "NO111222333"
VAT_TAKEN = "NO999888777"
PASSPORT = "X12345678"


def _define(world: World, target: str, key: str) -> None:
    custom_fields.create_definition(
        world.member(world.alice),
        {"target": target, "key": key, "label": key.title(), "type": "sensitive"},
    )


def _rows(obj: Company | Person) -> dict[str, tuple[str, str]]:
    return {key: (str(row.uid), row.value) for key, row in custom_fields.secrets_of(obj).items()}


def _reveal(world: World, obj: Company | Person, key: str) -> str:
    fresh = helpers.reload(obj)
    return custom_fields.reveal(world.member(world.alice), fresh, [f"custom.{key}"], "check")[
        f"custom.{key}"
    ]


def _no_plaintext_anywhere(obj: Company | Person, *secrets: str) -> None:
    with tenant_guard_off():
        stored = [json.dumps(m.before) for m in MergeRecord.objects.all()]
        stored += [json.dumps(e.changes) for e in helpers.events("update", obj)]
        stored += [json.dumps(e.changes) for e in helpers.events("restore", obj)]
    for secret in secrets:
        assert not any(secret in text for text in stored)


def test_the_losers_value_is_sealed_for_the_survivor_and_undo_restores_both(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _define(world, "company", "vat")
    keep = helpers.company(world, name="Initech", custom={"vat": VAT_KEPT})
    drop = helpers.company(world, name="Initech AS", custom={"vat": VAT_TAKEN})
    rows_before = (_rows(keep), _rows(drop))
    client = as_user(world.alice)
    page = client.get(f"/companies/{keep.pk}/merge/?with={drop.pk}")
    html = page.content.decode()
    row = {r["name"]: r for r in page.context["rows"]}["custom.vat"]
    assert (row["survivor"], row["loser"], row["choice"]) == ("•••• 2333", "•••• 8777", "survivor")
    assert VAT_KEPT not in html and VAT_TAKEN not in html
    assert 'name="choice_custom.vat" value="loser"' in html

    response = client.post(
        f"/companies/{keep.pk}/merge/",
        {
            "loser": drop.pk,
            "survivor_version": keep.version,
            "loser_version": drop.version,
            "choice_custom.vat": "loser",
        },
    )
    assert response.status_code == 302
    assert _reveal(world, keep, "vat") == VAT_TAKEN
    # Sealed for the survivor's own row: the same uid as before, a new token.
    assert _rows(keep)["vat"][0] == rows_before[0]["vat"][0]
    record = MergeRecord.objects.get(workspace=world.acme, survivor_id=keep.pk)
    assert record.choices["custom.vat"] == "loser"
    assert (
        record.before[merge.CUSTOM_SECRETS]["vat"]["survivor"]["value"]
        == (rows_before[0]["vat"][1])
    )
    [event] = [e for e in helpers.events("update", keep) if "merge" in e.changes]
    assert event.changes["custom.vat"] == ["••••", "••••"]
    _no_plaintext_anywhere(keep, VAT_KEPT, VAT_TAKEN)

    assert client.post(f"/merges/{record.pk}/undo/").status_code == 302
    assert (_rows(keep), _rows(drop)) == rows_before
    assert _reveal(world, keep, "vat") == VAT_KEPT
    assert _reveal(world, drop, "vat") == VAT_TAKEN
    _no_plaintext_anywhere(drop, VAT_KEPT, VAT_TAKEN)


def test_a_value_only_the_loser_has_is_taken_by_default_and_undo_removes_it(
    world: World,
) -> None:
    _define(world, "person", "passport")
    keep = helpers.person(world, last_name="Berg")
    drop = helpers.person(world, last_name="Berg", custom={"passport": PASSPORT})
    member = world.member(world.alice)
    choices = merge.default_choices(keep, drop, member)
    assert choices["custom.passport"] == "loser"
    record = merge.merge(
        member, keep, drop, choices, survivor_version=keep.version, loser_version=drop.version
    )
    fresh = helpers.reload(keep)
    shown = services.reveal(member, fresh, ["custom.passport"], "merge check")
    assert shown == {"custom.passport": PASSPORT}
    assert record.before[merge.CUSTOM_SECRETS]["passport"]["survivor"] is None
    merge.undo(member, record)
    assert _rows(keep) == {}
    assert _reveal(world, drop, "passport") == PASSPORT


def test_a_member_who_may_not_reveal_sees_bare_masks_and_cannot_take_it(
    world: World, as_user: Callable[[User], Client]
) -> None:
    _define(world, "person", "passport")
    # Alice (who may reveal) writes the value; Bob (sales, no reveal) owns both records.
    alice = world.member(world.alice)
    keep = services.create_person(alice, {"last_name": "Berg", "owner": world.bob.pk})
    drop = services.create_person(
        alice, {"last_name": "Berg", "owner": world.bob.pk, "custom": {"passport": PASSPORT}}
    )
    client = as_user(world.bob)
    page = client.get(f"/people/{keep.pk}/merge/?with={drop.pk}")
    html = page.content.decode()
    row = {r["name"]: r for r in page.context["rows"]}["custom.passport"]
    assert (row["survivor"], row["loser"], row["locked"]) == ("", "••••", True)
    assert row["choice"] == "survivor"
    assert PASSPORT not in html and "5678" not in html
    assert 'name="choice_custom.passport" value="loser"' not in html
    response = client.post(
        f"/people/{keep.pk}/merge/",
        {
            "loser": drop.pk,
            "survivor_version": keep.version,
            "loser_version": drop.version,
            "choice_custom.passport": "loser",
        },
    )
    assert response.status_code == 409
    assert PASSPORT not in response.content.decode()
    assert not MergeRecord.objects.filter(workspace=world.acme).exists()
    # Keeping the survivor's (empty) value is fine; the loser's value stays with the loser.
    response = client.post(
        f"/people/{keep.pk}/merge/",
        {"loser": drop.pk, "survivor_version": keep.version, "loser_version": drop.version},
    )
    assert response.status_code == 302
    assert _rows(keep) == {}
    record = MergeRecord.objects.get(workspace=world.acme)
    assert merge.CUSTOM_SECRETS not in record.before
    _no_plaintext_anywhere(keep, PASSPORT)


def test_the_api_takes_a_sensitive_custom_value_by_name(world: World) -> None:
    _define(world, "company", "vat")
    keep = helpers.company(world, name="Initech", custom={"vat": VAT_KEPT})
    drop = helpers.company(world, name="Initech AS", custom={"vat": VAT_TAKEN})
    response = Api(token_for(world, world.erin)).post(
        f"/companies/{keep.pk}/merge",
        {
            "loser": drop.pk,
            "survivor_version": keep.version,
            "loser_version": drop.version,
            "fields": {"custom.vat": "loser"},
        },
    )
    assert body(response)["fields"]["custom.vat"] == "loser"
    assert _reveal(world, keep, "vat") == VAT_TAKEN
    assert CustomSecret.objects.filter(workspace=world.acme, key="vat").count() == 2
