"""`amity search reindex [--workspace SLUG]`: rebuild the global search index."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from amity.core import search
from amity.core.models import Workspace


class Command(BaseCommand):
    help = "Global search: `reindex` rebuilds the index (after imports or restores)."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        reindex = sub.add_parser("reindex", help="rebuild every entry from the records")
        reindex.add_argument("--workspace", default="", metavar="SLUG")
        reindex.add_argument("--batch", type=int, default=1000, help="records per batch")

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = Workspace.objects.order_by("pk")
        if options["workspace"]:
            workspaces = workspaces.filter(slug=options["workspace"])
            if not workspaces.exists():
                raise CommandError(f"No workspace {options['workspace']!r}.")
        for workspace in workspaces:
            with transaction.atomic():
                count = search.reindex(workspace.pk, batch=max(1, options["batch"]))
            self.stdout.write(f"{workspace.slug}: {count} records indexed")
