"""`{{ text|markdown }}`: user Markdown rendered to sanitised HTML."""

from __future__ import annotations

from django import template
from django.utils.safestring import SafeString

from amity.core import markup

register = template.Library()


@register.filter
def markdown(text: str | None) -> SafeString:
    """Render Markdown to sanitised HTML."""
    return markup.render(text or "")
