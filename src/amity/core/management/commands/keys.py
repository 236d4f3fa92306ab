"""`amity keys status|rotate`: see and rotate each workspace's encryption key."""

from __future__ import annotations

import sys
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amity.core import keys
from amity.core.models import Workspace


class Command(BaseCommand):
    help = "Encryption keys: `status`, or `rotate` to re-encrypt sealed values under a new key."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        status = sub.add_parser("status", help="key versions and rows still on an old key")
        status.add_argument("--workspace", default="", metavar="SLUG")
        rotate = sub.add_parser(
            "rotate",
            help="add a key version and re-encrypt online; rerun to finish an interrupted run",
        )
        rotate.add_argument("--workspace", default="", metavar="SLUG")
        rotate.add_argument("--batch", type=int, default=1000, help="rows per transaction")

    def _workspaces(self, slug: str) -> list[Workspace]:
        workspaces = Workspace.objects.order_by("pk")
        if slug:
            workspaces = workspaces.filter(slug=slug)
            if not workspaces.exists():
                raise CommandError(f"No workspace {slug!r}.")
        return list(workspaces)

    def handle(self, *args: Any, **options: Any) -> None:
        workspaces = self._workspaces(options["workspace"])
        if options["action"] == "status":
            self._status(workspaces)
        else:
            self._rotate(workspaces, max(1, options["batch"]))

    def _status(self, workspaces: list[Workspace]) -> None:
        for workspace in workspaces:
            s = keys.status(workspace)
            destroyed = f", destroyed: {s.destroyed}" if s.destroyed else ""
            self.stdout.write(
                f"{s.workspace}: encryption key v{s.encryption_version} "
                f"(versions {s.versions}{destroyed}), blind index key v{s.index_version}, "
                f"rows on old key: {s.rows_on_old_key}"
            )

    def _rotate(self, workspaces: list[Workspace], batch: int) -> None:
        total_left = 0
        failed = False
        for workspace in workspaces:
            started = time.monotonic()

            def progress(r: keys.RotationResult) -> None:
                self.stdout.write(f"  {r.workspace}: {r.rewritten} rows re-encrypted")

            result = keys.rotate(workspace, batch_size=batch, progress=progress)
            if result.errors:
                failed = True
                self.stderr.write(f"{workspace.slug}: skipped, {'; '.join(result.errors)}")
                continue
            verb = "finishing the rotation to" if result.resumed else "rotated to"
            self.stdout.write(
                f"{workspace.slug}: {verb} key v{result.version}: {result.rewritten} rows "
                f"re-encrypted, {result.skipped} changed meanwhile, "
                f"{result.unreadable} unreadable, in {time.monotonic() - started:.1f} s"
            )
            total_left += result.left
        self.stdout.write(f"rows on old key: {total_left}")
        if total_left:
            self.stdout.write("Run `amity keys rotate` again to finish.")
        if failed:
            sys.exit(1)
