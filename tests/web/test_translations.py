"""Amity's pages in every shipped language, and the catalogs that make them so."""

from __future__ import annotations

import ast
import gettext
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from amity.core.models import User
from tests.conftest import World
from tests.customers import helpers

SRC = Path(settings.BASE_DIR)
LOCALE = SRC / "locale"
# language code -> (locale folder, number of plural forms)
LANGUAGES = {"nb": ("nb", 2), "ru": ("ru", 3), "cy": ("cy", 6), "zh-hans": ("zh_Hans", 1)}
# language code -> (translation of "People", of "Log in to Amity")
KNOWN = {
    "nb": ("Personer", "Logg inn i Amity"),
    "ru": ("Люди", "Вход в Amity"),
    "cy": ("Pobl", "Mewngofnodi i Amity"),
    "zh-hans": ("联系人", "登录 Amity"),
}
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|<[^>]+>")


@dataclass
class Entry:
    msgid: str = ""
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    obsolete: bool = False


def parse_po(path: Path) -> list[Entry]:
    """Read a .po file into entries (header first); enough of the format for our catalogs."""
    entries: list[Entry] = []
    for block in re.split(r"\n\s*\n", path.read_text(encoding="utf-8")):
        entry, target = Entry(), None
        for line in block.splitlines():
            if line.startswith("#~"):
                entry.obsolete = True
            elif line.startswith("#,"):
                entry.flags = [f.strip() for f in line[2:].split(",")]
            elif line.startswith("#") or not line.strip():
                continue
            elif m := re.match(r'(msgid_plural|msgid|msgctxt|msgstr(?:\[(\d+)\])?) (".*")$', line):
                keyword, index, text = m.group(1), m.group(2), ast.literal_eval(m.group(3))
                if keyword.startswith("msgstr"):
                    target = int(index or 0)
                    entry.msgstr[target] = text
                else:
                    target = keyword
                    if keyword != "msgctxt":
                        setattr(entry, keyword, text)
            elif line.startswith('"'):
                text = ast.literal_eval(line)
                if isinstance(target, int):
                    entry.msgstr[target] += text
                elif target in ("msgid", "msgid_plural"):
                    setattr(entry, target, (getattr(entry, target) or "") + text)
            else:
                raise AssertionError(f"{path}: cannot read {line!r}")
        if entry.msgstr:
            entries.append(entry)
    return entries


def catalog(language: str) -> list[Entry]:
    folder, _ = LANGUAGES[language]
    return parse_po(LOCALE / folder / "LC_MESSAGES" / "django.po")


def in_language(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_a_logged_in_page_in_the_cookies_language(
    world: World, as_user: Callable[[User], Client], language: str
) -> None:
    people, _ = KNOWN[language]
    client = in_language(as_user(world.dave), language)
    html = client.get("/people/").content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<title>{people} · Amity</title>" in html
    assert ">People<" not in html


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_shows_the_login_page_in_the_browsers_language(client: Client, language: str) -> None:
    _, log_in = KNOWN[language]
    html = client.get("/login/", HTTP_ACCEPT_LANGUAGE=f"{language},en;q=0.5").content.decode()
    assert f'<html lang="{language}">' in html
    assert f"<h1>{log_in}</h1>" in html
    assert "Log in to Amity" not in html


def test_it_shows_english_without_a_choice(client: Client) -> None:
    html = client.get("/login/").content.decode()
    assert '<html lang="en">' in html
    assert "<h1>Log in to Amity</h1>" in html


def test_it_keeps_the_language_chosen_in_the_user_menu(
    world: World, as_user: Callable[[User], Client]
) -> None:
    client = as_user(world.dave)
    response = client.post("/i18n/setlang/", {"language": "cy", "next": "/"})
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "cy"
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "Croeso, Dave" in html


@pytest.mark.parametrize(
    ("language", "count", "expected"),
    [
        ("ru", 1, "1 человек"),
        ("ru", 2, "2 человека"),
        ("ru", 5, "5 человек"),
        ("cy", 2, "2 berson"),
        ("cy", 3, "3 pherson"),
        ("nb", 2, "2 personer"),
        ("zh-hans", 2, "2 位联系人"),
    ],
)
def test_it_counts_in_the_languages_plural_forms(
    world: World, as_user: Callable[[User], Client], language: str, count: int, expected: str
) -> None:
    for i in range(count):
        helpers.person(world, last_name=f"P{i}")
    html = in_language(as_user(world.dave), language).get("/people/").content.decode()
    assert re.search(rf">\s*{expected}\s*<", html), html


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_translates_every_message(language: str) -> None:
    folder, nplurals = LANGUAGES[language]
    header, *entries = catalog(language)
    assert header.msgid == ""
    assert f"Language: {folder}\n" in header.msgstr[0]
    assert "Content-Type: text/plain; charset=UTF-8\n" in header.msgstr[0]
    assert f"Plural-Forms: nplurals={nplurals};" in header.msgstr[0]
    assert "fuzzy" not in header.flags
    assert entries
    problems = []
    for e in entries:
        if e.obsolete:
            continue
        forms = [e.msgstr[i] for i in sorted(e.msgstr)]
        want = len(forms) == (nplurals if e.msgid_plural is not None else 1)
        source = sorted(set(PLACEHOLDER.findall(e.msgid_plural or e.msgid)))
        if "fuzzy" in e.flags or not want or not all(forms):
            problems.append(f"untranslated or fuzzy: {e.msgid!r}")
        elif any(sorted(set(PLACEHOLDER.findall(f))) != source for f in forms):
            problems.append(f"placeholders or markup differ: {e.msgid!r}")
    assert problems == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_it_ships_compiled_catalogs_that_match_the_po_files(language: str) -> None:
    folder, _ = LANGUAGES[language]
    with (LOCALE / folder / "LC_MESSAGES" / "django.mo").open("rb") as mo:
        compiled = gettext.GNUTranslations(mo)
    stale = []
    for e in catalog(language)[1:]:
        if e.obsolete:
            continue
        if e.msgid_plural is None:
            ok = compiled.gettext(e.msgid) == e.msgstr[0]
        else:
            ok = all(
                compiled.ngettext(e.msgid, e.msgid_plural, n) == e.msgstr[compiled.plural(n)]  # type: ignore[attr-defined]
                for n in range(0, 30)
            )
        if not ok:
            stale.append(e.msgid)
    assert stale == [], "run `make messages` to recompile the .mo files"


def marked_strings() -> set[str]:
    """Return the literal strings marked in Python code and in {% translate %} tags."""
    found = set()
    for path in SRC.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in {"_", "gettext", "gettext_lazy", "ngettext", "ngettext_lazy"}
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.add(node.args[0].value)
    tag = re.compile(r"""\{%\s*(?:translate|trans)\s+(["'])(.*?)\1""")
    for path in [*SRC.rglob("templates/**/*.html"), *SRC.rglob("templates/**/*.txt")]:
        found.update(m.group(2) for m in tag.finditer(path.read_text(encoding="utf-8")))
    return found


def test_it_has_every_marked_string_in_the_catalogs() -> None:
    marked = marked_strings()
    assert "Log in to Amity" in marked
    for language in LANGUAGES:
        msgids = {e.msgid for e in catalog(language) if not e.obsolete}
        missing = sorted(marked - msgids)
        assert missing == [], f"{language}: run `make messages` and translate {missing}"
