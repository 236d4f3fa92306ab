"""`amity token create EMAIL`: print a new API token for a member."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from amity.core import services
from amity.core.models import Membership


class Command(BaseCommand):
    help = "Manage API tokens. `create EMAIL` prints a new token once; only its hash is kept."

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="create a token acting as EMAIL")
        create.add_argument("email")
        create.add_argument("--workspace", default="", metavar="SLUG")
        create.add_argument("--name", default="Command line")

    def handle(self, *args: Any, **options: Any) -> None:
        memberships = Membership.objects.select_related("workspace", "user", "role").filter(
            user__email=options["email"].strip().lower(), is_active=True, user__is_active=True
        )
        if options["workspace"]:
            memberships = memberships.filter(workspace__slug=options["workspace"])
        found = list(memberships[:2])
        if not found:
            raise CommandError("No active member with that email (in that workspace).")
        if len(found) > 1:
            raise CommandError("That user is in several workspaces: add --workspace SLUG.")
        _, raw = services.create_token(found[0], options["name"])
        self.stdout.write(raw)
