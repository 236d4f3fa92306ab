"""Quotes on deals: priced lines, totals to the cent, numbering, sending and the customer's answer.

Line arithmetic (each amount rounded half up to the cent, then summed):
gross = quantity × unit price; discount = gross × discount %; net = gross − discount;
tax = net × tax rate %. The quote's total is the sum of nets plus the sum of taxes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amity.core import access, audit, outbox
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership, Workspace
from amity.customers import email_tracking
from amity.customers.models import Company, Person
from amity.sales import services
from amity.sales.models import (
    Deal,
    DealPerson,
    Price,
    PriceList,
    Product,
    Quote,
    QuoteCounter,
    QuoteLine,
    QuoteSettings,
    Stage,
)
from amity.sales.money import cents
from amity.sales.products import MAX_PRICE, decimal_in, percent

log = logging.getLogger("amity.sales")

TOKEN_SALT = "amity.sales.quote.public"  # noqa: S105 - a signing salt, not a secret
MAX_LINES = 200
MAX_QUANTITY = Decimal("999999999.999")
DEFAULT_VALID_DAYS = 30
EXPIRY_BATCH = 500
# No zone is more than 14 hours ahead of UTC: no workspace's today is later than this.
LATEST_ZONE_AHEAD = timedelta(hours=14)
QUOTE_FIELDS = ("valid_until", "notes", "terms", "price_list")
LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount", "tax_rate")


# Arithmetic --------------------------------------------------------------------


@dataclass(frozen=True)
class LineAmounts:
    gross: Decimal
    discount: Decimal
    net: Decimal
    tax: Decimal


@dataclass(frozen=True)
class Totals:
    subtotal: Decimal
    discount_total: Decimal
    tax_by_rate: dict[Decimal, Decimal]
    tax_total: Decimal
    total: Decimal


def line_amounts(
    quantity: Decimal, unit_price: Decimal, discount: Decimal, tax_rate: Decimal
) -> LineAmounts:
    gross = cents(quantity * unit_price)
    off = cents(gross * discount / 100)
    net = gross - off
    return LineAmounts(gross, off, net, cents(net * tax_rate / 100))


def totals(lines: list[tuple[LineAmounts, Decimal]]) -> Totals:
    """Sum (amounts, tax rate) pairs; tax is reported per rate, highest rate first."""
    by_rate: dict[Decimal, Decimal] = {}
    for amounts, rate in lines:
        by_rate[rate] = by_rate.get(rate, Decimal("0.00")) + amounts.tax
    subtotal = sum((a.gross for a, _r in lines), Decimal("0.00"))
    discount = sum((a.discount for a, _r in lines), Decimal("0.00"))
    tax = sum(by_rate.values(), Decimal("0.00"))
    ordered = dict(sorted(by_rate.items(), reverse=True))
    return Totals(subtotal, discount, ordered, tax, subtotal - discount + tax)


def quote_totals(quote: Quote, lines: list[QuoteLine]) -> Totals:
    return totals(
        [(LineAmounts(ln.gross, ln.discount_amount, ln.net, ln.tax), ln.tax_rate) for ln in lines]
    )


# Reads ---------------------------------------------------------------------------


def quotes_of_deal(member: Membership, deal: Deal) -> QuerySet[Quote]:
    return access.visible(member, Quote).filter(deal=deal).order_by("-id")


def lines_of(quote: Quote) -> list[QuoteLine]:
    return list(
        QuoteLine.objects.filter(workspace_id=quote.workspace_id, quote=quote)
        .select_related("product")
        .order_by("position", "id")
    )


def quote_settings(workspace_id: int) -> QuoteSettings:
    found, _created = QuoteSettings.objects.get_or_create(workspace_id=workspace_id)
    return found


def customer_of(quote: Quote) -> tuple[Company | None, Person | None]:
    """Return the deal's company and its first person (the quote's addressee)."""
    deal = quote.deal
    company = None
    if deal.company_id is not None:
        company = Company.objects.filter(
            workspace_id=quote.workspace_id, pk=deal.company_id, deleted_at__isnull=True
        ).first()
    person = (
        Person.objects.filter(
            workspace_id=quote.workspace_id,
            deleted_at__isnull=True,
            pk__in=DealPerson.objects.filter(workspace_id=quote.workspace_id, deal=deal).values(
                "person_id"
            ),
        )
        .order_by("id")
        .first()
    )
    return company, person


# Numbering -----------------------------------------------------------------------


def next_number(workspace_id: int, year: int) -> str:
    """Allocate the workspace's next number for the year, e.g. Q-2026-0001.

    The UPDATE … SET last = last + 1 locks the counter row until the transaction
    ends, so concurrent quotes wait for each other instead of sharing a number.
    """
    key = {"workspace_id": workspace_id, "year": year}
    if not QuoteCounter.objects.filter(**key).update(last=F("last") + 1):
        try:
            with transaction.atomic():
                QuoteCounter.objects.create(last=1, **key)
        except IntegrityError:
            QuoteCounter.objects.filter(**key).update(last=F("last") + 1)
    last = QuoteCounter.objects.filter(**key).values_list("last", flat=True).get()
    return f"Q-{year}-{last:04d}"


# Writes --------------------------------------------------------------------------


def _price_list_for(member: Membership, deal: Deal, value: Any) -> PriceList | None:
    if value in (None, ""):
        return None
    try:
        pk = int(value)
    except (TypeError, ValueError, OverflowError) as exc:
        raise ValidationError({"price_list": _("Choose a price list.")}) from exc
    found = access.visible(member, PriceList).filter(pk=pk).first()
    if found is None or found.currency != deal.currency:
        raise ValidationError(
            {"price_list": _("Choose a price list in %(currency)s.") % {"currency": deal.currency}}
        )
    return found


def _apply_quote(member: Membership, quote: Quote, data: dict[str, Any]) -> None:
    for name in data:
        if name not in QUOTE_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
    if "valid_until" in data:
        value = data["valid_until"]
        if isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                value = None
        if not isinstance(value, date):
            raise ValidationError({"valid_until": _("Enter a date.")})
        quote.valid_until = value
    for name in ("notes", "terms"):
        if name in data:
            text = str(data[name] or "")
            if len(text) > 5000 or "\x00" in text:
                raise ValidationError({name: _("Enter at most %(n)d characters.") % {"n": 5000}})
            setattr(quote, name, text)
    if "price_list" in data:
        quote.price_list = _price_list_for(member, quote.deal, data["price_list"])


def _audit(member: Membership, action: str, quote: Quote, changes: dict[str, Any]) -> None:
    audit.record(
        action, workspace=member.workspace_id, actor=member.user, obj=quote, changes=changes
    )


@transaction.atomic
def create_quote(member: Membership, deal: Deal, data: dict[str, Any] | None = None) -> Quote:
    """Start a draft quote on a deal, in its currency, numbered in the workspace's sequence."""
    access.require(member, "quote", "create")
    access.require(member, "deal", "edit", deal)
    data = dict(data or {})
    today = timezone.localdate()
    quote = Quote(
        workspace_id=member.workspace_id,
        deal=deal,
        owner_id=deal.owner_id or member.user_id,
        created_by_id=member.user_id,
        currency=deal.currency,
        valid_until=today + timedelta(days=DEFAULT_VALID_DAYS),
    )
    _apply_quote(member, quote, data)
    if quote.price_list is None and "price_list" not in data:
        quote.price_list = (
            access.visible(member, PriceList)
            .filter(currency=deal.currency, active=True)
            .order_by("id")
            .first()
        )
    quote.number = next_number(member.workspace_id, today.year)
    quote.save()
    _audit(member, audit.Action.CREATE, quote, {"number": [None, quote.number]})
    return quote


