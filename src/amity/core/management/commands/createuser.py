"""`amity createuser`: add someone to a workspace with a role."""

from __future__ import annotations

import getpass
import sys
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.core.validators import validate_email
from django.db import transaction

from amity.core import services
from amity.core.models import Role, Team, User, Workspace


class Command(BaseCommand):
    help = "Create a user (or reuse one by email) and give them a role in a workspace."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True)
        parser.add_argument("--workspace", required=True, metavar="SLUG")
        parser.add_argument("--role", required=True, help="a role key, e.g. admin or sales")
        parser.add_argument("--name", default="", help="full name")
        parser.add_argument("--team", default="", help="team name (created if missing)")
        parser.add_argument(
            "--password-stdin",
            action="store_true",
            help="read the password from the first line of standard input",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        email = options["email"].strip().lower()
        try:
            validate_email(email)
        except ValidationError as exc:
            raise CommandError(f"Not an email address: {email!r}") from exc
        workspace = Workspace.objects.filter(slug=options["workspace"]).first()
        if workspace is None:
            raise CommandError(
                f"No workspace {options['workspace']!r}. "
                "Create it first: amity createworkspace NAME --slug SLUG"
            )
        roles = dict(Role.objects.filter(workspace=workspace).values_list("key", "name"))
        if options["role"] not in roles:
            raise CommandError(
                f"No role {options['role']!r} in {workspace.slug}; choose from: "
                + ", ".join(sorted(roles))
            )
        user = User.objects.filter(email=email).first()
        password = None
        if user is None:
            password = self._password(options["password_stdin"], email, options["name"])
        with transaction.atomic():
            team = None
            if options["team"]:
                team, _ = Team.objects.get_or_create(workspace=workspace, name=options["team"])
            if user is None:
                user = User.objects.create_user(email, password, full_name=options["name"])
                self.stdout.write(f"Created user {email}.")
            services.add_member(workspace, user, options["role"], team=team)
        self.stdout.write(f"{email} is {roles[options['role']]} in {workspace.name}.")

    def _password(self, from_stdin: bool, email: str, name: str) -> str | None:
        if from_stdin:
            password = sys.stdin.readline().rstrip("\r\n")
        elif sys.stdin.isatty():
            password = getpass.getpass("Password: ")
            if password != getpass.getpass("Password (again): "):
                raise CommandError("The passwords do not match.")
        else:
            self.stderr.write("No password set: the user must reset it before logging in.")
            return None
        try:
            validate_password(password, User(email=email, full_name=name))
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        return password
