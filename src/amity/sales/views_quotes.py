"""Screens for products, price lists and quotes, and the customer's public quote page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amity.core import access, context
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.core.paging import paginate
from amity.customers.views import _id, member_view
from amity.sales import products, quote_pdf, quotes
from amity.sales.models import Deal, PriceList, Product, Quote

PRODUCTS_PER_PAGE = 50


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return dict(exc.message_dict)
    return {"__all__": list(exc.messages)}


def _version(request: HttpRequest) -> int:
    return _id(request.POST.get("version", "")) or 0


# Products -----------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
@member_view
def product_list(request: HttpRequest, member: Membership) -> HttpResponse:
    """List products (search by SKU or name, a page at a time); managers add them here."""
    access.require(member, "product", "view")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            products.create_product(member, _product_data(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:product_list")
    q = request.GET.get("q", "").strip()[:100]
    page = paginate(
        products.catalogue(member, q),
        ["sku", "id"],
        after=request.GET.get("after") or None,
        before=request.GET.get("before") or None,
        size=PRODUCTS_PER_PAGE,
    )
    ctx = {
        "page": page,
        "q": q,
        "errors": errors,
        "posted": request.POST if errors else {},
        "can_edit": access.can(member, "product", "create"),
    }
    status = 400 if errors else 200
    return render(request, "sales/product_list.html", ctx, status=status)


def _product_data(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "sku": post.get("sku", ""),
        "name": post.get("name", ""),
        "description": post.get("description", ""),
        "unit": post.get("unit", ""),
        "tax_rate": post.get("tax_rate", "") or "0",
        "active": post.get("active") == "on",
    }


@require_http_methods(["GET", "POST"])
@member_view
def product_edit(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Change a product; a stale form shows the newer values instead of overwriting them."""
    product = access.get_for_user(member, Product, pk, "edit")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            products.update_product(
                member, product, _product_data(request), expected_version=_version(request)
            )
        except ValidationError as exc:
            errors = _errors(exc)
        except VersionConflict:
            errors = {"__all__": [_("Someone changed this product meanwhile; here it is now.")]}
            product = access.get_for_user(member, Product, pk, "edit")
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:product_list")
    ctx = {"product": product, "errors": errors}
    return render(request, "sales/product_form.html", ctx, status=400 if errors else 200)


# Price lists --------------------------------------------------------------------


def _price_list_data(request: HttpRequest) -> dict[str, Any]:
    post = request.POST
    return {
        "name": post.get("name", ""),
        "currency": post.get("currency", ""),
        "default_discount": post.get("default_discount", "") or "0",
        "active": post.get("active") == "on",
    }


@require_http_methods(["GET", "POST"])
@member_view
def price_list_list(request: HttpRequest, member: Membership) -> HttpResponse:
    access.require(member, "price_list", "view")
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        try:
            created = products.create_price_list(member, _price_list_data(request))
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            return redirect("sales:price_list_detail", created.pk)
    ctx = {
        "price_lists": list(products.price_lists(member)[:200]),
        "errors": errors,
        "can_edit": access.can(member, "price_list", "create"),
    }
    return render(request, "sales/price_lists.html", ctx, status=400 if errors else 200)


@require_http_methods(["GET", "POST"])
@member_view
def price_list_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """A price list's prices; managers change the list and set prices here."""
    price_list = access.get_for_user(member, PriceList, pk)
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        access.require(member, "price_list", "edit", price_list)
        try:
            if request.POST.get("form") == "price":
                products.set_price(
                    member, price_list, request.POST.get("product"), request.POST.get("amount")
                )
            else:
                products.update_price_list(
                    member,
                    price_list,
                    _price_list_data(request),
                    expected_version=_version(request),
                )
        except ValidationError as exc:
            errors = _errors(exc)
        except VersionConflict:
            errors = {"__all__": [_("Someone changed this price list meanwhile; check it.")]}
            price_list = access.get_for_user(member, PriceList, pk)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:price_list_detail", price_list.pk)
    can_edit = access.can(member, "price_list", "edit", price_list)
    ctx = {
        "price_list": price_list,
        "prices": list(products.prices_of(member, price_list)[:500]),
        "products": list(products.catalogue(member, active_only=True).order_by("sku")[:500])
        if can_edit
        else [],
        "errors": errors,
        "can_edit": can_edit,
    }
    return render(request, "sales/price_list_detail.html", ctx, status=400 if errors else 200)


# Quotes -------------------------------------------------------------------------


