from __future__ import annotations

from typing import Any

from django import template

from amity.core import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may(context: dict[str, Any], object_type: str, action: str) -> bool:
    """Return whether the current member's role allows `action` on some `object_type`."""
    member = context.get("membership")
    return member is not None and access.can(member, object_type, action)
