"""The worker's quote expiry sweep: sent quotes lapse at the end of their day, workspace time."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest
from django.db import connection

from amity.core import tasks
from amity.core.models import AuditEvent, Workspace
from amity.sales import quotes
from amity.sales.models import Quote
from tests.conftest import World
from tests.sales.quote_helpers import customer_deal, quote_with_lines

# 05:00 UTC on 10 March is still 9 March in Honolulu (UTC-10).
NOW = datetime(2026, 3, 10, 5, 0, tzinfo=UTC)
HONOLULU_YESTERDAY, HONOLULU_TODAY = date(2026, 3, 8), date(2026, 3, 9)


def _quote(world: World, status: str, valid_until: date) -> Quote:
    quote = quote_with_lines(
        world,
        customer_deal(world),
        [{"description": "Consulting", "quantity": "1", "unit_price": "100"}],
    )
    Quote.objects.filter(pk=quote.pk, workspace=world.acme).update(
        status=status, valid_until=valid_until
    )
    quote.refresh_from_db()
    return quote


def _status(world: World, quote: Quote) -> str:
    return Quote.objects.get(pk=quote.pk, workspace=world.acme).status


def test_a_quote_expires_after_its_day_ends_in_the_workspace_zone(world: World) -> None:
    Workspace.objects.filter(pk=world.acme.pk).update(time_zone="Pacific/Honolulu")
    lapsed = _quote(world, Quote.Status.SENT, HONOLULU_YESTERDAY)
    # Yesterday in UTC, but still today in Honolulu: not expired yet.
    today = _quote(world, Quote.Status.SENT, HONOLULU_TODAY)

    assert quotes.expire_due(NOW) == 1

    assert _status(world, lapsed) == Quote.Status.EXPIRED
    assert _status(world, today) == Quote.Status.SENT
    event = AuditEvent.objects.get(
        workspace=world.acme,
        object_type="quote",
        object_id=str(lapsed.pk),
        changes__status=["sent", "expired"],
    )
    assert event.changes == {"status": ["sent", "expired"]}
    assert event.actor_id is None and event.actor_label == "Amity (quote expiry)"


def test_a_zone_ahead_of_utc_expires_before_utc_midnight(world: World) -> None:
    Workspace.objects.filter(pk=world.acme.pk).update(time_zone="Pacific/Kiritimati")
    # 12:00 UTC on 10 March is already 02:00 on 11 March at UTC+14.
    quote = _quote(world, Quote.Status.SENT, date(2026, 3, 10))
    assert quotes.expire_due(datetime(2026, 3, 10, 12, 0, tzinfo=UTC)) == 1
    assert _status(world, quote) == Quote.Status.EXPIRED


def test_decided_and_draft_quotes_are_left_alone(world: World) -> None:
    untouched = [
        _quote(world, status, date(2026, 1, 1))
        for status in (Quote.Status.ACCEPTED, Quote.Status.DECLINED, Quote.Status.DRAFT)
    ]
    assert quotes.expire_due(NOW) == 0
    assert [_status(world, q) for q in untouched] == ["accepted", "declined", "draft"]
    assert not AuditEvent.objects.filter(
        workspace=world.acme, object_type="quote", changes__status=["sent", "expired"]
    ).exists()


def test_the_sweep_is_idempotent_and_registered(world: World) -> None:
    quote = _quote(world, Quote.Status.SENT, date(2026, 1, 1))
    assert quotes.expire_due(NOW) == 1
    version = Quote.objects.get(pk=quote.pk, workspace=world.acme).version
    assert quotes.expire_due(NOW) == 0
    assert Quote.objects.get(pk=quote.pk, workspace=world.acme).version == version
    assert (
        AuditEvent.objects.filter(
            workspace=world.acme, object_type="quote", changes__status=["sent", "expired"]
        ).count()
        == 1
    )
    assert quotes.expire_due in tasks.SWEEPS


def test_the_sweep_reads_the_partial_index_of_sent_quotes(world: World) -> None:
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL plans a tiny table with a sequential scan")
    query = Quote.objects.filter(
        workspace_id__in=Workspace.objects.values("pk"),
        status=Quote.Status.SENT,
        valid_until__lt=date(2026, 3, 11),
    ).values_list("workspace_id", "pk", "valid_until")
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "quote_sent_until" in plan
