"""bulk.insert writes per-row values and the values shared by every row."""

from __future__ import annotations

import sys

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.utils import timezone
from psycopg.errors import ForeignKeyViolation

from amity.core import bulk
from amity.customers.models import Tag
from tests.conftest import World


@pytest.mark.django_db
def test_it_writes_shared_values_once_for_every_row(world: World) -> None:
    now = timezone.now()
    statement = bulk.insert(
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
    bulk.run([statement])
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


@pytest.mark.django_db
@pytest.mark.parametrize("arrow", [True, False])
def test_values_come_back_as_they_went_in_whichever_way_they_travel(
    world: World, monkeypatch: pytest.MonkeyPatch, arrow: bool
) -> None:
    if arrow and not bulk.JSON_ARROW:
        pytest.skip("this SQLite has no ->> (3.38)")
    monkeypatch.setattr(bulk, "JSON_ARROW", arrow)
    # Text with a NUL or a date cannot ride in the JSON array: executemany takes them.
    names = ["plain", "it's 100%s", "ümlaut ✓", "x" * 50]
    if connection.vendor == "sqlite":  # PostgreSQL text takes no NUL at all
        names.append("nul\x00inside")
    for name in names:
        statement = bulk.insert(
            "customers_tag",
            ["name", "version"],
            [(name, 3)],
            constants={
                "workspace_id": world.acme.pk,
                "colour": "50%",
                "created_at": timezone.now(),
            },
        )
        assert statement.many == ("\x00" in name)
        bulk.run([statement])
    stored = Tag.objects.filter(workspace=world.acme, name__in=names)
    assert sorted((t.name, t.colour, t.version) for t in stored) == sorted(
        (n, "50%", 3) for n in names
    )


@pytest.mark.django_db(transaction=True)
def test_background_runs_batches_in_order_inside_the_callers_transaction(world: World) -> None:
    done: list[int] = []
    with pytest.raises(RuntimeError), transaction.atomic():
        with bulk.Background(on_done=done.append) as background:
            for n in range(3):
                rows = [(f"tag-{n}-{i}",) for i in range(50)]
                constants = {
                    "workspace_id": world.acme.pk,
                    "colour": "",
                    "version": 1,
                    "created_at": timezone.now(),
                }
                statement = bulk.insert("customers_tag", ["name"], rows, constants=constants)
                background.submit([statement], n)
        assert done == [0, 1, 2]
        assert Tag.objects.filter(workspace=world.acme, name__startswith="tag-").count() == 150
        raise RuntimeError("roll back")
    assert not Tag.objects.filter(workspace=world.acme, name__startswith="tag-").exists()


@pytest.mark.django_db
def test_a_failing_batch_raises_on_the_callers_thread(world: World) -> None:
    broken = bulk.Insert("INSERT INTO no_such_table (x) VALUES (1)", [])
    sharing = connection._thread_sharing_count
    with pytest.raises(DatabaseError), transaction.atomic(), bulk.Background() as background:
        background.submit([broken])
    assert connection._thread_sharing_count == sharing
    assert sys.getswitchinterval() == pytest.approx(0.005)


@pytest.mark.django_db
def test_the_writing_thread_gets_the_gil_back_sooner_while_a_background_runs() -> None:
    before = sys.getswitchinterval()
    with bulk.Background():
        assert sys.getswitchinterval() == bulk.SWITCH_INTERVAL < before
    assert sys.getswitchinterval() == before


@pytest.mark.django_db
def test_reserved_ids_are_new_distinct_and_take_rows(world: World) -> None:
    Tag.objects.create(workspace=world.acme, name="existing")
    ids = bulk.reserve_ids("customers_tag", 500)
    assert len(set(ids)) == 500 and ids == sorted(ids)
    assert min(ids) > Tag.objects.filter(workspace=world.acme).latest("pk").pk
    bulk.run(
        [
            bulk.insert(
                "customers_tag",
                ["id", "name"],
                [(pk, f"t{pk}") for pk in ids],
                constants={
                    "workspace_id": world.acme.pk,
                    "colour": "",
                    "version": 1,
                    "created_at": timezone.now(),
                },
            )
        ]
    )
    assert Tag.objects.filter(workspace=world.acme, pk__in=ids).count() == 500
    # The next id drawn (by the database, as an ordinary save does) is past them.
    assert Tag.objects.create(workspace=world.acme, name="after").pk > max(ids)


def _tag_in_no_workspace() -> bulk.Insert:
    return bulk.insert(
        "customers_tag",
        ["name"],
        [("orphan",)],
        constants={"workspace_id": 2**40, "colour": "", "version": 1, "created_at": timezone.now()},
    )


@pytest.mark.django_db
def test_references_are_checked_as_written_then_deferred_again(world: World) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL defers Django's foreign key checks to the commit")
    with (
        pytest.raises(ForeignKeyViolation),  # raw COPY: the driver's error
        transaction.atomic(),
        bulk.references_checked_as_written(),
    ):
        bulk.run([_tag_in_no_workspace()])  # refused by the statement itself
    with transaction.atomic():
        with bulk.references_checked_as_written():
            pass
        bulk.run([_tag_in_no_workspace()])  # deferred again: the statement passes
        with pytest.raises(IntegrityError), connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # what the commit would do
        transaction.set_rollback(True)


@pytest.mark.django_db
def test_matching_finds_rows_whose_value_is_among_many(world: World) -> None:
    names = ["it's", 'say "x"', "100%", "ærlig", "a,b", "{c}"]
    for name in names:
        Tag.objects.create(workspace=world.acme, name=name)
    wanted = [*names[:4], *(f"missing {n}" for n in range(2500))]
    found = Tag.objects.filter(bulk.matching("name", wanted), workspace=world.acme)
    assert sorted(found.values_list("name", flat=True)) == sorted(names[:4])
    assert not Tag.objects.filter(bulk.matching("name", []), workspace=world.acme).exists()
