"""Markdown written by users, rendered to HTML that is safe to show (notes, later tickets)."""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

TAGS = {
    "p",
    "br",
    "strong",
    "em",
    "code",
    "pre",
    "ul",
    "ol",
    "li",
    "blockquote",
    "a",
    "h3",
    "h4",
    "h5",
    "h6",
}
# Raw HTML in the source is shown as text; nh3 is the second wall, not the only one.
_md = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
# `@[Full Name](user:7)`: a mention picked from the autocomplete; shown as "@Full Name".
MENTION_TOKEN = re.compile(r"@\[([^\]\n]{1,150})\]\(user:(\d{1,18})\)")


def render(text: str) -> SafeString:
    """Return Markdown as sanitised HTML: an allow-list of tags, http(s)/mailto links only."""
    source = MENTION_TOKEN.sub(lambda m: "@" + m.group(1), text)
    html = _md.render(source)
    return mark_safe(  # noqa: S308 - nh3 has just reduced it to the allow-list
        nh3.clean(
            html,
            tags=TAGS,
            clean_content_tags={"script", "style"},
            attributes={"a": {"href"}},
            url_schemes={"http", "https", "mailto"},
            link_rel="noopener nofollow",
            strip_comments=True,
        ).strip()
    )


def plain(text: str) -> str:
    """Return the text with mention tokens shown as "@Full Name" (for emails and summaries)."""
    return MENTION_TOKEN.sub(lambda m: "@" + m.group(1), text)
