"""search.bulk_writes: a large write's index entries merged in bulk, before the commit."""

from __future__ import annotations

import pytest
from django.db import connection

from amity.core import search
from tests.conftest import World
from tests.customers import helpers

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="GIN indexes are PostgreSQL's"),
]


def _setting(name: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SHOW {name}")
        return str(cursor.fetchone()[0])


def _pending_pages() -> int:
    """Merge what waits in the entries' GIN pending list; return how many pages that was."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT gin_clean_pending_list('search_entry_tsv'::regclass)")
        return int(cursor.fetchone()[0])


def test_entries_wait_in_the_pending_list_outside_a_bulk_write(world: World) -> None:
    _pending_pages()
    helpers.person(world, first_name="Ola", last_name="Hansen")
    assert _pending_pages() >= 1


def test_a_bulk_write_leaves_no_pending_entries(world: World) -> None:
    _pending_pages()
    with search.bulk_writes():
        assert _setting("gin_pending_list_limit") == f"{search.BULK_PENDING_KB // 1024}MB"
        assert _setting("work_mem") == f"{search.BULK_WORK_MEM_MB}MB"
        helpers.person(world, first_name="Kari", last_name="Nordmann")
    assert _pending_pages() == 0
    assert [h.title for h in search.query(world.member(world.alice), "nordm")] == ["Kari Nordmann"]


def test_a_failed_bulk_write_merges_nothing(world: World) -> None:
    _pending_pages()
    with pytest.raises(RuntimeError), search.bulk_writes():
        helpers.person(world, first_name="Per", last_name="Olsen")
        raise RuntimeError
    assert _pending_pages() >= 1
