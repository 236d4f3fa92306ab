"""Checks and normal forms for record values: phones (E.164), typed emails and phones, tags.

The services call these before saving; errors are ValidationErrors keyed by the field.
"""

from __future__ import annotations

import functools
import re
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db.models.functions import Lower

from amity.core import phones
from amity.customers.models import (
    ADDRESS_KINDS,
    CompanyTag,
    ContactType,
    CustomerRecord,
    Person,
    PersonTag,
    Tag,
)

MAX_MORE = 10  # further emails or phones on one person
MAX_TAGS = 20
TAG_LENGTH = 50
TYPES = set(ContactType.values)


def region_of(obj: CustomerRecord) -> str | None:
    """Return the country that local phone numbers of the record belong to, if known."""
    for kind in ADDRESS_KINDS:
        country = getattr(obj, f"{kind}_country", "")
        if country:
            return str(country).upper()
    return None


PHONE_CACHE = 50_000


def e164(value: str, region: str | None, field: str) -> str:
    """Return the number as E.164 (`+4722334455`), or "" for blank; refuse what does not parse."""
    value = (value or "").strip()
    if not value:
        return ""
    number = _e164(value, region)
    if number is None:
        raise ValidationError(
            {field: "Enter a phone number with its country code, such as +47 22 33 44 55."}
        )
    return number


