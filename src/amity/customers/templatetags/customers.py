"""Template filters for customer records."""

from __future__ import annotations

from django import template

from amity.customers.display import phone_display

register = template.Library()


@register.filter
def phone(value: str) -> str:
    """Show an E.164 number grouped the international way (`+47 22 33 44 55`)."""
    return phone_display(value)
