"""Re-issuing an expired or declined quote: a new draft with its lines, the original untouched."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from amity.core.models import AuditEvent, Role, User
from amity.sales import quotes
from amity.sales.models import Quote, QuoteLine
from tests.api.conftest import Api, api_as, body
from tests.conftest import World
from tests.sales.quote_helpers import customer_deal, d, quote_with_lines

__all__ = ["api_as"]

LINES = [
    {"description": "Consulting", "quantity": "2", "unit_price": "100", "tax_rate": "25"},
    {"description": "Travel", "quantity": "1", "unit_price": "40.50", "discount": "10"},
]


def _closed(world: World, status: str = Quote.Status.EXPIRED) -> Quote:
    quote = quote_with_lines(world, customer_deal(world), LINES)
    quotes.update_quote(
        world.member(world.bob),
        quote,
        {"notes": "Thanks!", "terms": "Net 30."},
        expected_version=quote.version,
    )
    Quote.objects.filter(pk=quote.pk, workspace=world.acme).update(
        status=status, valid_until=date(2026, 1, 31), sent_to="peter@initech.test"
    )
    quote.refresh_from_db()
    return quote


def _snapshot(world: World, quote: Quote) -> tuple[object, ...]:
    found = Quote.objects.get(pk=quote.pk, workspace=world.acme)
    lines = list(
        QuoteLine.objects.filter(workspace=world.acme, quote=quote).values_list(
            "description", "quantity", "net"
        )
    )
    return (found.status, found.version, found.valid_until, found.total, lines)


@pytest.mark.parametrize("status", [Quote.Status.EXPIRED, Quote.Status.DECLINED])
def test_it_makes_a_new_draft_with_the_lines_and_leaves_the_original(
    world: World, status: str
) -> None:
    original = _closed(world, status)
    before = _snapshot(world, original)

    fresh = quotes.reissue_quote(world.member(world.bob), original)

    assert _snapshot(world, original) == before
    assert fresh.status == Quote.Status.DRAFT and fresh.number != original.number
    assert fresh.reissued_from_id == original.pk and fresh.deal_id == original.deal_id
    assert fresh.valid_until == quotes.workspace_today(world.acme.pk) + timedelta(days=30)
    assert (fresh.notes, fresh.terms, fresh.currency) == ("Thanks!", "Net 30.", "EUR")
    copied = quotes.lines_of(fresh)
    assert [(ln.description, ln.quantity, ln.net, ln.tax) for ln in copied] == [
        (ln.description, ln.quantity, ln.net, ln.tax) for ln in quotes.lines_of(original)
    ]
    assert fresh.total == original.total == d("286.45")
    assert AuditEvent.objects.filter(
        workspace=world.acme,
        object_type="quote",
        object_id=str(fresh.pk),
        changes__reissued_from=[None, original.number],
    ).exists()


@pytest.mark.parametrize("status", [Quote.Status.DRAFT, Quote.Status.SENT, Quote.Status.ACCEPTED])
def test_only_expired_or_declined_quotes_are_reissued(world: World, status: str) -> None:
    quote = _closed(world, status)
    with pytest.raises(ValidationError):
        quotes.reissue_quote(world.member(world.bob), quote)
    assert not Quote.objects.filter(workspace=world.acme, reissued_from=quote).exists()


def test_a_quote_is_reissued_once(world: World) -> None:
    original = _closed(world)
    first = quotes.reissue_quote(world.member(world.bob), original)
    with pytest.raises(ValidationError, match=first.number):
        quotes.reissue_quote(world.member(world.bob), original)
    # Deleting that draft allows a new one.
    quotes.delete_quote(world.member(world.bob), first, expected_version=first.version)
    assert quotes.reissue_quote(world.member(world.bob), original).reissued_from_id == original.pk


def test_the_quote_page_reissues_and_links_back(
    world: World, as_user: Callable[[User], Client]
) -> None:
    original = _closed(world)
    client = as_user(world.bob)
    page = client.get(f"/quotes/{original.pk}/")
    assert f'action="/quotes/{original.pk}/reissue/"'.encode() in page.content

    response = client.post(f"/quotes/{original.pk}/reissue/")

    fresh = Quote.objects.get(workspace=world.acme, reissued_from=original)
    assert response.status_code == 302 and response["Location"] == f"/quotes/{fresh.pk}/"
    page = client.get(response["Location"])
    assert f'href="/quotes/{original.pk}/"'.encode() in page.content
    assert b"/reissue/" not in page.content  # a draft is edited, not re-issued
    # A second try shows the original with the reason.
    again = client.post(f"/quotes/{original.pk}/reissue/")
    assert again.status_code == 400 and fresh.number.encode() in again.content


def test_a_viewer_cannot_reissue(world: World, as_user: Callable[[User], Client]) -> None:
    original = _closed(world)
    client = as_user(world.dave)  # read-only: sees the quote, no button, refused
    assert b"/reissue/" not in client.get(f"/quotes/{original.pk}/").content
    assert client.post(f"/quotes/{original.pk}/reissue/").status_code == 403
    assert not Quote.objects.filter(workspace=world.acme, reissued_from=original).exists()


def test_the_api_reissues(world: World, api_as: Callable[[User], Api]) -> None:
    original = _closed(world, Quote.Status.DECLINED)
    api = api_as(world.bob)

    response = api.post(f"/quotes/{original.pk}/reissue", None)

    assert response.status_code == 201, response.content
    data = body(response)
    assert data["status"] == "draft" and data["reissued_from"] == original.pk
    assert response["Location"] == f"/api/v1/quotes/{data['id']}"
    assert [ln["description"] for ln in data["lines"]] == ["Consulting", "Travel"]
    assert data["total"] == "286.45"
    again = api.post(f"/quotes/{original.pk}/reissue", None)
    assert again.status_code == 422
    assert api.post(f"/quotes/{data['id']}/reissue", None).status_code == 422  # a draft


def test_the_quote_page_links_back_only_to_a_quote_the_member_may_see(
    world: World, as_user: Callable[[User], Client]
) -> None:
    original = _closed(world)
    fresh = quotes.reissue_quote(world.member(world.bob), original)
    # The original was made while sam owned the deal; sales now see their own quotes only.
    Quote.objects.filter(pk=original.pk, workspace=world.acme).update(owner=world.sam)
    sales = Role.objects.get(workspace=world.acme, key="sales")
    grants = {**sales.grants, "quote": {**sales.grants["quote"], "view": "own"}}
    Role.objects.filter(pk=sales.pk, workspace=world.acme).update(grants=grants)

    page = as_user(world.bob).get(f"/quotes/{fresh.pk}/")

    assert page.status_code == 200
    assert f'href="/quotes/{original.pk}/"'.encode() not in page.content
    assert original.number.encode() not in page.content
    manager_page = as_user(world.erin).get(f"/quotes/{fresh.pk}/")  # sees every quote
    assert f'href="/quotes/{original.pk}/"'.encode() in manager_page.content
