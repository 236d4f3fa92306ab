from __future__ import annotations

from amity.core.paging import paginate
from amity.customers import selectors
from amity.customers import services as customers
from amity.customers.models import Person
from tests.conftest import World


def test_it_walks_every_row_once_forwards_and_backwards(world: World) -> None:
    alice = world.member(world.alice)
    for i in range(23):
        customers.create_person(alice, {"first_name": f"P{i % 3}", "last_name": f"L{i % 5}"})
    qs = Person.objects.filter(workspace=world.acme)
    ordering = selectors.PERSON_SORTS["-name"]
    seen: list[int] = []
    pages = []
    page = paginate(qs, ordering, size=5)
    while True:
        pages.append(page)
        seen += [p.pk for p in page.items]
        if page.next_cursor is None:
            break
        page = paginate(qs, ordering, after=page.next_cursor, size=5)
    expected = list(qs.order_by(*ordering).values_list("pk", flat=True))
    assert seen == expected
    assert pages[0].total == 23
    back = paginate(qs, ordering, before=pages[2].prev_cursor, size=5)
    assert [p.pk for p in back.items] == [p.pk for p in pages[1].items]


def test_a_forged_cursor_gives_the_first_page(world: World) -> None:
    alice = world.member(world.alice)
    customers.create_person(alice, {"last_name": "Only"})
    qs = Person.objects.filter(workspace=world.acme)
    page = paginate(qs, ["last_name", "id"], after="not-a-cursor!")
    assert [p.last_name for p in page.items] == ["Only"]
