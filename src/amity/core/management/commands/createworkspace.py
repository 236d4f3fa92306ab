"""`amity createworkspace NAME [--slug S]`: create a workspace with the shipped roles."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.text import slugify

from amity.core import services
from amity.core.models import Workspace


class Command(BaseCommand):
    help = "Create a workspace with the shipped roles and its own encryption keys."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name")
        parser.add_argument("--slug", default="", help="URL-safe id (default: from the name)")

    def handle(self, *args: Any, **options: Any) -> None:
        name = options["name"].strip()
        slug = slugify(options["slug"] or name)[:60]
        if not name or not slug:
            raise CommandError("Give the workspace a name with letters or digits.")
        if Workspace.objects.filter(slug=slug).exists():
            raise CommandError(f"A workspace with the slug {slug!r} exists already.")
        workspace = services.create_workspace(name, slug)
        self.stdout.write(f"Created workspace {workspace.name} (slug: {workspace.slug}).")
