"""S13: `amity keys rotate` re-encrypts every sealed value online and resumably."""

from __future__ import annotations

from io import StringIO
from typing import Any

import pytest
from django.core.management import call_command

from amity.core import audit, crypto, keys
from amity.core.models import AuditEvent, DataKey
from amity.customers import services
from amity.customers.models import Person
from tests.conftest import World
from tests.ops import canaries


def _people(world: World) -> list[Person]:
    return list(Person.objects.filter(workspace=world.acme).order_by("pk"))


def _plain(person: Person, field: str) -> str:
    token = getattr(person, field)
    return crypto.unseal(person.workspace_id, "person", field, str(person.uid), token)


def _versions(world: World) -> list[int]:
    return list(
        DataKey.objects.filter(workspace=world.acme, purpose=DataKey.Purpose.ENCRYPTION)
        .order_by("version")
        .values_list("version", flat=True)
    )


def _rotate(*args: str) -> str:
    out = StringIO()
    call_command("keys", "rotate", *args, stdout=out)
    return out.getvalue()


def test_it_moves_every_value_to_a_new_key(world: World) -> None:
    canaries.seed(world.member(world.alice), 300)
    canaries.seed(world.member(world.mallory, world.globex), 10, start=500)
    before = {p.pk: (p.national_id_bidx, p.bank_account_bidx) for p in _people(world)}

    output = _rotate("--batch", "64")

    assert output.splitlines()[-1] == "rows on old key: 0"
    assert "acme: rotated to key v2: 300 rows re-encrypted" in output
    assert "globex: rotated to key v2: 10 rows re-encrypted" in output
    assert _versions(world) == [1, 2]
    people = _people(world)
    assert len(people) == 300
    for person in people:
        index = int(person.last_name.split()[-1])
        assert crypto.key_version(person.national_id) == 2
        assert crypto.key_version(person.bank_account) == 2
        assert _plain(person, "national_id") == canaries.national_id(index)
        assert _plain(person, "bank_account") == canaries.bank_account(index)
        # Blind indexes use their own key, which rotation leaves alone.
        assert (person.national_id_bidx, person.bank_account_bidx) == before[person.pk]
    assert keys.rows_on_old_key(world.acme.pk) == 0
    event = AuditEvent.objects.get(workspace=world.acme, object_type="data_key")
    assert event.changes == {"rotated": [1, 2]}
    assert audit.verify() == []


def test_it_leaves_a_concurrent_edit_alone_and_finishes_on_the_next_run(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    member = world.member(world.alice)
    people = canaries.seed(member, 5)
    target = people[2]
    real_unseal = crypto.unseal
    edited: list[bool] = []

    def unseal_then_edit(*args: Any) -> str:
        # Someone saves the person between the rotation's read and its write.
        if not edited and args[3] == str(target.uid):
            edited.append(True)
            fresh = Person.objects.get(workspace=world.acme, pk=target.pk)
            services.update_person(
                member,
                fresh,
                {},
                expected_version=fresh.version,
                sensitive={"national_id": "EDITED-42"},
            )
        return real_unseal(*args)

    monkeypatch.setattr(crypto, "unseal", unseal_then_edit)
    first = keys.rotate(world.acme, batch_size=2)
    monkeypatch.setattr(crypto, "unseal", real_unseal)

    assert (first.version, first.rewritten, first.skipped) == (2, 4, 1)
    edited_person = Person.objects.get(workspace=world.acme, pk=target.pk)
    assert _plain(edited_person, "national_id") == "EDITED-42"
    # The edit rewrote the untouched IBAN with its old-key value: one row is left.
    assert first.left == 1 and keys.rows_on_old_key(world.acme.pk) == 1

    output = _rotate("--workspace", "acme")

    assert "acme: finishing the rotation to key v2: 1 rows re-encrypted" in output
    assert output.splitlines()[-1] == "rows on old key: 0"
    assert _versions(world) == [1, 2]
    edited_person = Person.objects.get(workspace=world.acme, pk=target.pk)
    assert _plain(edited_person, "national_id") == "EDITED-42"
    assert _plain(edited_person, "bank_account") == canaries.bank_account(2)


def test_it_resumes_after_a_crash_without_adding_a_key(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    canaries.seed(world.member(world.alice), 30)

    def crash(result: keys.RotationResult) -> None:
        raise KeyboardInterrupt  # as if the process died after its first batch

    with pytest.raises(KeyboardInterrupt):
        keys.rotate(world.acme, batch_size=10, progress=crash)
    assert keys.rows_on_old_key(world.acme.pk) == 20

    second = keys.rotate(world.acme, batch_size=10)

    assert (second.resumed, second.version, second.rewritten, second.left) == (True, 2, 20, 0)
    assert _versions(world) == [1, 2]
    assert {crypto.key_version(p.national_id) for p in _people(world)} == {2}
    third = keys.rotate(world.acme, batch_size=10)
    assert (third.resumed, third.version, third.rewritten) == (False, 3, 30)


def test_it_reports_status(world: World) -> None:
    canaries.seed(world.member(world.alice), 3)
    out = StringIO()
    call_command("keys", "status", "--workspace", "acme", stdout=out)
    assert out.getvalue().strip() == (
        "acme: encryption key v1 (versions [1]), blind index key v1, rows on old key: 0"
    )
    crypto.create_data_key(world.acme.pk, DataKey.Purpose.ENCRYPTION, 2)
    out = StringIO()
    call_command("keys", "status", "--workspace", "acme", stdout=out)
    assert out.getvalue().strip().endswith("rows on old key: 3")
