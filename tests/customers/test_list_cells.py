"""The cells of the people and companies lists, printed in Python (columns.rows)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta

import pytest
from django.test import Client
from django.utils import timezone, translation

from amity.core.models import User
from amity.customers import columns
from tests.conftest import World
from tests.customers import helpers

XSS = '<script>alert(1)</script>"&'


def _column(display: str) -> columns.Column:
    return columns.Column("c", "Label <b>", lambda obj: obj, display=display)


@pytest.mark.parametrize(
    ("display", "value", "expected"),
    [
        ("text", XSS, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;"),
        ("text", 42, "42"),
        ("text", None, '<span class="muted">—</span>'),
        ("text", "", '<span class="muted">—</span>'),
        ("email", 'a"b@x.no', '<a href="mailto:a&quot;b@x.no">a&quot;b@x.no</a>'),
        (
            "link",
            ("/c/1/", XSS),
            '<a href="/c/1/">&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;</a>',
        ),
        ("phone", "+4722334455", "+47 22 33 44 55"),
        ("phone", XSS, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;"),
        ("date", date(2026, 3, 4), '<time datetime="2026-03-04">03/04/2026</time>'),
    ],
)
def test_a_cell_escapes_and_formats_its_value(display: str, value: object, expected: str) -> None:
    with translation.override("en"):
        assert columns.cell_html(_column(display), value) == expected


def test_times_show_in_the_current_time_zone() -> None:
    moment = datetime(2026, 3, 4, 23, 30, tzinfo=UTC)
    with timezone.override("Europe/Oslo"), translation.override("en"):
        html = columns.cell_html(_column("date"), moment)
    assert html == '<time datetime="2026-03-05T00:30:00+01:00">03/05/2026</time>'


def test_ago_reads_like_the_template_did() -> None:
    with translation.override("en"):
        html = columns.cell_html(_column("ago"), timezone.now() - timedelta(days=2))
    assert ">2\xa0days ago</time>" in html


def test_a_row_links_the_record_and_escapes_its_name_in_the_checkbox_label(
    world: World, as_user: Callable[[User], Client]
) -> None:
    someone = helpers.person(world, first_name=XSS, last_name="Hansen", title=XSS)
    html = as_user(world.alice).get("/people/?cols=title").content.decode()
    assert f'<a href="/people/{someone.pk}/">' in html
    assert 'aria-label="Select &lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp; Hansen"' in html
    assert "<script>alert(1)" not in html
    assert '<td data-label="Job title">&lt;script&gt;' in html
