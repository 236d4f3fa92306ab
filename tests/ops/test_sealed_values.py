"""S13: a sealed value only opens in its own row and field, and not at all once its key is gone."""

from __future__ import annotations

import pytest
from django.db import connection
from django.utils import timezone

from amity.core import crypto
from amity.core.models import DataKey
from amity.customers import services
from amity.customers.models import Person
from tests.conftest import World
from tests.ops import canaries


def _raw_update(person: Person, column: str, value: str) -> None:
    """Write a column behind the app's back, as someone with database access could."""
    assert column in ("national_id", "bank_account")
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE customers_person SET {column} = %s WHERE id = %s AND workspace_id = %s",
            [value, person.pk, person.workspace_id],
        )


def _open(person: Person, field: str) -> str:
    fresh = Person.objects.get(workspace_id=person.workspace_id, pk=person.pk)
    token = getattr(fresh, field)
    return crypto.unseal(fresh.workspace_id, "person", field, str(fresh.uid), token)


def test_it_refuses_a_value_copied_into_another_row(world: World) -> None:
    first, second = canaries.seed(world.member(world.alice), 2)
    _raw_update(second, "national_id", first.national_id)

    with pytest.raises(crypto.DecryptionError):
        _open(second, "national_id")
    assert _open(first, "national_id") == canaries.national_id(0)
    fresh = Person.objects.get(workspace=world.acme, pk=second.pk)
    assert services.masked(fresh, "national_id") == crypto.MASK
    with pytest.raises(crypto.DecryptionError):
        services.reveal(world.member(world.alice), fresh, ["national_id"], "support call")


def test_it_refuses_a_value_copied_into_another_field(world: World) -> None:
    (person,) = canaries.seed(world.member(world.alice), 1)
    _raw_update(person, "bank_account", person.national_id)

    with pytest.raises(crypto.DecryptionError):
        _open(person, "bank_account")
    assert _open(person, "national_id") == canaries.national_id(0)


def test_it_refuses_a_value_copied_into_another_workspace(world: World) -> None:
    (ours,) = canaries.seed(world.member(world.alice), 1)
    (theirs,) = canaries.seed(world.member(world.mallory, world.globex), 1, start=1)
    _raw_update(theirs, "national_id", ours.national_id)

    with pytest.raises(crypto.DecryptionError):
        _open(theirs, "national_id")


def test_it_refuses_a_tampered_value(world: World) -> None:
    (person,) = canaries.seed(world.member(world.alice), 1)
    token = person.national_id
    flipped = token[:-2] + ("A" if token[-2] != "A" else "B") + token[-1]
    _raw_update(person, "national_id", flipped)

    with pytest.raises(crypto.DecryptionError):
        _open(person, "national_id")


def test_destroying_the_key_leaves_no_readable_row(world: World) -> None:
    people = canaries.seed(world.member(world.alice), 40)
    (other,) = canaries.seed(world.member(world.mallory, world.globex), 1, start=100)
    assert _open(people[0], "bank_account") == canaries.bank_account(0)

    destroyed = DataKey.objects.filter(
        workspace=world.acme, purpose=DataKey.Purpose.ENCRYPTION
    ).update(destroyed_at=timezone.now())
    crypto.clear_cache()

    assert destroyed == 1
    readable = 0
    for person in Person.objects.filter(workspace=world.acme):
        for field in ("national_id", "bank_account"):
            try:
                _open(person, field)
                readable += 1
            except crypto.DecryptionError:
                pass
    assert readable == 0
    assert services.masked(people[0], "national_id") == crypto.MASK
    # Another workspace's data keys are its own.
    assert _open(other, "national_id") == canaries.national_id(100)