def _require_draft(quote: Quote) -> None:
    if not quote.editable:
        raise ValidationError({"status": _("Only draft quotes can be changed.")})


def _bump(member: Membership, quote: Quote, expected_version: int, **fields: Any) -> None:
    """Write `fields` and the next version if the quote is still an unchanged draft."""
    now = timezone.now()
    if not Quote.objects.filter(
        pk=quote.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        status=Quote.Status.DRAFT,
    ).update(version=F("version") + 1, updated_at=now, **fields):
        raise VersionConflict(
            Quote.objects.filter(pk=quote.pk, workspace_id=member.workspace_id).first()
        )
    quote.version, quote.updated_at = expected_version + 1, now


@transaction.atomic
def update_quote(
    member: Membership, quote: Quote, data: dict[str, Any], *, expected_version: int
) -> Quote:
    """Change a draft's validity, notes, terms or price list (optimistic lock)."""
    access.require(member, "quote", "edit", quote)
    _require_draft(quote)
    before = {k: str(getattr(quote, k + ("_id" if k == "price_list" else ""))) for k in data}
    _apply_quote(member, quote, data)
    _bump(
        member,
        quote,
        expected_version,
        valid_until=quote.valid_until,
        notes=quote.notes,
        terms=quote.terms,
        price_list=quote.price_list,
    )
    after = {k: str(getattr(quote, k + ("_id" if k == "price_list" else ""))) for k in data}
    _audit(
        member,
        audit.Action.UPDATE,
        quote,
        {k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return quote


def _clean_line(member: Membership, quote: Quote, data: dict[str, Any]) -> QuoteLine:
    for name in data:
        if name not in LINE_FIELDS:
            raise ValidationError({name: _("This field cannot be set.")})
    line = QuoteLine(workspace_id=member.workspace_id, quote=quote)
    product = None
    if data.get("product") not in (None, ""):
        try:
            product_id = int(data["product"])
        except (TypeError, ValueError, OverflowError):
            product_id = 0
        product = access.visible(member, Product).filter(pk=product_id, active=True).first()
        if product is None:
            raise ValidationError({"product": _("Choose an active product.")})
    line.product = product
    description = str(data.get("description") or "").strip()
    if not description and product is not None:
        description = product.name
    if not description or len(description) > 500 or "\x00" in description:
        raise ValidationError({"description": _("Describe the line (at most 500 characters).")})
    line.description = description
    quantity = data.get("quantity")
    line.quantity = decimal_in(
        quantity if quantity not in (None, "") else "1",
        "quantity",
        Decimal("0.001"),
        MAX_QUANTITY,
        places=3,
    )
    line.unit_price, line.discount = _price_and_discount(member, quote, product, data)
    rate = data.get("tax_rate")
    if rate in (None, "") and product is not None:
        rate = product.tax_rate
    line.tax_rate = percent(rate, "tax_rate")
    amounts = line_amounts(line.quantity, line.unit_price, line.discount, line.tax_rate)
    line.gross, line.discount_amount = amounts.gross, amounts.discount
    line.net, line.tax = amounts.net, amounts.tax
    return line


def _price_and_discount(
    member: Membership, quote: Quote, product: Product | None, data: dict[str, Any]
) -> tuple[Decimal, Decimal]:
    """Take what was typed; otherwise the price list's price and default discount."""
    price, discount = data.get("unit_price"), data.get("discount")
    if product is not None and quote.price_list_id is not None:
        if price in (None, ""):
            listed = Price.objects.filter(
                workspace_id=member.workspace_id,
                price_list_id=quote.price_list_id,
                product=product,
            ).first()
            if listed is not None:
                price = listed.amount
        if discount in (None, ""):
            discount = quote.price_list.default_discount if quote.price_list else None
    if price in (None, ""):
        raise ValidationError({"unit_price": _("Enter a price; the price list has none.")})
    return cents(decimal_in(price, "unit_price", Decimal(0), MAX_PRICE)), percent(
        discount, "discount"
    )


def _store_totals(member: Membership, quote: Quote) -> None:
    found = quote_totals(quote, lines_of(quote))
    quote.subtotal, quote.discount_total = found.subtotal, found.discount_total
    quote.tax_total, quote.total = found.tax_total, found.total
    Quote.objects.filter(pk=quote.pk, workspace_id=member.workspace_id).update(
        subtotal=found.subtotal,
        discount_total=found.discount_total,
        tax_total=found.tax_total,
        total=found.total,
    )


@transaction.atomic
def add_line(
    member: Membership, quote: Quote, data: dict[str, Any], *, expected_version: int
) -> QuoteLine:
    """Append a line to a draft quote and recompute its totals."""
    access.require(member, "quote", "edit", quote)
    _require_draft(quote)
    count = QuoteLine.objects.filter(workspace_id=member.workspace_id, quote=quote).count()
    if count >= MAX_LINES:
        raise ValidationError({"lines": _("A quote has at most %(n)d lines.") % {"n": MAX_LINES}})
    line = _clean_line(member, quote, data)
    _bump(member, quote, expected_version)
    line.position = count + 1
    line.save()
    _store_totals(member, quote)
    _audit(member, audit.Action.UPDATE, quote, {"lines": [None, line.description[:100]]})
    return line


@transaction.atomic
def set_lines(
    member: Membership, quote: Quote, rows: list[dict[str, Any]], *, expected_version: int
) -> list[QuoteLine]:
    """Replace all lines of a draft quote (the API's PATCH with `lines`)."""
    access.require(member, "quote", "edit", quote)
    _require_draft(quote)
    if len(rows) > MAX_LINES:
        raise ValidationError({"lines": _("A quote has at most %(n)d lines.") % {"n": MAX_LINES}})
    lines = []
    for i, row in enumerate(rows, start=1):
        try:
            line = _clean_line(member, quote, row)
        except ValidationError as exc:
            raise ValidationError(
                {f"lines.{i - 1}.{k}": v for k, v in exc.message_dict.items()}
            ) from exc
        line.position = i
        lines.append(line)
    _bump(member, quote, expected_version)
    QuoteLine.objects.filter(workspace_id=member.workspace_id, quote=quote).delete()
    QuoteLine.objects.bulk_create(lines)
    _store_totals(member, quote)
    _audit(member, audit.Action.UPDATE, quote, {"lines": [None, len(lines)]})
    return lines


@transaction.atomic
def remove_line(member: Membership, quote: Quote, line_id: Any, *, expected_version: int) -> None:
    access.require(member, "quote", "edit", quote)
    _require_draft(quote)
    try:
        pk = int(line_id)
    except (TypeError, ValueError, OverflowError):
        pk = 0
    line = QuoteLine.objects.filter(workspace_id=member.workspace_id, quote=quote, pk=pk).first()
    if line is None:
        raise ValidationError({"line": _("This line is not on the quote.")})
    _bump(member, quote, expected_version)
    QuoteLine.objects.filter(workspace_id=member.workspace_id, pk=line.pk).delete()
    _store_totals(member, quote)
    _audit(member, audit.Action.UPDATE, quote, {"lines": [line.description[:100], None]})


@transaction.atomic
def delete_quote(member: Membership, quote: Quote, *, expected_version: int) -> None:
    """Delete a draft quote (a sent one stays as the record of what was offered)."""
    access.require(member, "quote", "delete", quote)
    _require_draft(quote)
    if not Quote.objects.filter(
        pk=quote.pk,
        workspace_id=member.workspace_id,
        version=expected_version,
        status=Quote.Status.DRAFT,
    ).exists():
        raise VersionConflict(
            Quote.objects.filter(pk=quote.pk, workspace_id=member.workspace_id).first()
        )
    QuoteLine.objects.filter(workspace_id=member.workspace_id, quote=quote).delete()
    Quote.objects.filter(pk=quote.pk, workspace_id=member.workspace_id).delete()
    _audit(member, audit.Action.DELETE, quote, {})


@transaction.atomic
def reissue_quote(member: Membership, quote: Quote) -> Quote:
    """Start a new draft from an expired or declined quote: its lines, a fresh validity.

    The original stays as it is (the record of what was offered); the draft points
    back to it. Once re-issued, a quote is not re-issued again while that draft exists.
    """
    access.require(member, "quote", "edit", quote)
    original = (
        Quote.objects.select_for_update()
        .filter(pk=quote.pk, workspace_id=member.workspace_id)
        .first()
    )
    if original is None or not original.reissuable:
        raise ValidationError({"status": _("Only an expired or declined quote can be re-issued.")})
    earlier = (
        Quote.objects.filter(workspace_id=member.workspace_id, reissued_from=original)
        .order_by("id")
        .first()
    )
    if earlier is not None:
        raise ValidationError(
            {"status": _("This quote was already re-issued as %(number)s.") % {"number": earlier}}
        )
    deal = Deal.objects.filter(
        pk=original.deal_id, workspace_id=member.workspace_id, deleted_at__isnull=True
    ).first()
    if deal is None:
        raise ValidationError({"deal": _("The quote's deal is in the trash.")})
    access.require(member, "quote", "create")
    access.require(member, "deal", "edit", deal)
    today = workspace_today(member.workspace_id)
    fresh = Quote(
        workspace_id=member.workspace_id,
        deal=deal,
        owner_id=deal.owner_id or member.user_id,
        created_by_id=member.user_id,
        currency=original.currency,
        price_list_id=original.price_list_id,
        valid_until=today + timedelta(days=DEFAULT_VALID_DAYS),
        notes=original.notes,
        terms=original.terms,
        subtotal=original.subtotal,
        discount_total=original.discount_total,
        tax_total=original.tax_total,
        total=original.total,
        reissued_from=original,
        number=next_number(member.workspace_id, today.year),
    )
    fresh.save()
    QuoteLine.objects.bulk_create(
        [
            QuoteLine(
                workspace_id=member.workspace_id,
                quote=fresh,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
                gross=line.gross,
                discount_amount=line.discount_amount,
                net=line.net,
                tax=line.tax,
            )
            for line in QuoteLine.objects.filter(
                workspace_id=member.workspace_id, quote=original
            ).order_by("position", "id")
        ]
    )
    _audit(
        member,
        audit.Action.CREATE,
        fresh,
        {"number": [None, fresh.number], "reissued_from": [None, original.number]},
    )
    return fresh


# Sending ---------------------------------------------------------------------------


def public_token(quote: Quote) -> str:
    """A signed link token naming the quote and its validity; changing either voids it."""
    payload = {"w": quote.workspace_id, "q": quote.pk, "u": quote.valid_until.isoformat()}
    return signing.dumps(payload, salt=TOKEN_SALT, compress=True)


def public_url(quote: Quote) -> str:
    path = reverse("sales:quote_public", args=[public_token(quote)])
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def recipient_of(quote: Quote) -> str:
    _company, person = customer_of(quote)
    return person.email if person is not None and person.email else ""


def _tracked_html(member: Membership, quote: Quote, address: str, subject: str, body: str) -> str:
    """The tracked HTML part when the quote goes to the deal's person (opt-in, consent)."""
    # The member's workspace is already loaded: a workspace without tracking costs nothing.
    if not member.workspace.email_tracking:
        return ""
    _company, person = customer_of(quote)
    if person is None or person.email.lower() != address.lower():
        return ""
    return email_tracking.tracked_html(quote.workspace_id, person, subject, body)


@transaction.atomic
def send_quote(
    member: Membership, quote: Quote, *, to: str = "", expected_version: int | None = None
) -> Quote:
    """Email the quote's PDF and public link to the deal's contact (or `to`); mark it sent."""
    from amity.sales import quote_pdf

    access.require(member, "quote", "edit", quote)
    if quote.status not in (Quote.Status.DRAFT, Quote.Status.SENT):
        raise ValidationError({"status": _("A decided quote cannot be sent again.")})
    if quote.valid_until < workspace_today(member.workspace_id):
        raise ValidationError({"valid_until": _("The quote has expired; change its date first.")})
    address = (to or recipient_of(quote)).strip()
    try:
        validate_email(address)
    except ValidationError as exc:
        raise ValidationError({"to": _("Enter the customer's email address.")}) from exc
    locked = (
        Quote.objects.select_for_update()
        .filter(pk=quote.pk, workspace_id=member.workspace_id)
        .first()
    )
    if locked is None or (expected_version is not None and locked.version != expected_version):
        raise VersionConflict(locked)
    pdf = quote_pdf.render(quote)
    now = timezone.now()
    workspace_name = quote_pdf.workspace_name(quote.workspace_id)
    body = _(
        "Hello,\n\nplease find our quote %(number)s attached.\n"
        "You can accept or decline it here until %(until)s:\n%(link)s\n\n%(sender)s\n"
    ) % {
        "number": quote.number,
        "until": quote.valid_until.isoformat(),
        "link": public_url(quote),
        "sender": workspace_name,
    }
    subject = _("Quote %(number)s from %(sender)s") % {
        "number": quote.number,
        "sender": workspace_name,
    }
    outbox.queue_email(
        to=[address],
        subject=subject,
        body=body,
        workspace_id=member.workspace_id,
        html=_tracked_html(member, quote, address, subject, body),
        attachments=[outbox.Attachment(f"{quote.number}.pdf", pdf, "application/pdf")],
        reply_to=[member.user.email] if member.user.email else None,
    )
    Quote.objects.filter(pk=quote.pk, workspace_id=member.workspace_id).update(
        status=Quote.Status.SENT, sent_at=now, sent_to=address, version=F("version") + 1
    )
    before = quote.status
    quote.status, quote.sent_at, quote.sent_to = Quote.Status.SENT, now, address
    quote.version = locked.version + 1
    _audit(
        member, audit.Action.UPDATE, quote, {"status": [before, "sent"], "sent_to": [None, address]}
    )
    return quote


# The customer's answer -----------------------------------------------------------


class LinkExpired(Exception):
    """A genuine link whose quote is past its valid-until date."""


def quote_for_token(token: str) -> Quote:
    """Return the quote a public link names, or raise Http404 (tampered) / LinkExpired."""
    from django.http import Http404

    try:
        payload = signing.loads(token, salt=TOKEN_SALT)
        workspace_id, pk, until = int(payload["w"]), int(payload["q"]), str(payload["u"])
    except (signing.BadSignature, KeyError, TypeError, ValueError) as exc:
        raise Http404 from exc
    quote = (
        Quote.objects.filter(workspace_id=workspace_id, pk=pk)
        .exclude(status=Quote.Status.DRAFT)
        .select_related("deal")
        .first()
    )
    if quote is None or quote.valid_until.isoformat() != until:
        raise Http404
    if quote.status == Quote.Status.EXPIRED or (
        quote.status == Quote.Status.SENT
        and quote.valid_until < workspace_today(quote.workspace_id)
    ):
        raise LinkExpired
    return quote


@transaction.atomic
def decide(quote: Quote, *, accept: bool, name: str = "", ip: str = "") -> Quote:
    """Record the customer's acceptance or refusal, once; an acceptance may win the deal."""
    now = timezone.now()
    status = Quote.Status.ACCEPTED if accept else Quote.Status.DECLINED
    name = name.strip()[:200]
    if not Quote.objects.filter(
        pk=quote.pk,
        workspace_id=quote.workspace_id,
        status=Quote.Status.SENT,
        valid_until__gte=workspace_today(quote.workspace_id),
    ).update(
        status=status,
        decided_at=now,
        decided_by=name,
        decided_ip=ip[:45],
        version=F("version") + 1,
    ):
        raise ValidationError(_("This quote has already been answered."))
    quote.status, quote.decided_at, quote.decided_by, quote.decided_ip = status, now, name, ip
    quote.version += 1
    audit.record(
        audit.Action.UPDATE,
        workspace=quote.workspace_id,
        actor_label=_("customer (public quote link)"),
        obj=quote,
        changes={"status": ["sent", status], "decided_by": [None, name], "ip": [None, ip]},
    )
    if accept and quote_settings(quote.workspace_id).accepted_wins_deal:
        _win_deal(quote)
    return quote


def _win_deal(quote: Quote) -> None:
    """Move the quote's deal to its pipeline's won stage, acting as the deal's owner."""
    deal = Deal.objects.filter(
        pk=quote.deal_id, workspace_id=quote.workspace_id, deleted_at__isnull=True
    ).first()
    if deal is None or deal.status != Deal.Status.OPEN:
        return
    won = (
        Stage.objects.filter(workspace_id=deal.workspace_id, pipeline_id=deal.pipeline_id)
        .filter(is_won=True)
        .order_by("position", "id")
        .first()
    )
    seller = (
        Membership.objects.filter(
            workspace_id=deal.workspace_id,
            user_id__in=[i for i in (deal.owner_id, quote.created_by_id) if i],
            is_active=True,
        )
        .select_related("role", "user")
        .order_by("id")
    )
    actor = next((m for m in seller if access.can(m, "deal", "edit", deal)), None)
    if won is None or actor is None:
        log.warning("Quote %s accepted but deal %s could not be marked won", quote.pk, deal.pk)
        return
    services.move_deal(actor, deal, won.pk, expected_version=deal.version)


# Expiry -------------------------------------------------------------------------------


def workspace_today(workspace_id: int) -> date:
    """Return today's date in the workspace's time zone."""
    workspace = Workspace.objects.only("time_zone").get(pk=workspace_id)
    return workspace.today()


def expire_due(now: datetime | None = None, limit: int = EXPIRY_BATCH) -> int:
    """Mark sent quotes expired once their valid-until day has ended in the workspace's zone.

    A worker sweep: it reads only sent quotes whose day may have ended somewhere
    (the partial index quote_sent_until), then each workspace's own today decides.
    Each quote moves under a status = sent guard, so a customer's answer racing the
    sweep wins or loses whole, and a second run finds nothing to do.
    """
    now = now or timezone.now()
    latest_today = (now + LATEST_ZONE_AHEAD).date()
    due = list(
        Quote.objects.filter(
            workspace_id__in=Workspace.objects.values("pk"),
            status=Quote.Status.SENT,
            valid_until__lt=latest_today,
        )
        .order_by("valid_until", "id")
        .values_list("workspace_id", "pk", "valid_until")[:limit]
    )
    if not due:
        return 0
    today_of = {
        w.pk: w.today(now)
        for w in Workspace.objects.filter(pk__in={ws for ws, _pk, _until in due}).only("time_zone")
    }
    done = 0
    for workspace_id, pk, valid_until in due:
        if valid_until < today_of[workspace_id]:
            done += _expire(workspace_id, pk)
    return done


@transaction.atomic
def _expire(workspace_id: int, pk: int) -> int:
    if not Quote.objects.filter(pk=pk, workspace_id=workspace_id, status=Quote.Status.SENT).update(
        status=Quote.Status.EXPIRED, updated_at=timezone.now(), version=F("version") + 1
    ):
        return 0
    quote = Quote.objects.get(pk=pk, workspace_id=workspace_id)
    audit.record(
        audit.Action.UPDATE,
        workspace=workspace_id,
        actor_label=_("Amity (quote expiry)"),
        obj=quote,
        changes={"status": [Quote.Status.SENT.value, Quote.Status.EXPIRED.value]},
    )
    return 1


# Settings ---------------------------------------------------------------------------

LOGO_TYPES = {b"\x89PNG\r\n\x1a\n": "image/png", b"\xff\xd8\xff": "image/jpeg"}
MAX_LOGO_BYTES = 200_000


def clean_logo(content: bytes) -> str:
    """Return a PNG or JPEG (checked by its magic bytes, at most 200 kB) as a data: URI."""
    import base64

    if len(content) > MAX_LOGO_BYTES:
        raise ValidationError({"logo": _("Use an image of at most 200 kB.")})
    kind = next((t for magic, t in LOGO_TYPES.items() if content.startswith(magic)), None)
    if kind is None:
        raise ValidationError({"logo": _("Use a PNG or JPEG image.")})
    return f"data:{kind};base64,{base64.b64encode(content).decode('ascii')}"


@transaction.atomic
def update_quote_settings(
    member: Membership,
    *,
    accepted_wins_deal: bool,
    company_details: str,
    logo: bytes | None = None,
    clear_logo: bool = False,
) -> QuoteSettings:
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied(_("Only admins configure pipelines."))
    found = quote_settings(member.workspace_id)
    before = {"accepted_wins_deal": found.accepted_wins_deal, "logo": bool(found.logo)}
    found.accepted_wins_deal = accepted_wins_deal
    found.company_details = company_details[:1000]
    if logo:
        found.logo = clean_logo(logo)
    elif clear_logo:
        found.logo = ""
    found.version += 1
    QuoteSettings.objects.filter(pk=found.pk, workspace_id=member.workspace_id).update(
        accepted_wins_deal=found.accepted_wins_deal,
        company_details=found.company_details,
        logo=found.logo,
        version=F("version") + 1,
    )
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        object_type="quote_settings",
        object_id=found.pk,
        changes={
            "accepted_wins_deal": [before["accepted_wins_deal"], accepted_wins_deal],
            "logo": [before["logo"], bool(found.logo)],
        },
    )
    return found
