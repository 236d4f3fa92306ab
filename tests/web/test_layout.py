"""The shell every page shares: navigation, search, user menu, and what the CSP allows."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.test import Client

from amity.core import services as core_services
from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers

STATIC = Path(settings.BASE_DIR) / "web" / "static" / "web"


def test_it_has_a_skip_link_a_sidebar_and_a_menu_button(
    world: World, as_user: Callable[[User], Client]
) -> None:
    html = as_user(world.dave).get("/people/").content.decode()
    assert '<a class="skip-link" href="#main">Skip to content</a>' in html
    assert '<main id="main"' in html
    assert 'aria-controls="sidebar" aria-expanded="false"' in html
    assert '<a href="/people/" aria-current="page">People</a>' in html
    assert "Acme" in html
    # Read-only sees no admin or audit entries.
    assert 'href="/audit/"' not in html
    assert 'href="/members/"' not in html


def test_it_searches_people_from_the_top_bar(
    world: World, as_user: Callable[[User], Client]
) -> None:
    html = as_user(world.dave).get("/").content.decode()
    form = re.search(r'<form class="global-search"[^>]*>', html)
    assert form is not None
    assert 'action="/search/"' in form.group(0)
    assert 'method="get"' in form.group(0)
    assert '<input type="search" id="global-search" name="q"' in html


def test_it_lists_workspaces_only_when_there_are_several(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.bob)
    assert 'id="menu-workspaces"' not in client.get("/").content.decode()
    core_services.add_member(world.globex, world.bob, "readonly")
    html = client.get("/").content.decode()
    assert 'id="menu-workspaces"' in html
    assert f'name="workspace" value="{world.globex.pk}"' in html
    assert 'action="/workspaces/switch/"' in html


def test_it_changes_the_language_through_set_language(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.dave)
    html = client.get("/").content.decode()
    assert 'action="/i18n/setlang/"' in html
    assert '<option value="nb" lang="nb">norsk (bokmål)</option>' in html
    response = client.post("/i18n/setlang/", {"language": "nb", "next": "/people/"})
    assert response.status_code == 302
    assert response["Location"] == "/people/"
    assert client.get("/people/").content.decode().startswith('<!doctype html>\n\n<html lang="nb">')


def test_it_has_no_inline_scripts_styles_or_handlers(
    world: World, as_user: Callable[[User], Client]
) -> None:
    ann = helpers.person(world, sensitive={"national_id": helpers.NATIONAL_ID})
    client = as_user(world.alice)
    for url in (
        "/",
        "/people/",
        "/companies/",
        f"/people/{ann.pk}/",
        f"/people/{ann.pk}/edit/",
        f"/people/{ann.pk}/history/",
        "/people/new/",
        "/trash/",
    ):
        response = client.get(url)
        html = response.content.decode()
        assert response.status_code == 200, url
        for script in re.findall(r"<script\b[^>]*>", html):
            assert "src=" in script, (url, script)
            assert 'nonce="' in script, (url, script)
        assert "<style" not in html, url
        assert not re.search(r"\sstyle=", html), url
        assert not re.search(r"\son[a-z]+=", html), url
        policy = response["Content-Security-Policy"]
        assert "'unsafe-inline'" not in policy
        assert response["Cache-Control"] == "no-store"


def test_it_ships_the_menu_and_search_shortcut_script() -> None:
    script = (STATIC / "amity.js").read_text()
    assert 'setAttribute("aria-expanded"' in script
    assert 'event.key === "/"' in script
    assert 'getElementById("global-search")' in script
    css = (STATIC / "amity.css").read_text()
    assert ":focus-visible" in css
    assert "@media (max-width: 640px)" in css
