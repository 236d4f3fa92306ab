"""`GET /api/v1/search`: global search over every registered type, through core.search."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from amity.core import search
from amity.core.api import errors, member_of

router = Router(tags=["search"])


class SearchQuery(Schema):
    q: str = Field("", max_length=200, description="Words, an email or a phone number.")
    types: str = Field(
        "",
        max_length=200,
        pattern=r"^[a-z_,]*$",
        description="Comma-separated types to search (e.g. `person,company`); all when empty.",
    )
    limit: int = Field(20, ge=1, le=search.MAX_LIMIT)

    @field_validator("q", mode="after")
    @classmethod
    def _no_nul(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Remove the NUL character.")
        return value


class HitOut(Schema):
    type: str = Field(description="The record's type, e.g. `person`.")
    id: int
    title: str
    subtitle: str
    url: str = Field(description="The record's page in the web app.")


class SearchOut(Schema):
    items: list[HitOut]
    more: bool = Field(description="True when there may be more hits than `limit`.")


@router.get("/search", response={200: SearchOut, **errors(400, 401, 422)}, operation_id="search")
def search_records(request: HttpRequest, params: Query[SearchQuery]) -> SearchOut:
    """Find the records you may see by name, email or phone, best matches first."""
    types = [t for t in params.types.split(",") if t] or None
    hits = search.query(member_of(request), params.q, types=types, limit=params.limit)
    return SearchOut(
        items=[
            HitOut(type=h.type, id=h.id, title=h.title, subtitle=h.subtitle, url=h.url)
            for h in hits
        ],
        more=len(hits) >= params.limit,
    )
