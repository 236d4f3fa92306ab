"""`amity demo`: load demo workspaces, users and customers (idempotent)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from amity.web import demo


class Command(BaseCommand):
    help = "Create the demo workspaces (Acme Demo, Globex Demo) unless they exist."

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.monotonic()
        result = demo.load()
        for name in result.created:
            self.stdout.write(f"Created the demo workspace {name}.")
        for name in result.existing:
            self.stdout.write(f"The demo workspace {name} exists already: left as it is.")
        if result.created:
            self.stdout.write(f"Done in {time.monotonic() - started:.1f} s.")
        self.stdout.write(f"\nDemo logins (password: {demo.DEMO_PASSWORD}):")
        for workspace, email, role in result.logins:
            self.stdout.write(f"  {email:<36} {role:<10} {workspace}")
