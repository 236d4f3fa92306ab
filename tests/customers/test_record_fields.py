"""Services: phones as E.164, typed emails and phones with one primary, consent, tags."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from amity.customers import services
from amity.customers.fields import contacts_of, tag_names
from amity.customers.models import Tag
from tests.conftest import World
from tests.customers import helpers


def test_it_stores_phones_as_e164_using_the_address_country(world: World) -> None:
    ann = helpers.person(
        world, phone="22 33 44 55", mobile="+44 20 7946 0018", billing_country="NO"
    )
    assert (ann.phone, ann.mobile) == ("+4722334455", "+442079460018")
    co = helpers.company(world, phone="(555) 123-4567", shipping_country="US")
    assert co.phone == "+15551234567"


def test_it_refuses_a_local_number_without_a_country(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, phone="22 33 44 55")
    assert list(caught.value.message_dict) == ["phone"]


def test_it_keeps_one_primary_email_in_the_indexed_column(world: World) -> None:
    ann = helpers.person(
        world,
        emails=[
            {"value": "ann@home.test", "type": "home"},
            {"value": "ann@work.test", "type": "work", "primary": True},
            {"value": "ANN@home.test", "type": "other"},  # a duplicate, dropped
        ],
    )
    assert (ann.email, ann.email_type) == ("ann@work.test", "work")
    assert ann.more_emails == [{"value": "ann@home.test", "type": "home"}]
    assert contacts_of(ann, "emails") == [
        {"value": "ann@work.test", "type": "work", "primary": True},
        {"value": "ann@home.test", "type": "home", "primary": False},
    ]


def test_it_makes_the_first_entry_primary_when_none_is_marked(world: World) -> None:
    ann = helpers.person(
        world,
        billing_country="NO",
        phones=[{"value": "99 99 99 99", "type": "mobile"}, {"value": "22 33 44 55"}],
    )
    assert (ann.phone, ann.phone_type) == ("+4799999999", "mobile")
    assert ann.more_phones == [{"value": "+4722334455", "type": "work"}]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (
            {
                "emails": [
                    {"value": "a@x.test", "primary": True},
                    {"value": "b@x.test", "primary": True},
                ]
            },
            "emails",
        ),
        ({"emails": [{"value": "not-an-address"}]}, "emails"),
        ({"emails": [{"value": "a@x.test", "type": "fax"}]}, "emails"),
        ({"phones": [{"value": "+47 1"}]}, "phones"),
        ({"emails": [], "email": "a@x.test"}, "emails"),
        ({"email_type": "fax"}, "email_type"),
        ({"more_emails": []}, "more_emails"),
        ({"email_consent_at": "2000-01-01T00:00:00Z"}, "email_consent_at"),
    ],
)
def test_it_refuses_bad_contact_input(world: World, data: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, **data)
    assert list(caught.value.message_dict) == [field]


def test_it_records_when_consent_was_given_and_withdrawn(world: World) -> None:
    ann = helpers.person(world, email_consent=True)
    given = ann.email_consent_at
    assert given is not None and ann.messaging_consent_at is None
    alice = world.member(world.alice)
    ann = services.update_person(alice, ann, {"title": "CEO"}, expected_version=1)
    assert ann.email_consent_at == given  # unchanged flag, unchanged time
    ann = services.update_person(alice, ann, {"email_consent": False}, expected_version=2)
    assert ann.email_consent is False and ann.email_consent_at is not None
    assert ann.email_consent_at > given
    [_, update] = helpers.events("update", ann)
    assert set(update.changes) == {"email_consent", "email_consent_at"}


def test_it_links_tags_by_name_within_the_workspace(world: World) -> None:
    ann = helpers.person(world, tags=["VIP", " partner ", "vip"])
    assert tag_names(helpers.reload(ann)) == ["partner", "VIP"]
    bo = helpers.person(world, last_name="Berg", tags=["Vip"])
    assert tag_names(helpers.reload(bo)) == ["VIP"]  # the workspace's existing tag
    mallory = world.member(world.mallory, world.globex)
    services.create_person(mallory, {"last_name": "Other", "tags": ["VIP"]})
    assert Tag.objects.filter(workspace=world.acme).count() == 2
    assert Tag.objects.filter(workspace=world.globex).count() == 1
    alice = world.member(world.alice)
    services.update_person(alice, ann, {"tags": ["partner"]}, expected_version=1)
    [update] = helpers.events("update", ann)
    assert update.changes == {"tags": ["partner, VIP", "partner"]}


def test_it_refuses_too_long_tags(world: World) -> None:
    with pytest.raises(ValidationError) as caught:
        helpers.person(world, tags=["x" * 51])
    assert list(caught.value.message_dict) == ["tags"]


def test_it_finds_people_by_every_email_phone_and_tag(world: World) -> None:
    from amity.core import search

    helpers.person(
        world,
        last_name="Zed",
        billing_country="NO",
        emails=[{"value": "zed@work.test"}, {"value": "zed@home.test", "type": "home"}],
        phones=[{"value": "22 33 44 55"}, {"value": "99 88 77 66", "type": "mobile"}],
        tags=["Golfer"],
    )
    member = world.member(world.dave)
    for query in ("zed@home", "99887766", "golfer"):
        assert [h.title for h in search.query(member, query)] == ["Zed"], query
