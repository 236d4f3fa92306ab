"""JSON API for products, price lists and quotes: thin operations over sales.products/quotes."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated, Literal

from django.http import HttpRequest, HttpResponse
from ninja import Field, Path, Query, Router, Schema

from amity.core import access, idempotency
from amity.core.api import (
    MAX_ID,
    ApiError,
    documents_headers,
    errors,
    etag_for,
    expected_version,
    json_only,
    json_response,
    member_of,
    not_modified,
    record_response,
    refuse_other_methods,
)
from amity.core.paging import paginate
from amity.customers.api import IdempotencyKey, IfMatch, IfNoneMatch
from amity.sales import products, quote_pdf, quotes
from amity.sales.api import In
from amity.sales.models import Deal, PriceList, Product, Quote, QuoteLine

router = Router(tags=["quotes"])

Id = Annotated[int, Path(ge=1, le=MAX_ID, description="The record's id.")]
RefId = Annotated[int, Field(ge=1, le=MAX_ID)]
Currency = Annotated[str, Field(pattern=r"^[A-Za-z]{3}$", description="ISO 4217, e.g. EUR.")]
Percent = Annotated[Decimal, Field(ge=0, le=100, decimal_places=2)]
Price = Annotated[Decimal, Field(ge=0, le=Decimal("999999999999.99"), decimal_places=2)]
Quantity = Annotated[Decimal, Field(ge=Decimal("0.001"), le=quotes.MAX_QUANTITY, decimal_places=3)]
Cursor = Annotated[str | None, Field(None, max_length=1000, pattern=r"^[A-Za-z0-9_-]+$")]
Text = Annotated[str, Field(max_length=5000)]


def _dec(value: Decimal) -> str:
    return f"{value:.2f}"


def _respond(request: HttpRequest, status: int, obj: object, body: Schema) -> HttpResponse:
    return record_response(request, status, obj, body)


def _fresh(request: HttpRequest, obj: object, if_none_match: str | None) -> HttpResponse | None:
    if not_modified(obj, if_none_match):
        response = HttpResponse(status=304)
        response["ETag"] = etag_for(obj)
        return response
    return None


# Products -------------------------------------------------------------------------


class ProductCreate(In):
    sku: str = Field(min_length=1, max_length=60)
    name: str = Field(min_length=1, max_length=200)
    description: str = Field("", max_length=2000)
    unit: str = Field("", max_length=20)
    tax_rate: Percent = Decimal("0")
    active: bool = True


class ProductPatch(In):
    """Send only what changes."""

    sku: str | None = Field(None, min_length=1, max_length=60)
    name: str | None = Field(None, min_length=1, max_length=200)
    description: str | None = Field(None, max_length=2000)
    unit: str | None = Field(None, max_length=20)
    tax_rate: Percent | None = None
    active: bool | None = None


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    description: str
    unit: str
    tax_rate: str = Field(description="A percentage with two decimals, e.g. 25.00.")
    active: bool
    version: int


class ProductPage(Schema):
    items: list[ProductOut]
    next: str | None
    prev: str | None
    total: int
    total_is_capped: bool


class ProductQuery(Schema):
    q: str = Field("", max_length=100, description="Part of the SKU or name.")
    active: bool | None = None
    after: Cursor = None
    before: Cursor = None
    limit: int = Field(50, ge=1, le=200)


def product_out(p: Product) -> ProductOut:
    return ProductOut(
        id=p.pk,
        sku=p.sku,
        name=p.name,
        description=p.description,
        unit=p.unit,
        tax_rate=_dec(p.tax_rate),
        active=p.active,
        version=p.version,
    )


@router.get(
    "/products", response={200: ProductPage, **errors(400, 401, 422)}, operation_id="products_list"
)
def list_products(request: HttpRequest, filters: Query[ProductQuery]) -> ProductPage:
    """List the catalogue by SKU, a page at a time; search by SKU or name."""
    member = member_of(request)
    qs = products.catalogue(member, filters.q.strip())
    if filters.active is not None:
        qs = qs.filter(active=filters.active)
    page = paginate(
        qs, ["sku", "id"], after=filters.after, before=filters.before, size=filters.limit
    )
    return ProductPage(
        items=[product_out(p) for p in page.items],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


@router.post(
    "/products",
    response={201: ProductOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="products_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_product(
    request: HttpRequest, payload: ProductCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Add a product (admins and managers); the SKU is unique in the workspace."""
    member = member_of(request)

    def produce() -> HttpResponse:
        product = products.create_product(member, payload.model_dump())
        return _respond(request, 201, product, product_out(product))

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/products/{id}",
    response={200: ProductOut, 304: None, **errors(401, 404, 422)},
    operation_id="products_get",
    openapi_extra=documents_headers(200, 304),
)
def get_product(request: HttpRequest, id: Id, if_none_match: IfNoneMatch = None) -> HttpResponse:
    """Return one product with its ETag."""
    product = access.get_for_user(member_of(request), Product, id)
    return _fresh(request, product, if_none_match) or _respond(
        request, 200, product, product_out(product)
    )


