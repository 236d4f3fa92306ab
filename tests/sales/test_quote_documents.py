"""Quote PDFs, sending by email and the customer's public accept / decline page."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.core import signing
from django.db import transaction
from django.test import Client
from django.utils import timezone
from pypdf import PdfReader

from amity.core.models import AuditEvent, OutboxMessage
from amity.sales import quote_pdf, quotes
from amity.sales.models import Deal, DealStageChange, Quote, QuoteSettings
from tests.conftest import SmtpServer, World
from tests.sales.quote_helpers import customer_deal, quote_with_lines

Capture = Callable[..., Any]


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _sent_quote(world: World, **deal_kw: Any) -> Quote:
    deal = customer_deal(world, **deal_kw)
    quote = quote_with_lines(
        world,
        deal,
        [{"description": "Consulting", "quantity": "2", "unit_price": "1234.50", "tax_rate": "25"}],
    )
    return quotes.send_quote(world.member(world.bob), quote)


def test_the_pdf_shows_number_customer_lines_and_totals(world: World) -> None:
    deal = customer_deal(world)
    quote = quote_with_lines(
        world,
        deal,
        [{"description": "Consulting", "quantity": "2", "unit_price": "1234.50", "tax_rate": "25"}],
    )
    quotes.update_quote(
        world.member(world.bob), quote, {"terms": "Net 30 days."}, expected_version=quote.version
    )
    text = _text(quote_pdf.render(quote, "en"))
    assert quote.number in text
    assert "Initech AS" in text and "Storgata 1" in text and "Peter Gibbons" in text
    assert "Consulting" in text
    assert "2,469.00" in text  # subtotal
    assert "617.25" in text  # tax 25 %
    assert "3,086.25\u00a0EUR" in text or "3,086.25 EUR" in text
    assert "Net 30 days." in text and "Acme" in text


def test_the_pdf_route_answers_a_pdf(world: World, as_user: Callable[..., Client]) -> None:
    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "5"}])
    response = as_user(world.bob).get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")


def test_a_missing_weasyprint_gives_a_clear_page(
    world: World, as_user: Callable[..., Client], monkeypatch: pytest.MonkeyPatch
) -> None:
    import builtins

    real_import = builtins.__import__

    def no_weasyprint(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "weasyprint":
            raise OSError("cannot load library 'pango-1.0-0'")
        return real_import(name, *args, **kwargs)

    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "5"}])
    monkeypatch.setattr(builtins, "__import__", no_weasyprint)
    response = as_user(world.bob).get(f"/quotes/{quote.pk}/pdf/")
    assert response.status_code == 503
    assert b"WeasyPrint" in response.content


def test_sending_queues_one_email_with_the_pdf_and_the_smtp_server_gets_it(
    world: World, smtp_server: SmtpServer, django_capture_on_commit_callbacks: Capture
) -> None:
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        quote = _sent_quote(world)
        assert OutboxMessage.objects.filter(workspace_id=world.acme.pk).count() == 1
    assert quote.status == Quote.Status.SENT and quote.sent_to == "peter@initech.test"
    assert len(smtp_server.messages) == 1
    sent = smtp_server.messages[0]
    assert sent["To"] == "peter@initech.test"
    assert quote.number in sent["Subject"]
    parts = {part.get_content_type(): part for part in sent.walk()}
    assert parts["application/pdf"].get_filename() == f"{quote.number}.pdf"
    assert quote.number in _text(parts["application/pdf"].get_payload(decode=True))
    body = parts["text/plain"].get_payload(decode=True).decode()
    link = next(word for word in body.split() if "/q/" in word)
    assert Client().get(link.split("8000", 1)[-1]).status_code == 200
    assert AuditEvent.objects.filter(
        workspace=world.acme, object_type="quote", object_id=str(quote.pk), action="update"
    ).exists()


def test_sending_to_a_typed_address_and_refusing_a_bad_one(world: World) -> None:
    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "5"}])
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        quotes.send_quote(world.member(world.bob), quote, to="not an address")
    sent = quotes.send_quote(world.member(world.bob), quote, to="buyer@example.test")
    assert sent.sent_to == "buyer@example.test"


# The public page ---------------------------------------------------------------


def _path(quote: Quote) -> str:
    return f"/q/{quotes.public_token(quote)}/"


def test_the_public_page_shows_the_quote_without_login(world: World) -> None:
    quote = _sent_quote(world)
    response = Client().get(_path(quote))
    assert response.status_code == 200
    page = response.content.decode()
    assert quote.number in page and "Initech AS" in page and "Accept" in page
    assert "Renewal" not in page  # the deal's name is internal
    assert "no-store" in response["Cache-Control"]


@pytest.mark.parametrize("mangle", ["flip", "other_salt", "garbage"])
def test_a_tampered_token_is_404_and_changes_nothing(world: World, mangle: str) -> None:
    quote = _sent_quote(world)
    token = quotes.public_token(quote)
    if mangle == "flip":
        token = token[:-2] + ("AA" if token[-2:] != "AA" else "BB")
    elif mangle == "other_salt":
        payload = {"w": quote.workspace_id, "q": quote.pk, "u": quote.valid_until.isoformat()}
        token = signing.dumps(payload, salt="another.salt")
    else:
        token = "x" * 40
    client = Client()
    assert client.get(f"/q/{token}/").status_code == 404
    assert client.post(f"/q/{token}/", {"action": "accept"}).status_code == 404
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_a_draft_is_not_public(world: World) -> None:
    quote = quote_with_lines(world, customer_deal(world), [{"description": "A", "unit_price": "5"}])
    assert Client().get(_path(quote)).status_code == 404


def test_an_expired_link_is_refused(world: World) -> None:
    quote = _sent_quote(world)
    path = _path(quote)
    past = timezone.localdate() - timedelta(days=1)
    Quote.objects.filter(pk=quote.pk, workspace=world.acme).update(valid_until=past)
    quote.refresh_from_db()
    client = Client()
    # The old link named the old date: it is void.
    assert client.get(path).status_code == 404
    expired = _path(quote)
    assert client.get(expired).status_code == 410
    assert client.post(expired, {"action": "accept"}).status_code == 410
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_accepting_records_who_and_wins_the_deal_when_set(world: World) -> None:
    QuoteSettings.objects.update_or_create(
        workspace=world.acme, defaults={"accepted_wins_deal": True}
    )
    quote = _sent_quote(world)
    client = Client(enforce_csrf_checks=True)
    page = client.get(_path(quote))
    from django.conf import settings

    csrf = page.cookies[settings.CSRF_COOKIE_NAME].value
    response = client.post(
        _path(quote),
        {"action": "accept", "name": "Peter Gibbons", "csrfmiddlewaretoken": csrf},
        REMOTE_ADDR="203.0.113.7",
    )
    assert response.status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED
    assert (quote.decided_by, quote.decided_ip) == ("Peter Gibbons", "203.0.113.7")
    assert quote.decided_at is not None
    deal = Deal.objects.get(pk=quote.deal_id, workspace=world.acme)
    assert deal.status == Deal.Status.WON and deal.stage.is_won
    assert DealStageChange.objects.filter(
        workspace=world.acme, deal=deal, to_stage__is_won=True
    ).exists()
    assert (
        AuditEvent.objects.filter(
            workspace=world.acme, object_type="quote", object_id=str(quote.pk)
        )
        .filter(changes__status=["sent", "accepted"])
        .exists()
    )
    # Decided once: a second answer is refused and changes nothing.
    again = client.post(_path(quote), {"action": "decline", "csrfmiddlewaretoken": csrf})
    assert again.status_code == 409  # refused; the page shows the decision, no buttons
    assert b"already been answered" in again.content
    quote.refresh_from_db()
    assert quote.status == Quote.Status.ACCEPTED


def test_the_public_post_needs_the_csrf_token(world: World) -> None:
    quote = _sent_quote(world)
    client = Client(enforce_csrf_checks=True)
    assert client.post(_path(quote), {"action": "accept"}).status_code == 403
    quote.refresh_from_db()
    assert quote.status == Quote.Status.SENT


def test_declining_leaves_the_deal_open_and_cannot_be_repeated(world: World) -> None:
    QuoteSettings.objects.update_or_create(
        workspace=world.acme, defaults={"accepted_wins_deal": True}
    )
    quote = _sent_quote(world)
    client = Client()
    assert client.post(_path(quote), {"action": "decline"}).status_code == 302
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DECLINED
    assert Deal.objects.get(pk=quote.deal_id, workspace=world.acme).status == Deal.Status.OPEN
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        quotes.decide(quote, accept=True)
    response = client.post(_path(quote), {"action": "accept"})
    quote.refresh_from_db()
    assert quote.status == Quote.Status.DECLINED
    assert b"Accept</button>" not in response.content


def test_without_the_setting_an_accepted_quote_leaves_the_deal(world: World) -> None:
    quote = _sent_quote(world)
    quotes.decide(quote, accept=True, ip="198.51.100.1")
    assert Deal.objects.get(pk=quote.deal_id, workspace=world.acme).status == Deal.Status.OPEN
