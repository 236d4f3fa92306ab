"""What an imported column can become: the one registry of import targets.

Each `Target` names the record field it fills, the header names it is guessed
from (including HubSpot, Salesforce, Zoho and Pipedrive exports), its length
limit and how a cell is cleaned. A new target (tags, custom fields) is one more
entry in TARGETS.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from amity.customers import custom_fields, fields
from amity.customers.models import CustomField, Size, Stage
from amity.customers.validators import validate_iban

MASKED = "••••"


class CellError(ValueError):
    """A cell that cannot be imported; `code` keys REASONS, `params` fill it."""

    def __init__(self, code: str, **params: Any) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


REASONS: dict[str, Promise] = {
    "required": _("This value is required."),
    "too_long": _("Use at most %(limit)s characters."),
    "email": _("Not a valid email address."),
    "url": _("Not a valid web address."),
    "country": _("Use a two-letter country code such as NO or GB."),
    "phone": _("Not a phone number."),
    "phone_country": _(
        "Give the number with its country code (such as +47 22 33 44 55), "
        "or map a country column for local numbers."
    ),
    "owner": _("No active member of this workspace has this email."),
    "company": _("No company has this name, and your role may not create companies."),
    "iban": _("Not a valid IBAN."),
    "not_yours": _("This record is not yours to update."),
    "duplicate_in_file": _("The same record appears earlier in the file (row %(row)s)."),
    "no_name": _("The row has no name."),
    "yes_no": _("Use yes or no (or true/false, 1/0)."),
    "choice": _("Use one of: %(choices)s."),
    "size": _("Give a number of employees or a bracket such as 11-50."),
    "custom": _("Not a valid value for this custom field."),
    "tags": _("Give at most %(count)s tags of at most %(length)s characters each."),
}


def reason_text(code: str, params: dict[str, Any] | None = None) -> str:
    template = REASONS.get(code)
    if template is None:
        return code
    return str(template) % (params or {}) if params else str(template)


_PLAIN_EMAIL = re.compile(r"^[A-Za-z0-9._%+\-']+@[A-Za-z0-9\-]+(\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}$")


def _email(value: str) -> str:
    if (
        _PLAIN_EMAIL.match(value)
        and ".." not in value
        and len(value) <= 254
        and not value.startswith(".")
        and ".@" not in value
    ):
        local, _, domain = value.rpartition("@")
        return f"{local}@{domain.lower()}"
    try:
        validate_email(value)
    except ValidationError as exc:
        raise CellError("email") from exc
    local, _, domain = value.rpartition("@")
    return f"{local}@{domain.lower()}"


_url = URLValidator(schemes=["http", "https"])


def _website(value: str) -> str:
    if "://" not in value:
        value = "https://" + value
    try:
        _url(value)
    except ValidationError as exc:
        raise CellError("url") from exc
    return value


_COUNTRY = re.compile(r"^[A-Za-z]{2}$")
# Country names that exports spell out, for the most common cases.
COUNTRY_NAMES = {
    "norway": "NO",
    "norge": "NO",
    "sweden": "SE",
    "denmark": "DK",
    "finland": "FI",
    "germany": "DE",
    "france": "FR",
    "united kingdom": "GB",
    "uk": "GB",
    "great britain": "GB",
    "united states": "US",
    "usa": "US",
    "united states of america": "US",
    "wales": "GB",
    "china": "CN",
    "russia": "RU",
    "netherlands": "NL",
    "spain": "ES",
    "italy": "IT",
    "ireland": "IE",
}


def _country(value: str) -> str:
    code = COUNTRY_NAMES.get(value.casefold(), value)
    if not _COUNTRY.match(code):
        raise CellError("country")
    return code.upper()


_PHONE = re.compile(r"^\+?[\s().\-/]*(?:\d[\s().\-/]*){3,}$")


def _phone(value: str) -> str:
    if not _PHONE.match(value):
        raise CellError("phone")
    return value


def _iban(value: str) -> str:
    try:
        return validate_iban(value)
    except ValidationError as exc:
        raise CellError("iban") from exc


def _lower(value: str) -> str:
    return value.lower()


_YES = {"yes", "y", "true", "1", "ja", "x", "opted in", "subscribed"}
_NO = {"no", "n", "false", "0", "nei", "opted out", "unsubscribed"}


def _yes_no(value: str) -> bool:
    word = " ".join(value.casefold().split())
    if word in _YES:
        return True
    if word in _NO:
        return False
    raise CellError("yes_no")


def _tags(value: str) -> list[str]:
    """Return the tag names of a cell, separated by commas or semicolons."""
    try:
        return fields.clean_tag_names(re.split(r"[,;]", value))
    except ValidationError as exc:
        raise CellError("tags", count=fields.MAX_TAGS, length=fields.TAG_LENGTH) from exc


# Lifecycle and account-type values of HubSpot ("Lifecycle Stage"), Salesforce and
# Zoho ("Type", "Account Type") exports, by their normalised spelling.
_STAGES = {
    "lead": Stage.LEAD,
    "subscriber": Stage.LEAD,
    "marketingqualifiedlead": Stage.LEAD,
    "mql": Stage.LEAD,
    "prospect": Stage.PROSPECT,
    "salesqualifiedlead": Stage.PROSPECT,
    "sql": Stage.PROSPECT,
    "opportunity": Stage.PROSPECT,
    "customer": Stage.CUSTOMER,
    "customerdirect": Stage.CUSTOMER,
    "customerchannel": Stage.CUSTOMER,
    "evangelist": Stage.CUSTOMER,
    "former": Stage.FORMER,
    "formercustomer": Stage.FORMER,
    "churned": Stage.FORMER,
}


def _stage(value: str) -> str:
    stage = _STAGES.get(re.sub(r"[^0-9a-z]+", "", value.casefold()))
    if stage is None:
        raise CellError("choice", choices=", ".join(Stage.values))
    return str(stage)


_BRACKETS = [(10, Size.S1), (50, Size.S2), (200, Size.S3), (500, Size.S4), (1000, Size.S5)]
_BRACKETS += [(5000, Size.S6)]


def _size(value: str) -> str:
    """Return the bracket of an employee count ("120", "1,200") or of a bracket ("11–50")."""
    text = value.replace("\u2013", "-").replace(" ", "")
    if text in Size.values:
        return text
    digits = text.replace(",", "").replace(".", "")
    if not digits.isdigit():
        raise CellError("size")
    count = int(digits)
    return str(next((size for limit, size in _BRACKETS if count <= limit), Size.S7))


@dataclass(frozen=True)
class Target:
    """One thing a column can fill on a company or person."""

    key: str
    label: Promise
    kinds: tuple[str, ...]
    max_length: int
    aliases: tuple[str, ...] = ()
    clean: Callable[[str], Any] | None = None
    required: bool = False
    # Sealed by core.crypto; only members who may reveal can map it.
    sensitive: bool = False
    # Resolved against other records: "owner" (by email) or "company" (by name).
    reference: str = ""
    # The model field it fills; empty for targets handled by the writer itself.
    field: str = field(default="")

    @property
    def model_field(self) -> str:
        return self.field or self.key


P, C, B = ("person",), ("company",), ("person", "company")


def _address(prefix: str, extra: dict[str, tuple[str, ...]]) -> list[Target]:
    parts = [
        ("street", _("street"), 200, None),
        ("city", _("city"), 100, None),
        ("postal_code", _("postal code"), 20, None),
        ("region", _("region"), 100, None),
        ("country", _("country"), 2, _country),
    ]
    label = _("Billing") if prefix == "billing" else _("Shipping")
    return [
        Target(
            f"{prefix}_{part}",
            _label_pair(label, part_label),
            B,
            size,
            aliases=extra.get(part, ()),
            clean=clean,
        )
        for part, part_label, size, clean in parts
    ]


class _Pair(Promise):
    """A lazy "Billing: street" label in the current language."""

    def __init__(self, first: Promise, second: Promise) -> None:
        self.first, self.second = first, second

    def __str__(self) -> str:
        return f"{self.first}: {self.second}"


def _label_pair(first: Promise, second: Promise) -> Promise:
    return _Pair(first, second)


BILLING_ALIASES: dict[str, tuple[str, ...]] = {
    "street": (
        "street",
        "street address",
        "address",
        "address line 1",
        "mailing street",
        "billing street",
        "billing address",
        "mailing address",
        "organization - address",
        "person - address",
        "organization - address - street/number",
    ),
    "city": (
        "city",
        "town",
        "mailing city",
        "billing city",
        "organization - address - city/town/village/locality",
        "organization - city",
    ),
    "postal_code": (
        "postal code",
        "postcode",
        "zip",
        "zip code",
        "zip/postal code",
        "mailing zip",
        "mailing zip/postal code",
        "mailing postal code",
        "billing code",
        "billing zip/postal code",
        "billing postal code",
        "organization - address - zip/postal code",
    ),
    "region": (
        "state",
        "region",
        "state/region",
        "province",
        "state/province",
        "mailing state",
        "mailing state/province",
        "billing state",
        "billing state/province",
        "organization - address - state/county",
    ),
    "country": (
        "country",
        "country/region",
        "country code",
        "mailing country",
        "billing country",
        "organization - address - country",
    ),
}
SHIPPING_ALIASES: dict[str, tuple[str, ...]] = {
    part: tuple(
        f"{prefix} {word}"
        for prefix in ("shipping", "other", "delivery")
        for word in {
            "street": ("street", "address"),
            "city": ("city",),
            "postal_code": ("zip", "code", "postal code", "zip/postal code"),
            "region": ("state", "state/province", "region"),
            "country": ("country",),
        }[part]
    )
    for part in ("street", "city", "postal_code", "region", "country")
}

TARGETS: list[Target] = [
    Target(
        "first_name",
        _("First name"),
        P,
        100,
        aliases=("first name", "firstname", "given name", "person - first name", "forename"),
    ),
    Target(
        "last_name",
        _("Last name"),
        P,
        100,
        required=True,
        aliases=("last name", "lastname", "surname", "family name", "person - last name"),
    ),
    Target(
        "full_name",
        _("Full name (split into first and last)"),
        P,
        201,
        aliases=("full name", "name", "contact name", "person - name", "contact"),
    ),
    Target(
        "title",
        _("Job title"),
        P,
        120,
        aliases=("job title", "title", "position", "role", "person - job title"),
    ),
    Target(
        "company",
        _("Company (by name)"),
        P,
        200,
        reference="company",
        aliases=(
            "company",
            "company name",
            "account name",
            "account",
            "organization",
            "organisation",
            "organization - name",
            "person - organization",
            "associated company",
        ),
    ),
    Target(
        "name",
        _("Name"),
        C,
        200,
        required=True,
        aliases=(
            "name",
            "company name",
            "company",
            "account name",
            "organization - name",
            "organization",
            "organisation",
        ),
    ),
    Target(
        "domain",
        _("Domain"),
        C,
        200,
        clean=_lower,
        aliases=("domain", "company domain name", "domain name", "organization - domain"),
    ),
    Target(
        "industry",
        _("Industry"),
        C,
        100,
        aliases=("industry", "organization - industry", "sector"),
    ),
    Target(
        "website",
        _("Website"),
        C,
        300,
        clean=_website,
        aliases=("website", "website url", "web site", "url", "organization - website"),
    ),
    Target(
        "email",
        _("Email"),
        B,
        254,
        clean=_email,
        aliases=(
            "email",
            "e-mail",
            "email address",
            "primary email",
            "work email",
            "person - email",
            "person - email - work",
            "organization - email",
        ),
    ),
    Target(
        "alt_email",
        _("Other email"),
        P,
        254,
        clean=_email,
        aliases=(
            "other email",
            "secondary email",
            "alternate email",
            "email 2",
            "person - email - other",
            "person - email - home",
        ),
    ),
    Target(
        "phone",
        _("Phone"),
        B,
        40,
        clean=_phone,
        aliases=(
            "phone",
            "phone number",
            "telephone",
            "business phone",
            "work phone",
            "office phone",
            "person - phone",
            "person - phone - work",
            "organization - phone",
        ),
    ),
    Target(
        "mobile",
        _("Mobile"),
        P,
        40,
        clean=_phone,
        aliases=(
            "mobile",
            "mobile phone",
            "mobile phone number",
            "mobile number",
            "cell",
            "cell phone",
            "person - phone - mobile",
        ),
    ),
    *_address("billing", BILLING_ALIASES),
    *_address("shipping", SHIPPING_ALIASES),
    Target(
        "owner",
        _("Owner (member's email)"),
        B,
        254,
        reference="owner",
        aliases=(
            "owner",
            "owner email",
            "contact owner",
            "company owner",
            "account owner",
            "record owner",
            "person - owner",
            "organization - owner",
        ),
    ),
    Target(
        "source",
        _("Source"),
        P,
        100,
        aliases=(
            "source",
            "lead source",
            "original source",
            "original source type",
            "contact source",
            "person - source",
        ),
    ),
    Target(
        "email_consent",
        _("Email consent (yes/no)"),
        P,
        5,
        clean=_yes_no,
        aliases=(
            "email consent",
            "email opt in",
            "marketing email consent",
            "marketing contact status",
            "email opt-in",
        ),
    ),
    Target(
        "messaging_consent",
        _("Messaging consent (yes/no)"),
        P,
        5,
        clean=_yes_no,
        aliases=("messaging consent", "sms consent", "sms opt in", "text message consent"),
    ),
    Target(
        "lifecycle_stage",
        _("Lifecycle stage"),
        C,
        10,
        clean=_stage,
        aliases=("lifecycle stage", "type", "account type", "organization - type", "stage"),
    ),
    Target(
        "size",
        _("Size (employees)"),
        C,
        10,
        clean=_size,
        aliases=(
            "number of employees",
            "employees",
            "no of employees",
            "company size",
            "size",
            "organization - number of employees",
        ),
    ),
    Target(
        "tags",
        _("Tags (separated by commas)"),
        B,
        0,
        clean=_tags,
        aliases=("tags", "tag", "labels", "label", "person - labels", "organization - labels"),
    ),
    Target(
        "national_id",
        _("National ID number"),
        P,
        64,
        sensitive=True,
        aliases=("national id", "national id number", "ssn", "personal number"),
    ),
    Target(
        "bank_account",
        _("Bank account (IBAN)"),
        P,
        64,
        sensitive=True,
        clean=_iban,
        aliases=("iban", "bank account", "bank account (iban)"),
    ),
]
BY_KEY = {t.key: t for t in TARGETS}


def _custom_value(definition: CustomField, value: str) -> Any:
    """Turn a cell into a custom field's value, checked by customers.custom_fields."""
    raw: Any = value
    if definition.type == CustomField.Type.CHECKBOX:
        raw = _yes_no(value)
    elif definition.type == CustomField.Type.MULTI_SELECT:
        raw = [part.strip() for part in re.split(r"[,;]", value) if part.strip()]
    elif definition.type == CustomField.Type.MONEY:
        amount, _sep, currency = value.strip().rpartition(" ")
        raw = {"amount": amount.replace(",", ""), "currency": currency}
    try:
        return custom_fields.clean_value(definition, raw)
    except ValidationError as exc:
        raise CellError("custom") from exc