@router.patch(
    "/products/{id}",
    response={200: ProductOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="products_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_product(
    request: HttpRequest, id: Id, payload: ProductPatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a product if it is still at the version you read (`active: false` deactivates)."""
    member = member_of(request)
    product = access.get_for_user(member, Product, id, "edit")
    version = expected_version(product, if_match)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    product = products.update_product(member, product, data, expected_version=version)
    return _respond(request, 200, product, product_out(product))


@router.delete(
    "/products/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="products_delete",
)
def delete_product(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Deactivate a product: quotes that use it keep it, new lines cannot pick it."""
    member = member_of(request)
    product = access.get_for_user(member, Product, id, "edit")
    version = expected_version(product, if_match)
    products.update_product(member, product, {"active": False}, expected_version=version)
    return HttpResponse(status=204)


# Price lists ------------------------------------------------------------------------


class PriceListCreate(In):
    name: str = Field(min_length=1, max_length=100)
    currency: Currency
    active: bool = True
    default_discount: Percent = Decimal("0")


class PriceListPatch(In):
    name: str | None = Field(None, min_length=1, max_length=100)
    currency: Currency | None = None
    active: bool | None = None
    default_discount: Percent | None = None


class PriceIn(In):
    product: RefId
    amount: Price | None = Field(description="The unit price; null removes the product.")


class PriceOut(Schema):
    product: int
    sku: str
    amount: str


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    active: bool
    default_discount: str
    version: int
    prices: list[PriceOut]


def price_list_out(member: object, pl: PriceList) -> PriceListOut:
    return PriceListOut(
        id=pl.pk,
        name=pl.name,
        currency=pl.currency,
        active=pl.active,
        default_discount=_dec(pl.default_discount),
        version=pl.version,
        prices=[
            PriceOut(product=p.product_id, sku=p.product.sku, amount=_dec(p.amount))
            for p in products.prices_of(member, pl)[:1000]  # type: ignore[arg-type]
        ],
    )


@router.get(
    "/price-lists",
    response={200: list[PriceListOut], **errors(401, 422)},
    operation_id="price_lists_list",
)
def list_price_lists(request: HttpRequest, currency: Currency | None = None) -> list[PriceListOut]:
    """List the price lists (active ones only when a currency is given), with their prices."""
    member = member_of(request)
    found = products.price_lists(member, currency.upper() if currency else None)[:100]
    return [price_list_out(member, pl) for pl in found]


@router.post(
    "/price-lists",
    response={201: PriceListOut, **errors(400, 401, 403, 409, 415, 422)},
    operation_id="price_lists_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_price_list(
    request: HttpRequest, payload: PriceListCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Add a price list in one currency (admins and managers)."""
    member = member_of(request)

    def produce() -> HttpResponse:
        pl = products.create_price_list(member, payload.model_dump())
        return _respond(request, 201, pl, price_list_out(member, pl))

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/price-lists/{id}",
    response={200: PriceListOut, **errors(401, 404, 422)},
    operation_id="price_lists_get",
    openapi_extra=documents_headers(200),
)
def get_price_list(request: HttpRequest, id: Id) -> HttpResponse:
    member = member_of(request)
    pl = access.get_for_user(member, PriceList, id)
    return _respond(request, 200, pl, price_list_out(member, pl))


@router.patch(
    "/price-lists/{id}",
    response={200: PriceListOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="price_lists_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_price_list(
    request: HttpRequest, id: Id, payload: PriceListPatch, if_match: IfMatch = None
) -> HttpResponse:
    member = member_of(request)
    pl = access.get_for_user(member, PriceList, id, "edit")
    version = expected_version(pl, if_match)
    data = {k: v for k, v in payload.model_dump(exclude_unset=True).items() if v is not None}
    pl = products.update_price_list(member, pl, data, expected_version=version)
    return _respond(request, 200, pl, price_list_out(member, pl))


@router.post(
    "/price-lists/{id}/prices",
    response={200: PriceListOut, **errors(400, 401, 403, 404, 415, 422)},
    operation_id="price_lists_set_price",
    openapi_extra=documents_headers(200),
)
@json_only
def set_price(request: HttpRequest, id: Id, payload: PriceIn) -> HttpResponse:
    """Set (or with null remove) one product's price on the list."""
    member = member_of(request)
    pl = access.get_for_user(member, PriceList, id, "edit")
    products.set_price(member, pl, payload.product, payload.amount)
    return _respond(request, 200, pl, price_list_out(member, pl))


# Quotes -------------------------------------------------------------------------------


class LineIn(In):
    product: RefId | None = Field(None, description="A product; its price comes from the list.")
    description: str = Field("", max_length=500, description="The product name when empty.")
    quantity: Quantity = Decimal("1")
    unit_price: Price | None = Field(None, description="The price list's price when omitted.")
    discount: Percent | None = Field(None, description="The list's default when omitted.")
    tax_rate: Percent | None = Field(None, description="The product's rate when omitted.")


class QuoteCreate(In):
    valid_until: date | None = Field(None, description="30 days from today when omitted.")
    notes: Text = ""
    terms: Text = ""
    price_list: RefId | None = Field(None, description="The first active list in the currency.")
    lines: list[LineIn] = Field(default_factory=list, max_length=quotes.MAX_LINES)


class QuotePatch(In):
    """Send only what changes; `lines` replaces all lines."""

    valid_until: date | None = None
    notes: Text | None = None
    terms: Text | None = None
    price_list: RefId | None = None
    lines: list[LineIn] | None = Field(None, max_length=quotes.MAX_LINES)


class SendIn(In):
    to: str = Field("", max_length=254, description="The deal's first contact when empty.")


class LineOut(Schema):
    id: int
    product: int | None
    description: str
    quantity: str
    unit_price: str
    discount: str
    tax_rate: str
    gross: str
    discount_amount: str
    net: str
    tax: str


class TaxOut(Schema):
    rate: str
    amount: str


class QuoteOut(Schema):
    id: int
    number: str
    deal: int
    status: Literal["draft", "sent", "accepted", "declined", "expired"]
    currency: str
    price_list: int | None
    valid_until: date
    notes: str
    terms: str
    subtotal: str
    discount_total: str
    taxes: list[TaxOut]
    tax_total: str
    total: str
    owner: int | None
    sent_at: datetime | None
    sent_to: str
    decided_at: datetime | None
    version: int
    created_at: datetime
    reissued_from: int | None
    lines: list[LineOut]


class QuoteSummary(Schema):
    id: int
    number: str
    deal: int
    status: str
    currency: str
    total: str
    valid_until: date
    version: int


class QuotePage(Schema):
    items: list[QuoteSummary]
    next: str | None
    prev: str | None
    total: int
    total_is_capped: bool


class QuoteQuery(Schema):
    deal: RefId | None = None
    status: Literal["", "draft", "sent", "accepted", "declined", "expired"] = ""
    after: Cursor = None
    before: Cursor = None
    limit: int = Field(50, ge=1, le=200)


def _line_out(ln: QuoteLine) -> LineOut:
    return LineOut(
        id=ln.pk,
        product=ln.product_id,
        description=ln.description,
        quantity=f"{ln.quantity:.3f}",
        unit_price=_dec(ln.unit_price),
        discount=_dec(ln.discount),
        tax_rate=_dec(ln.tax_rate),
        gross=_dec(ln.gross),
        discount_amount=_dec(ln.discount_amount),
        net=_dec(ln.net),
        tax=_dec(ln.tax),
    )


def quote_out(q: Quote) -> QuoteOut:
    lines = quotes.lines_of(q)
    found = quotes.quote_totals(q, lines)
    return QuoteOut(
        id=q.pk,
        number=q.number,
        deal=q.deal_id,
        status=q.status,  # type: ignore[arg-type]
        currency=q.currency,
        price_list=q.price_list_id,
        valid_until=q.valid_until,
        notes=q.notes,
        terms=q.terms,
        subtotal=_dec(found.subtotal),
        discount_total=_dec(found.discount_total),
        taxes=[TaxOut(rate=_dec(r), amount=_dec(a)) for r, a in found.tax_by_rate.items()],
        tax_total=_dec(found.tax_total),
        total=_dec(found.total),
        owner=q.owner_id,
        sent_at=q.sent_at,
        sent_to=q.sent_to,
        decided_at=q.decided_at,
        version=q.version,
        created_at=q.created_at,
        reissued_from=q.reissued_from_id,
        lines=[_line_out(ln) for ln in lines],
    )


def _lines(rows: list[LineIn]) -> list[dict[str, object]]:
    return [
        {k: v for k, v in row.model_dump().items() if v is not None and v != ""} for row in rows
    ]


def _quote(request: HttpRequest, id: int, action: str = "view") -> Quote:
    qs = access.visible(member_of(request), Quote).select_related("deal", "price_list")
    return access.get_for_user(member_of(request), Quote, id, action, queryset=qs)


@router.get(
    "/quotes", response={200: QuotePage, **errors(400, 401, 422)}, operation_id="quotes_list"
)
def list_quotes(request: HttpRequest, filters: Query[QuoteQuery]) -> QuotePage:
    """List the quotes you may see, newest first; filter by deal or status."""
    member = member_of(request)
    qs = access.visible(member, Quote)
    if filters.deal is not None:
        qs = qs.filter(deal_id=filters.deal)
    if filters.status:
        qs = qs.filter(status=filters.status)
    page = paginate(qs, ["-id"], after=filters.after, before=filters.before, size=filters.limit)
    return QuotePage(
        items=[
            QuoteSummary(
                id=q.pk,
                number=q.number,
                deal=q.deal_id,
                status=q.status,
                currency=q.currency,
                total=_dec(q.total),
                valid_until=q.valid_until,
                version=q.version,
            )
            for q in page.items
        ],
        next=page.next_cursor,
        prev=page.prev_cursor,
        total=page.total,
        total_is_capped=page.total_is_capped,
    )


@router.post(
    "/deals/{id}/quotes",
    response={201: QuoteOut, **errors(400, 401, 403, 404, 409, 415, 422)},
    operation_id="quotes_create",
    openapi_extra=documents_headers(201, location=True),
)
@json_only
def create_quote(
    request: HttpRequest, id: Id, payload: QuoteCreate, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Start a draft quote on a deal you may change, in the deal's currency."""
    member = member_of(request)

    def produce() -> HttpResponse:
        deal = access.get_for_user(member, Deal, id, "edit")
        data = payload.model_dump(exclude_unset=True, exclude={"lines"})
        if data.get("valid_until") is None:
            data.pop("valid_until", None)
        quote = quotes.create_quote(member, deal, data)
        if payload.lines:
            quotes.set_lines(member, quote, _lines(payload.lines), expected_version=quote.version)
        headers = {"ETag": etag_for(quote), "Location": f"/api/v1/quotes/{quote.pk}"}
        return json_response(request, 201, quote_out(quote), headers)

    return idempotency.respond(request, member, idempotency_key, produce)


@router.get(
    "/quotes/{id}",
    response={200: QuoteOut, 304: None, **errors(401, 404, 422)},
    operation_id="quotes_get",
    openapi_extra=documents_headers(200, 304),
)
def get_quote(request: HttpRequest, id: Id, if_none_match: IfNoneMatch = None) -> HttpResponse:
    """Return one quote with its lines, totals and ETag."""
    quote = _quote(request, id)
    return _fresh(request, quote, if_none_match) or _respond(request, 200, quote, quote_out(quote))


@router.patch(
    "/quotes/{id}",
    response={200: QuoteOut, **errors(400, 401, 403, 404, 412, 415, 422, 428)},
    operation_id="quotes_update",
    openapi_extra=documents_headers(200),
)
@json_only
def update_quote(
    request: HttpRequest, id: Id, payload: QuotePatch, if_match: IfMatch = None
) -> HttpResponse:
    """Change a draft quote if it is still at the version you read."""
    member = member_of(request)
    quote = _quote(request, id, "edit")
    version = expected_version(quote, if_match)
    data = payload.model_dump(exclude_unset=True, exclude={"lines"})
    if data.get("valid_until") is None:
        data.pop("valid_until", None)
    if data:
        quote = quotes.update_quote(member, quote, data, expected_version=version)
        version = quote.version
    if payload.lines is not None:
        quotes.set_lines(member, quote, _lines(payload.lines), expected_version=version)
    return _respond(request, 200, quote, quote_out(quote))


@router.delete(
    "/quotes/{id}",
    response={204: None, **errors(401, 403, 404, 412, 422, 428)},
    operation_id="quotes_delete",
)
def delete_quote(request: HttpRequest, id: Id, if_match: IfMatch = None) -> HttpResponse:
    """Delete a draft quote."""
    member = member_of(request)
    quote = _quote(request, id, "delete")
    quotes.delete_quote(member, quote, expected_version=expected_version(quote, if_match))
    return HttpResponse(status=204)


@router.get(
    "/quotes/{id}/pdf",
    response={
        200: None,
        **errors(401, 404, 422, 503),
    },
    operation_id="quotes_pdf",
    openapi_extra={
        "responses": {
            200: {
                "description": "The quote as a PDF.",
                "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def get_quote_pdf(request: HttpRequest, id: Id) -> HttpResponse:
    """Return the quote as a PDF document."""
    quote = _quote(request, id)
    try:
        pdf = quote_pdf.render(quote)
    except quote_pdf.PdfUnavailable as exc:
        raise ApiError(
            503, "pdf_unavailable", "This server cannot make PDFs (WeasyPrint or Pango missing)."
        ) from exc
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@router.post(
    "/quotes/{id}/send",
    response={200: QuoteOut, **errors(400, 401, 403, 404, 412, 415, 422, 428, 503)},
    operation_id="quotes_send",
    openapi_extra=documents_headers(200),
)
@json_only
def send_quote(
    request: HttpRequest, id: Id, payload: SendIn, if_match: IfMatch = None
) -> HttpResponse:
    """Email the quote's PDF and accept/decline link to the customer; the quote is then sent."""
    member = member_of(request)
    quote = _quote(request, id, "edit")
    version = expected_version(quote, if_match)
    try:
        quote = quotes.send_quote(member, quote, to=payload.to, expected_version=version)
    except quote_pdf.PdfUnavailable as exc:
        raise ApiError(
            503, "pdf_unavailable", "This server cannot make PDFs (WeasyPrint or Pango missing)."
        ) from exc
    return _respond(request, 200, quote, quote_out(quote))


@router.post(
    "/quotes/{id}/reissue",
    response={201: QuoteOut, **errors(400, 401, 403, 404, 422)},
    operation_id="quotes_reissue",
    openapi_extra=documents_headers(201, location=True),
)
def reissue_quote(
    request: HttpRequest, id: Id, idempotency_key: IdempotencyKey = None
) -> HttpResponse:
    """Start a new draft from an expired or declined quote (its lines, a fresh validity).

    The original is left as it is; the new draft's `reissued_from` names it.
    """
    member = member_of(request)

    def produce() -> HttpResponse:
        quote = _quote(request, id, "edit")
        fresh = quotes.reissue_quote(member, quote)
        headers = {"ETag": etag_for(fresh), "Location": f"/api/v1/quotes/{fresh.pk}"}
        return json_response(request, 201, quote_out(fresh), headers)

    return idempotency.respond(request, member, idempotency_key, produce)


refuse_other_methods(router)
