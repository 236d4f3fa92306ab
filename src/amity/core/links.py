"""Links to records, without resolving a URL pattern for each one.

A list of fifty records would otherwise reverse the same URL fifty times, which
costs more than reading the records: the pattern is reversed once with a
placeholder id, and each record's id goes in its place.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse

_PK_PLACEHOLDER = 987654321


def url_for_any_pk(name: str) -> Callable[[int], str]:
    """Return a builder of URL `name` (taking one id) for a given pk."""
    head, _, tail = reverse(name, args=[_PK_PLACEHOLDER]).partition(str(_PK_PLACEHOLDER))
    return lambda pk: f"{head}{pk}{tail}"


@functools.lru_cache(maxsize=256)
def _builder(name: str, _prefix: str, _urlconf: str) -> Callable[[int], str]:
    return url_for_any_pk(name)


def record_url(name: str, pk: int) -> str:
    """Return `reverse(name, args=[pk])`, reversing each URL once per script prefix."""
    urlconf = get_urlconf() or settings.ROOT_URLCONF
    return _builder(name, get_script_prefix(), str(urlconf))(pk)