def custom_targets(workspace_id: int, kind: str) -> list[Target]:
    """The workspace's custom fields as `custom.<key>` targets (sensitive ones are not imported)."""
    return [
        Target(
            f"custom.{d.key}",
            cast(Promise, d.label),
            (kind,),
            TEXT_LIMIT,
            aliases=(d.key.replace("_", " "), d.label),
            clean=functools.partial(_custom_value, d),
            field="custom",
        )
        for d in custom_fields.definitions(workspace_id, kind)
        if d.type != CustomField.Type.SENSITIVE
    ]


TEXT_LIMIT = 10_000


def targets_for(
    kind: str, *, may_reveal: bool = True, workspace_id: int | None = None
) -> list[Target]:
    static = [t for t in TARGETS if kind in t.kinds and (may_reveal or not t.sensitive)]
    return static + ([] if workspace_id is None else custom_targets(workspace_id, kind))


def _norm(header: str) -> str:
    return re.sub(r"[^0-9a-z]+", "", header.casefold())


def guess(
    header: Sequence[str], kind: str, *, may_reveal: bool = True, workspace_id: int | None = None
) -> dict[int, str]:
    """Return {column index: target key} guessed from the header names; each target once."""
    by_alias: dict[str, str] = {}
    for target in targets_for(kind, may_reveal=may_reveal, workspace_id=workspace_id):
        for alias in (target.key.replace("_", " "), str(target.label), *target.aliases):
            by_alias.setdefault(_norm(alias), target.key)
    found: dict[int, str] = {}
    for index, name in enumerate(header):
        key = by_alias.get(_norm(name))
        if key is not None and key not in found.values():
            found[index] = key
    return found


