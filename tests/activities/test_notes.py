"""Notes on people and companies: the screens, the rules, and what they leave on the timeline."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.test import Client

from amity.activities import services
from amity.activities.models import Note
from amity.core.exceptions import VersionConflict
from amity.core.markup import render
from amity.core.models import User
from amity.customers.models import TimelineEvent
from tests.conftest import World, tenant_guard_off
from tests.customers import helpers


def _notes() -> list[tuple[int | None, str, bool]]:
    with tenant_guard_off():
        return [(n.author_id, n.body, n.deleted_at is None) for n in Note.objects.order_by("id")]


def _note_entries() -> list[str]:
    with tenant_guard_off():
        return list(TimelineEvent.objects.filter(kind="note").values_list("summary", flat=True))


def test_it_adds_a_note_to_a_person(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.bob).post(f"/people/{ann.pk}/notes/", {"body": "Called **today**."})
    assert response.status_code == 302 and response["Location"] == f"/people/{ann.pk}/"
    assert _notes() == [(world.bob.pk, "Called **today**.", True)]
    assert _note_entries() == ["Called **today**."]
    page = as_user(world.dave).get(f"/people/{ann.pk}/")
    assert b"<p>Called <strong>today</strong>.</p>" in page.content


def test_it_adds_a_note_to_a_company(world: World, as_user: Callable[[User], Client]) -> None:
    initech = helpers.company(world)
    response = as_user(world.frank).post(f"/companies/{initech.pk}/notes/", {"body": "Pays late"})
    assert response.status_code == 302
    with tenant_guard_off():
        note = Note.objects.get()
    assert (note.company_id, note.person_id, note.author_id) == (initech.pk, None, world.frank.pk)


def test_it_refuses_a_read_only_role(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.dave).post(f"/people/{ann.pk}/notes/", {"body": "Hi"})
    assert response.status_code == 403
    assert _notes() == [] and _note_entries() == []


def test_it_hides_another_workspaces_record(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    response = as_user(world.mallory).post(f"/people/{ann.pk}/notes/", {"body": "Hi"})
    assert response.status_code == 404
    assert _notes() == []


def test_it_sends_anonymous_visitors_to_log_in(world: World, client: Client) -> None:
    ann = helpers.person(world)
    response = client.post(f"/people/{ann.pk}/notes/", {"body": "Hi"})
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert _notes() == []


def test_it_refuses_an_empty_note(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    response = as_user(world.bob).post(f"/people/{ann.pk}/notes/", {"body": "   "})
    assert response.status_code == 400
    assert _notes() == []


@pytest.mark.parametrize(
    ("body", "html"),
    [
        ("<script>alert(1)</script>", "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>"),
        ('<img src=x onerror="alert(1)">', '<p>&lt;img src=x onerror="alert(1)"&gt;</p>'),
        ("[click](javascript:alert(1))", "<p>[click](javascript:alert(1))</p>"),
        (
            "[mail](mailto:a@b.test)",
            '<p><a href="mailto:a@b.test" rel="noopener nofollow">mail</a></p>',
        ),
        (
            "[site](https://example.test/x)",
            '<p><a href="https://example.test/x" rel="noopener nofollow">site</a></p>',
        ),
        ("![pic](https://example.test/p.png)", "<p></p>"),
        ("# Big\n\n### Small", "Big\n<h3>Small</h3>"),
        (
            "> quote\n\n- a\n- `b`",
            "<blockquote>\n<p>quote</p>\n</blockquote>\n<ul>\n<li>a</li>\n<li><code>b</code></li>\n</ul>",
        ),
    ],
)
def test_it_renders_markdown_inert(body: str, html: str) -> None:
    assert str(render(body)) == html


def test_it_shows_a_hostile_note_inert_on_the_page(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    services.create_note(
        world.member(world.bob), ann, "<script>alert(1)</script> [x](javascript:alert(2))"
    )
    content = as_user(world.dave).get(f"/people/{ann.pk}/").content.decode()
    assert "<script>alert(1)" not in content
    assert 'href="javascript:' not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; [x](javascript:alert(2))" in content


def test_the_author_edits_their_note(world: World, as_user: Callable[[User], Client]) -> None:
    ann = helpers.person(world)
    note = services.create_note(world.member(world.bob), ann, "First")
    client = as_user(world.bob)
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 200
    response = client.post(f"/notes/{note.pk}/edit/", {"body": "Second", "version": 1})
    assert response.status_code == 302
    assert _notes() == [(world.bob.pk, "Second", True)]
    assert _note_entries() == ["Second"]
    # A stale version is refused and changes nothing.
    stale = client.post(f"/notes/{note.pk}/edit/", {"body": "Third", "version": 1})
    assert stale.status_code == 400
    assert _notes() == [(world.bob.pk, "Second", True)]


def test_a_colleague_without_edit_rights_cannot_change_it(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)  # owned by alice: sam (sales) edits only his own
    note = services.create_note(world.member(world.bob), ann, "Mine")
    client = as_user(world.sam)
    assert (
        client.post(f"/notes/{note.pk}/edit/", {"body": "Yours", "version": 1}).status_code == 403
    )
    assert client.post(f"/notes/{note.pk}/delete/").status_code == 403
    assert _notes() == [(world.bob.pk, "Mine", True)]
    assert _note_entries() == ["Mine"]


def test_someone_who_may_edit_the_record_deletes_it(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    note = services.create_note(world.member(world.bob), ann, "Remove me")
    response = as_user(world.carol).post(f"/notes/{note.pk}/delete/", {"version": 1})
    assert response.status_code == 302 and response["Location"] == f"/people/{ann.pk}/"
    assert _notes() == [(world.bob.pk, "Remove me", False)]
    assert _note_entries() == []
    assert as_user(world.carol).get(f"/notes/{note.pk}/edit/").status_code == 404


def test_another_workspace_cannot_reach_a_note(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world)
    note = services.create_note(world.member(world.bob), ann, "Private")
    client = as_user(world.mallory)
    assert client.get(f"/notes/{note.pk}/edit/").status_code == 404
    assert client.post(f"/notes/{note.pk}/delete/").status_code == 404
    assert _notes() == [(world.bob.pk, "Private", True)]


def test_the_service_refuses_a_stale_version(world: World) -> None:
    ann = helpers.person(world)
    member = world.member(world.bob)
    note = services.create_note(member, ann, "v1")
    note = services.get_note(member, note.pk, "change")
    services.update_note(member, note, "v2", expected_version=1)
    with pytest.raises(VersionConflict):
        services.update_note(member, note, "v3", expected_version=1)
    with pytest.raises(VersionConflict):
        services.delete_note(member, note, expected_version=1)
    assert _notes() == [(world.bob.pk, "v2", True)]


def test_the_detail_page_keeps_its_query_count_with_many_notes(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    initech = helpers.company(world)
    for i in range(25):
        services.create_note(world.member(world.bob), initech, f"Note {i}")
    client = as_user(world.dave)
    # Plus the Deals panel and one query per registered record panel (duplicates, merged
    # from, reminders).
    with django_assert_num_queries(24):  # type: ignore[operator]
        response = client.get(f"/companies/{initech.pk}/")
    assert b"Note 24" in response.content and b"Note 4<" not in response.content


@pytest.mark.parametrize("posted", [{}, {"version": 1}])
def test_the_delete_form_refuses_a_missing_or_stale_version(
    world: World, as_user: Callable[[User], Client], posted: dict[str, int]
) -> None:
    ann = helpers.person(world)
    member = world.member(world.bob)
    note = services.create_note(member, ann, "v1")
    services.update_note(member, note, "v2", expected_version=1)
    response = as_user(world.bob).post(f"/notes/{note.pk}/delete/", posted)
    assert response.status_code == 302 and response["Location"] == f"/people/{ann.pk}/"
    assert _notes() == [(world.bob.pk, "v2", True)]
