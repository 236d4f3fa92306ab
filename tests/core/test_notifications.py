"""The bell, the notifications page, marking read, the API, and the email preference."""

from __future__ import annotations

from collections.abc import Callable

from django.test import Client

from amity.core import notifications
from amity.core import services as core_services
from amity.core.models import Membership, Notification, User
from tests.conftest import World, tenant_guard_off


def _tell(world: World, user: User, text: str = "Look", url: str = "/people/") -> Notification:
    return notifications.notify(world.member(user), kind="mention", text=text, url=url)


def _unread(world: World, user: User) -> int:
    return Membership.objects.get(user=user, workspace=world.acme).unread_notifications


def _read_states() -> list[bool]:
    with tenant_guard_off():
        return [n.read_at is not None for n in Notification.objects.order_by("id")]


def test_the_bell_shows_the_unread_count(world: World, as_user: Callable[[User], Client]) -> None:
    _tell(world, world.bob)
    _tell(world, world.bob)
    content = as_user(world.bob).get("/").content.decode()
    assert '<span class="bell-count" data-testid="bell-count">2</span>' in content


def test_the_bell_caps_the_count(world: World, as_user: Callable[[User], Client]) -> None:
    Membership.objects.filter(user=world.bob).update(unread_notifications=120)
    content = as_user(world.bob).get("/").content.decode()
    assert 'data-testid="bell-count">99+</span>' in content


def test_the_bell_is_quiet_without_unread(world: World, as_user: Callable[[User], Client]) -> None:
    assert b"bell-count" not in as_user(world.bob).get("/").content


def test_the_page_lists_only_my_notifications(
    world: World,
    as_user: Callable[[User], Client],
    django_assert_num_queries: Callable[..., object],
) -> None:
    for i in range(5):
        _tell(world, world.bob, f"For Bob {i}")
    _tell(world, world.carol, "For Carol")
    client = as_user(world.bob)
    client.get("/notifications/")
    # Session, user, membership, 2FA check, workspaces, the list (actors joined), session save…
    with django_assert_num_queries(6):  # type: ignore[operator]
        response = client.get("/notifications/")
    body = response.content.decode()
    assert response.status_code == 200
    assert body.index("For Bob 4") < body.index("For Bob 0")
    assert "For Carol" not in body


def test_opening_one_marks_it_read_and_lands_on_the_record(
    world: World, as_user: Callable[[User], Client]
) -> None:
    first = _tell(world, world.bob, url="/people/7/")
    _tell(world, world.bob)
    response = as_user(world.bob).post(f"/notifications/{first.pk}/read/")
    assert response.status_code == 302 and response["Location"] == "/people/7/"
    assert _read_states() == [True, False]
    assert _unread(world, world.bob) == 1


def test_it_never_redirects_off_site(world: World, as_user: Callable[[User], Client]) -> None:
    evil = _tell(world, world.bob, url="//evil.test/")
    response = as_user(world.bob).post(f"/notifications/{evil.pk}/read/")
    assert response["Location"] == "/notifications/"


def test_someone_elses_notification_is_a_404(
    world: World, as_user: Callable[[User], Client]
) -> None:
    theirs = _tell(world, world.carol)
    assert as_user(world.bob).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert as_user(world.mallory).post(f"/notifications/{theirs.pk}/read/").status_code == 404
    assert _read_states() == [False]
    assert _unread(world, world.carol) == 1


def test_mark_all_read(world: World, as_user: Callable[[User], Client]) -> None:
    _tell(world, world.bob)
    _tell(world, world.bob)
    _tell(world, world.carol)
    response = as_user(world.bob).post("/notifications/read/")
    assert response.status_code == 302
    assert _read_states() == [True, True, False]
    assert (_unread(world, world.bob), _unread(world, world.carol)) == (0, 1)


def test_anonymous_visitors_log_in_first(world: World, client: Client) -> None:
    assert client.get("/notifications/").status_code == 302
    note = _tell(world, world.bob)
    assert client.post(f"/notifications/{note.pk}/read/").status_code == 302
    assert _read_states() == [False]


def test_the_account_page_saves_the_email_preference(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    data = {"full_name": "Bob", "language": "", "time_zone": "UTC"}
    assert client.post("/account/", data).status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.email_on_mention is False
    assert client.post("/account/", {**data, "email_on_mention": "on"}).status_code == 302
    world.bob.refresh_from_db()
    assert world.bob.email_on_mention is True


def _token(world: World, user: User) -> dict[str, str]:
    workspace = world.globex if user == world.mallory else world.acme
    _, raw = core_services.create_token(world.member(user, workspace), "t")
    return {"Authorization": f"Bearer {raw}"}


def test_the_api_lists_and_marks_read(world: World) -> None:
    one = _tell(world, world.bob, "First")
    _tell(world, world.bob, "Second")
    _tell(world, world.carol, "Not yours")
    client, headers = Client(), _token(world, world.bob)
    listed = client.get("/api/v1/notifications", headers=headers).json()
    assert listed["unread"] == 2
    assert [n["text"] for n in listed["items"]] == ["Second", "First"]
    read = client.post(f"/api/v1/notifications/{one.pk}/read", headers=headers)
    assert read.status_code == 200 and read.json()["read_at"] is not None
    assert client.get("/api/v1/notifications", headers=headers).json()["unread"] == 1
    with tenant_guard_off():
        carols = Notification.objects.get(recipient=world.carol).pk
    assert client.post(f"/api/v1/notifications/{carols}/read", headers=headers).status_code == 404
    assert Client().get("/api/v1/notifications").status_code == 401
