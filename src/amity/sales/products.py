"""The product catalogue and price lists: admins and managers keep them, sellers read them."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from amity.core import access, audit
from amity.core.exceptions import VersionConflict
from amity.core.models import Membership
from amity.sales.models import Price, PriceList, Product
from amity.sales.money import cents
from amity.sales.services import clean_currency

PRODUCT_FIELDS = ("sku", "name", "description", "unit", "tax_rate", "active")
PRICE_LIST_FIELDS = ("name", "currency", "active", "default_discount")
MAX_PRICE = Decimal("999999999999.99")


def decimal_in(value: Any, field: str, low: Decimal, high: Decimal, places: int = 2) -> Decimal:
    """Return `value` as a Decimal within [low, high], or raise a field error."""
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc
    if not number.is_finite() or not low <= number <= high:
        raise ValidationError(
            {field: _("Enter a number from %(low)s to %(high)s.") % {"low": low, "high": high}}
        )
    return number.quantize(Decimal(1).scaleb(-places))


def percent(value: Any, field: str) -> Decimal:
    return decimal_in(value if value not in (None, "") else "0", field, Decimal(0), Decimal(100))


def _text(data: dict[str, Any], name: str, limit: int, *, required: bool = False) -> str:
    text = str(data.get(name) or "").strip()
    if "\x00" in text or len(text) > limit or (required and not text):
        raise ValidationError({name: _("Enter at most %(n)d characters.") % {"n": limit}})
    return text


def _unknown(data: dict[str, Any], allowed: tuple[str, ...]) -> None:
    for name in data:
        if name not in allowed:
            raise ValidationError({name: _("This field cannot be set.")})


def catalogue(member: Membership, q: str = "", *, active_only: bool = False) -> QuerySet[Product]:
    """Return the products the member may see, matching `q` by SKU or name."""
    qs = access.visible(member, Product)
    if q:
        qs = qs.filter(Q(sku__icontains=q) | Q(name__icontains=q))
    if active_only:
        qs = qs.filter(active=True)
    return qs


def _apply_product(product: Product, data: dict[str, Any]) -> None:
    _unknown(data, PRODUCT_FIELDS)
    if "sku" in data:
        product.sku = _text(data, "sku", 60, required=True)
    if "name" in data:
        product.name = _text(data, "name", 200, required=True)
    if "description" in data:
        product.description = _text(data, "description", 2000)
    if "unit" in data:
        product.unit = _text(data, "unit", 20)
    if "tax_rate" in data:
        product.tax_rate = percent(data["tax_rate"], "tax_rate")
    if "active" in data:
        product.active = bool(data["active"])


def _sku_taken(member: Membership, product: Product) -> bool:
    return (
        Product.objects.filter(workspace_id=member.workspace_id, sku=product.sku)
        .exclude(pk=product.pk)
        .exists()
    )


def _product_snapshot(product: Product) -> dict[str, Any]:
    return {name: str(getattr(product, name)) for name in PRODUCT_FIELDS}


@transaction.atomic
def create_product(member: Membership, data: dict[str, Any]) -> Product:
    access.require(member, "product", "create")
    product = Product(workspace_id=member.workspace_id)
    _apply_product(product, {"active": True, **data})
    if not product.sku or not product.name:
        raise ValidationError({"sku" if not product.sku else "name": _("This field is required.")})
    if _sku_taken(member, product):
        raise ValidationError({"sku": _("Another product has this SKU.")})
    try:
        with transaction.atomic():
            product.save()
    except IntegrityError as exc:
        raise ValidationError({"sku": _("Another product has this SKU.")}) from exc
    audit.record(
        audit.Action.CREATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=product,
        changes={k: [None, v] for k, v in _product_snapshot(product).items()},
    )
    return product


@transaction.atomic
def update_product(
    member: Membership, product: Product, data: dict[str, Any], *, expected_version: int
) -> Product:
    """Change a product if it is still at `expected_version` (deactivate with active=False)."""
    access.require(member, "product", "edit", product)
    before = _product_snapshot(product)
    _apply_product(product, data)
    if _sku_taken(member, product):
        raise ValidationError({"sku": _("Another product has this SKU.")})
    fields = {name: getattr(product, name) for name in PRODUCT_FIELDS}
    try:
        with transaction.atomic():
            updated = Product.objects.filter(
                pk=product.pk, workspace_id=member.workspace_id, version=expected_version
            ).update(version=F("version") + 1, **fields)
    except IntegrityError as exc:
        raise ValidationError({"sku": _("Another product has this SKU.")}) from exc
    if not updated:
        raise VersionConflict(
            Product.objects.filter(pk=product.pk, workspace_id=member.workspace_id).first()
        )
    product.version = expected_version + 1
    after = _product_snapshot(product)
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=product,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return product


def _apply_price_list(price_list: PriceList, data: dict[str, Any]) -> None:
    _unknown(data, PRICE_LIST_FIELDS)
    if "name" in data:
        price_list.name = _text(data, "name", 100, required=True)
    if "currency" in data:
        price_list.currency = clean_currency(data["currency"])
    if "active" in data:
        price_list.active = bool(data["active"])
    if "default_discount" in data:
        price_list.default_discount = percent(data["default_discount"], "default_discount")


@transaction.atomic
def create_price_list(member: Membership, data: dict[str, Any]) -> PriceList:
    access.require(member, "price_list", "create")
    price_list = PriceList(workspace_id=member.workspace_id)
    _apply_price_list(price_list, {"active": True, **data})
    if not price_list.name or not price_list.currency:
        raise ValidationError({"name": _("This field is required.")})
    price_list.save()
    audit.record(
        audit.Action.CREATE, workspace=member.workspace_id, actor=member.user, obj=price_list
    )
    return price_list


@transaction.atomic
def update_price_list(
    member: Membership, price_list: PriceList, data: dict[str, Any], *, expected_version: int
) -> PriceList:
    access.require(member, "price_list", "edit", price_list)
    before = {k: str(getattr(price_list, k)) for k in PRICE_LIST_FIELDS}
    _apply_price_list(price_list, data)
    fields = {name: getattr(price_list, name) for name in PRICE_LIST_FIELDS}
    if not PriceList.objects.filter(
        pk=price_list.pk, workspace_id=member.workspace_id, version=expected_version
    ).update(version=F("version") + 1, **fields):
        raise VersionConflict(
            PriceList.objects.filter(pk=price_list.pk, workspace_id=member.workspace_id).first()
        )
    price_list.version = expected_version + 1
    after = {k: str(getattr(price_list, k)) for k in PRICE_LIST_FIELDS}
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=price_list,
        changes={k: [before[k], after[k]] for k in after if before[k] != after[k]},
    )
    return price_list


@transaction.atomic
def set_price(
    member: Membership, price_list: PriceList, product_id: Any, amount: Any
) -> Price | None:
    """Set a product's price on a list; an empty amount removes it."""
    access.require(member, "price_list", "edit", price_list)
    product = access.visible(member, Product).filter(pk=_int(product_id)).first()
    if product is None:
        raise ValidationError({"product": _("Choose a product of this workspace.")})
    key: dict[str, Any] = {
        "workspace_id": member.workspace_id,
        "price_list": price_list,
        "product": product,
    }
    if amount in (None, ""):
        Price.objects.filter(**key).delete()
        found = None
    else:
        value = cents(decimal_in(amount, "amount", Decimal(0), MAX_PRICE))
        if Price.objects.filter(**key).update(amount=value):
            found = Price.objects.filter(**key).first()
        else:
            found = Price.objects.create(amount=value, **key)
    PriceList.objects.filter(pk=price_list.pk, workspace_id=member.workspace_id).update(
        version=F("version") + 1
    )
    price_list.version += 1
    audit.record(
        audit.Action.UPDATE,
        workspace=member.workspace_id,
        actor=member.user,
        obj=price_list,
        changes={f"price:{product.sku}": [None, str(found.amount) if found else None]},
    )
    return found


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError, OverflowError):
        return 0


def price_lists(member: Membership, currency: str | None = None) -> QuerySet[PriceList]:
    qs = access.visible(member, PriceList).order_by("currency", "name", "id")
    return qs.filter(currency=currency, active=True) if currency else qs


def prices_of(member: Membership, price_list: PriceList) -> QuerySet[Price]:
    return (
        Price.objects.filter(workspace_id=member.workspace_id, price_list=price_list)
        .select_related("product")
        .order_by("product__sku", "id")
    )
