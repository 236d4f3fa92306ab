"""Every API schema class has a name of its own.

The OpenAPI spec names its components after the classes; two modules that each define
an `EventOut` would share one component and one of them would document the other's
fields.
"""

from __future__ import annotations

from collections import defaultdict

from django.test import Client
from django.urls import reverse
from ninja import Schema


def _subclasses(cls: type) -> set[type]:
    found = set(cls.__subclasses__())
    for sub in list(found):
        found |= _subclasses(sub)
    return found


def test_no_two_api_schemas_share_a_name(client: Client) -> None:
    spec = client.get(reverse("api:openapi-json")).json()  # loads every module's schemas
    documented = set(spec["components"]["schemas"])
    by_name: dict[str, set[str]] = defaultdict(set)
    for cls in _subclasses(Schema):
        if cls.__module__.startswith("amity.") and cls.__name__ in documented:
            by_name[cls.__name__].add(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(paths) for name, paths in by_name.items() if len(paths) > 1}
    assert shared == {}