@require_POST
@member_view
def quote_create(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Start a draft quote on a deal and open it in the editor."""
    deal = access.get_for_user(member, Deal, pk, "edit")
    access.require(member, "quote", "create")
    quote = quotes.create_quote(member, deal)
    return redirect(quote)


def _quote(member: Membership, pk: int, action: str = "view") -> Quote:
    qs = access.visible(member, Quote).select_related("deal", "price_list", "owner")
    return access.get_for_user(member, Quote, pk, action, queryset=qs)


def _quote_page(
    request: HttpRequest, member: Membership, quote: Quote, errors: dict[str, list[str]]
) -> HttpResponse:
    document = quote_pdf.document_context(quote)
    may_edit = access.can(member, "quote", "edit", quote)
    ctx = {
        **document,
        "errors": errors,
        "may_edit": may_edit and quote.editable,
        "may_send": may_edit and quote.status in (Quote.Status.DRAFT, Quote.Status.SENT),
        "may_delete": quote.editable and access.can(member, "quote", "delete", quote),
        "may_reissue": may_edit and quote.reissuable,
        "reissued_from": access.visible(member, Quote).filter(pk=quote.reissued_from_id).first()
        if quote.reissued_from_id
        else None,
        "price_lists": list(products.price_lists(member, quote.currency)),
        "catalogue": list(products.catalogue(member, active_only=True).order_by("sku")[:500])
        if may_edit and quote.editable
        else [],
        "recipient": quotes.recipient_of(quote),
        "public_url": quotes.public_url(quote) if quote.status != Quote.Status.DRAFT else "",
    }
    status = 400 if errors else 200
    return render(request, "sales/quote_detail.html", ctx, status=status)


@require_http_methods(["GET", "POST"])
@member_view
def quote_detail(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Show a quote; a draft is also edited here (header, then lines one by one)."""
    quote = _quote(member, pk)
    if request.method == "GET":
        return _quote_page(request, member, quote, {})
    quote = _quote(member, pk, "edit")
    post = request.POST
    try:
        if post.get("form") == "line":
            data = {k: post.get(k, "") for k in quotes.LINE_FIELDS}
            quotes.add_line(member, quote, data, expected_version=_version(request))
        elif post.get("form") == "remove":
            quotes.remove_line(member, quote, post.get("line"), expected_version=_version(request))
        else:
            data = {k: post.get(k, "") for k in quotes.QUOTE_FIELDS}
            quotes.update_quote(member, quote, data, expected_version=_version(request))
    except ValidationError as exc:
        return _quote_page(request, member, _quote(member, pk), _errors(exc))
    except VersionConflict:
        messages.error(request, _("Someone changed this quote meanwhile; here it is now."))
    return redirect(quote)


@require_GET
@member_view
def quote_pdf_view(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    quote = _quote(member, pk)
    try:
        pdf = quote_pdf.render(quote)
    except quote_pdf.PdfUnavailable:
        return render(request, "sales/quote_no_pdf.html", {"quote": quote}, status=503)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{quote.number}.pdf"'
    return response


@require_POST
@member_view
def quote_send(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Email the quote with its PDF and public link; the quote is then sent."""
    quote = _quote(member, pk, "edit")
    try:
        quotes.send_quote(
            member,
            quote,
            to=request.POST.get("to", "")[:254],
            expected_version=_version(request),
        )
    except ValidationError as exc:
        return _quote_page(request, member, quote, _errors(exc))
    except VersionConflict:
        messages.error(request, _("Someone changed this quote meanwhile; here it is now."))
    except quote_pdf.PdfUnavailable:
        messages.error(request, _("PDFs cannot be made on this server (WeasyPrint is missing)."))
    else:
        messages.success(
            request, _("Sent %(number)s to %(to)s.") % {"number": quote.number, "to": quote.sent_to}
        )
    return redirect(quote)


@require_POST
@member_view
def quote_reissue(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    """Start a new draft from an expired or declined quote and open it."""
    quote = _quote(member, pk, "edit")
    try:
        fresh = quotes.reissue_quote(member, quote)
    except ValidationError as exc:
        return _quote_page(request, member, quote, _errors(exc))
    messages.success(
        request,
        _("Re-issued %(old)s as %(new)s.") % {"old": quote.number, "new": fresh.number},
    )
    return redirect(fresh)


@require_POST
@member_view
def quote_delete(request: HttpRequest, member: Membership, pk: int) -> HttpResponse:
    quote = _quote(member, pk, "delete")
    try:
        quotes.delete_quote(member, quote, expected_version=_version(request))
    except (ValidationError, VersionConflict):
        messages.error(request, _("Only an unchanged draft can be deleted."))
        return redirect(quote)
    messages.success(request, _("Deleted %(number)s.") % {"number": quote.number})
    return redirect("sales:deal_detail", quote.deal_id)


@require_http_methods(["GET", "POST"])
@member_view
def quote_settings(request: HttpRequest, member: Membership) -> HttpResponse:
    """Admins: the logo and details on quotes, and whether an accepted quote wins the deal."""
    if not access.can(member, "pipeline", "edit"):
        raise PermissionDenied(_("Only admins configure pipelines."))
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        upload = request.FILES.get("logo")
        try:
            if upload is not None and upload.size and upload.size > quotes.MAX_LOGO_BYTES:
                raise ValidationError({"logo": _("Use an image of at most 200 kB.")})
            quotes.update_quote_settings(
                member,
                accepted_wins_deal=request.POST.get("accepted_wins_deal") == "on",
                company_details=request.POST.get("company_details", ""),
                logo=upload.read(quotes.MAX_LOGO_BYTES + 1) if upload is not None else None,
                clear_logo=request.POST.get("clear_logo") == "on",
            )
        except ValidationError as exc:
            errors = _errors(exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("sales:quote_settings")
    ctx = {"settings": quotes.quote_settings(member.workspace_id), "errors": errors}
    return render(request, "sales/quote_settings.html", ctx, status=400 if errors else 200)


# The customer's page ---------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
def quote_public(request: HttpRequest, token: str) -> HttpResponse:
    """The page a quote's email links to: the quote, and Accept / Decline while it is open."""
    if len(token) > 500:
        raise Http404
    try:
        quote = quotes.quote_for_token(token)
    except quotes.LinkExpired:
        return render(request, "sales/quote_expired.html", {}, status=410)
    error = ""
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in ("accept", "decline"):
            raise Http404
        try:
            quotes.decide(
                quote,
                accept=action == "accept",
                name=request.POST.get("name", ""),
                ip=context.client_ip(request) or "",
            )
        except ValidationError:
            error = _("This quote has already been answered.")
        else:
            return redirect("sales:quote_public", token)
    ctx = {**quote_pdf.document_context(quote), "error": error}
    return render(request, "sales/quote_public.html", ctx, status=409 if error else 200)
