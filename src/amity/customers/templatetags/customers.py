"""Template filters for customer records."""

from __future__ import annotations

import phonenumbers
from django import template

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show an E.164 number grouped the international way (`+47 22 33 44 55`)."""
    if not value or not value.startswith("+"):
        return value or ""
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException:
        return value
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