def check_mapping(
    mapping: dict[int, str],
    kind: str,
    width: int,
    *,
    may_reveal: bool,
    workspace_id: int | None = None,
) -> dict[int, str]:
    """Return the mapping without blank choices; raise ValueError saying what is wrong."""
    allowed = {t.key for t in targets_for(kind, may_reveal=may_reveal, workspace_id=workspace_id)}
    clean = {int(i): key for i, key in mapping.items() if key}
    for index, key in clean.items():
        if not 0 <= index < width:
            raise ValueError("A mapped column does not exist in the file.")
        if key not in allowed:
            raise ValueError(f"{key} is not something you can import here.")
    keys = list(clean.values())
    if len(set(keys)) != len(keys):
        raise ValueError("Map each field from one column only.")
    if kind == "person" and not ({"last_name", "full_name"} & set(keys)):
        raise ValueError("Map a column to the last name (or the full name).")
    if kind == "company" and "name" not in keys:
        raise ValueError("Map a column to the name.")
    return clean


def clean_cell(target: Target, value: str) -> Any:
    """Return the cleaned value of one cell (text, or a yes/no as bool), or raise CellError."""
    value = value.strip()
    if not value:
        if target.required:
            raise CellError("required")
        return ""
    cleaned: Any = value if target.clean is None else target.clean(value)
    if isinstance(cleaned, str) and len(cleaned) > target.max_length:
        raise CellError("too_long", limit=target.max_length)
    return cleaned


def split_name(full: str) -> tuple[str, str]:
    """Return (first, last) of a full name: the last word is the last name."""
    first, _, last = full.strip().rpartition(" ")
    return first.strip()[:100], last[:100]
