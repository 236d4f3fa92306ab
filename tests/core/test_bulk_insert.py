"""bulk.insert_rows writes per-row values and the values shared by every row."""

from __future__ import annotations

import pytest
from django.utils import timezone

from amity.core import bulk
from amity.customers.models import Tag
from tests.conftest import World


@pytest.mark.django_db
def test_it_writes_shared_values_once_for_every_row(world: World) -> None:
    now = timezone.now()
    bulk.insert_rows(
        "customers_tag",
        ["name"],
        [("first",), ("second",)],
        constants={
            "workspace_id": world.acme.pk,
            "colour": "x'); --",  # not a colour, but the column takes any short text
            "created_at": now,  # bound, not written into the statement
            "version": 1,
        },
    )
    tags = Tag.objects.filter(workspace=world.acme).order_by("name")
    assert [(t.name, t.colour, t.created_at, t.version) for t in tags] == [
        ("first", "x'); --", now, 1),
        ("second", "x'); --", now, 1),
    ]


def test_it_binds_what_it_cannot_write_as_a_plain_literal() -> None:
    assert bulk._literal("it's") == "'it''s'"
    assert bulk._literal(True) == "1"
    assert bulk._literal(None) == "NULL"
    assert bulk._literal("a\x00b") is None
    assert bulk._literal(1.5) is None