@functools.lru_cache(maxsize=PHONE_CACHE)
def _e164(value: str, region: str | None) -> str | None:
    """Parse once per (text, country): an import repeats numbers (switchboards, mobiles)."""
    number = _international(value)
    if number is not None:
        # What format_number gives for a number read directly (no leading zero, no extension).
        return f"+{number.country_code}{number.national_number}" if _possible(number) else None
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not _possible(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _possible(number: phonenumbers.PhoneNumber) -> bool:
    return bool(phonenumbers.is_possible_number(number))


_INTERNATIONAL = re.compile(r"\+[1-9][0-9 ]{5,24}")
_MAX_NATIONAL = 17  # phonenumbers' longest national number


def _international(value: str) -> phonenumbers.PhoneNumber | None:
    """Read `+<country code> <digits>` directly, or None to leave it to phonenumbers.parse.

    Most imported numbers are written so; phonenumbers.parse spends most of its time
    finding the number in free text. The result is the one parse gives (tests compare
    them): anything parse would treat specially — a national prefix after the country
    code ("+44 (0)20…"), an Italian leading zero — goes the long way.
    """
    if not _INTERNATIONAL.fullmatch(value):
        return None
    digits = value[1:].replace(" ", "")
    size = phones.country_code_length(digits)
    if size is None:
        return None
    code = int(digits[:size])
    national = digits[size:]
    if not 2 <= len(national) <= _MAX_NATIONAL or national.startswith("0"):
        return None
    known, prefix = _national_prefix(code)
    if not known or (prefix is not None and prefix.match(national)):
        return None
    return phonenumbers.PhoneNumber(country_code=code, national_number=int(national))


@functools.lru_cache(maxsize=512)
def _national_prefix(code: int) -> tuple[bool, re.Pattern[str] | None]:
    """Return (metadata known, national prefix pattern) of a country code, looked up once."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region_or_calling_code(
        code, phonenumbers.region_code_for_country_code(code)
    )
    if metadata is None:
        return False, None
    prefix = metadata.national_prefix_for_parsing
    return True, re.compile(prefix) if prefix else None


def _type(value: Any, field: str) -> str:
    kind = str(value or ContactType.WORK)
    if kind not in TYPES:
        raise ValidationError({field: f"Choose a type from: {', '.join(sorted(TYPES))}."})
    return kind


def contact_list(
    items: Any, field: str, region: str | None
) -> tuple[str, str, list[dict[str, str]]]:
    """Split a list of {value, type, primary} into (primary value, its type, the others).

    At most one may be primary; without one the first is. Duplicates are dropped.
    """
    if not isinstance(items, list) or len(items) > MAX_MORE + 1:
        raise ValidationError({field: f"Send a list of at most {MAX_MORE + 1} entries."})
    entries: list[dict[str, Any]] = []
    seen: set[str] = set()
    primaries = 0
    for item in items:
        if not isinstance(item, dict) or set(item) - {"value", "type", "primary"}:
            raise ValidationError({field: "Each entry has a value, a type and maybe primary."})
        value = str(item.get("value") or "").strip()
        if field == "emails":
            try:
                validate_email(value)
            except ValidationError:
                raise ValidationError({field: f"Enter a valid email address: {value}"}) from None
            if len(value) > 254:
                raise ValidationError({field: "Use at most 254 characters per address."})
        else:
            value = e164(value, region, field)
        primary = bool(item.get("primary"))
        primaries += primary
        if value.lower() in seen:
            continue
        seen.add(value.lower())
        entries.append({"value": value, "type": _type(item.get("type"), field), "primary": primary})
    if primaries > 1:
        raise ValidationError({field: "Mark at most one entry as primary."})
    if not entries:
        return "", ContactType.WORK, []
    first = next((e for e in entries if e["primary"]), entries[0])
    rest = [{"value": e["value"], "type": e["type"]} for e in entries if e is not first]
    return first["value"], first["type"], rest


def contacts_of(person: Person, field: str) -> list[dict[str, Any]]:
    """Return a person's emails or phones as one list, the primary first."""
    if field == "emails":
        primary, kind, more = person.email, person.email_type, person.more_emails
    else:
        primary, kind, more = person.phone, person.phone_type, person.more_phones
    items = [{"value": primary, "type": kind, "primary": True}] if primary else []
    return items + [{"value": e["value"], "type": e["type"], "primary": False} for e in more or []]


def clean_tag_names(names: Any) -> list[str]:
    if not isinstance(names, list) or len(names) > MAX_TAGS:
        raise ValidationError({"tags": f"Send a list of at most {MAX_TAGS} tags."})
    cleaned: dict[str, str] = {}
    for name in names:
        text = " ".join(str(name).split())
        if not text:
            continue
        if len(text) > TAG_LENGTH or "\x00" in text:
            raise ValidationError({"tags": f"Use at most {TAG_LENGTH} characters per tag."})
        cleaned.setdefault(text.lower(), text)
    return sorted(cleaned.values(), key=str.lower)


def link_model(obj: CustomerRecord) -> type[PersonTag] | type[CompanyTag]:
    return PersonTag if isinstance(obj, Person) else CompanyTag


def tag_names(obj: CustomerRecord) -> list[str]:
    """Return the names of a record's tags, sorted (uses prefetched links when present)."""
    known = getattr(obj, "_tag_names", None)
    if known is not None:
        return list(known)
    cache = getattr(obj, "_prefetched_objects_cache", {})
    if "tag_links" in cache:
        names = [link.tag.name for link in cache["tag_links"]]
    else:
        owner = "person" if isinstance(obj, Person) else "company"
        names = list(
            link_model(obj)
            .objects.filter(workspace_id=obj.workspace_id, **{owner: obj.pk})
            .values_list("tag__name", flat=True)
        )
    return sorted(names, key=str.lower)


def set_tags(obj: CustomerRecord, names: list[str]) -> None:
    """Link exactly these tags to the record, creating tags the workspace lacks."""
    ws = obj.workspace_id
    existing: dict[str, int] = {
        str(name).lower(): pk
        for pk, name in Tag.objects.annotate(lname=Lower("name"))
        .filter(workspace_id=ws, lname__in=[n.lower() for n in names])
        .values_list("pk", "name")
    }
    tag_ids: list[int] = []
    for name in names:
        pk = existing.get(name.lower())
        if pk is None:
            pk = Tag.objects.get_or_create(workspace_id=ws, name=name)[0].pk
        tag_ids.append(pk)
    model = link_model(obj)
    owner = "person" if isinstance(obj, Person) else "company"
    links = model.objects.filter(workspace_id=ws, **{owner: obj.pk})
    links.exclude(tag_id__in=tag_ids).delete()
    have = set(links.values_list("tag_id", flat=True))
    new: list[Any] = [
        model(workspace_id=ws, tag_id=pk, **{owner: obj}) for pk in tag_ids if pk not in have
    ]
    model.objects.bulk_create(new)
    set_cached_tags(obj, names)


def set_cached_tags(obj: CustomerRecord, names: list[str]) -> None:
    """Remember the record's tag names, so search indexing need not query them."""
    setattr(obj, "_tag_names", list(names))  # noqa: B010  # read back by tag_names()


def forget_tags(workspace_id: int, kind: str, ids: list[int]) -> None:
    """Unlink the tags of records about to be purged."""
    if kind == "person":
        PersonTag.objects.filter(workspace_id=workspace_id, person_id__in=ids).delete()
    else:
        CompanyTag.objects.filter(workspace_id=workspace_id, company_id__in=ids).delete()
