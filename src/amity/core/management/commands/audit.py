"""`amity audit verify`: recompute every audit chain and report any break."""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from amity.core import audit
from amity.core.models import AuditEvent


class Command(BaseCommand):
    help = "Check the audit log. `verify` exits 1 and lists each problem when a chain is broken."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="recompute the hash chains")

    def handle(self, *args: Any, **options: Any) -> None:
        problems = audit.verify()
        if problems:
            for problem in problems:
                self.stderr.write(f"BROKEN: {problem}")
            self.stderr.write(f"{len(problems)} problem(s) found in the audit log.")
            sys.exit(1)
        events = AuditEvent.objects.count()
        chains = AuditEvent.objects.values("chain").distinct().count()
        self.stdout.write(f"OK: {events} events in {chains} chains")
