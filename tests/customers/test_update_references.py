"""Updates check only the references they change: a record whose company went to the trash,
or whose owner left, stays editable."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from amity.core import services as core_services
from amity.customers import services
from tests.conftest import World


def test_it_edits_a_person_whose_company_is_in_the_trash(world: World) -> None:
    alice = world.member(world.alice)
    initech = services.create_company(alice, {"name": "Initech"})
    peter = services.create_person(alice, {"last_name": "Gibbons", "company": initech.pk})
    services.trash(alice, initech)
    services.update_person(alice, peter, {"phone": "+47 22 00 58 88"}, expected_version=1)
    assert (peter.phone, peter.company_id, peter.version) == ("+4722005888", initech.pk, 2)


def test_it_edits_a_record_whose_owner_left(world: World) -> None:
    alice = world.member(world.alice)
    peter = services.create_person(alice, {"last_name": "Gibbons", "owner": world.sam.pk})
    core_services.deactivate_member(alice, world.member(world.sam))
    services.update_person(alice, peter, {"title": "Engineer"}, expected_version=1)
    assert (peter.title, peter.owner_id) == ("Engineer", world.sam.pk)


def test_it_still_refuses_a_new_company_in_the_trash(world: World) -> None:
    alice = world.member(world.alice)
    initech = services.create_company(alice, {"name": "Initech"})
    peter = services.create_person(alice, {"last_name": "Gibbons"})
    services.trash(alice, initech)
    with pytest.raises(ValidationError) as error:
        services.update_person(alice, peter, {"company": initech.pk}, expected_version=1)
    assert error.value.message_dict == {"company": ["Choose a company in this workspace."]}


def test_a_second_restore_records_nothing(world: World) -> None:
    alice = world.member(world.alice)
    peter = services.create_person(alice, {"last_name": "Gibbons"})
    services.trash(alice, peter)
    services.restore(alice, peter)
    version = type(peter).objects.get(workspace=world.acme, pk=peter.pk).version
    services.restore(alice, peter)
    assert type(peter).objects.get(workspace=world.acme, pk=peter.pk).version == version
