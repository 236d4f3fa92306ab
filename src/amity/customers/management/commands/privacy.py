"""`amity privacy reapply-erasures`: erase again whoever a restored backup brought back."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from amity.customers import privacy


class Command(BaseCommand):
    help = "Data-subject rights. reapply-erasures: replay the erasure ledger after a restore."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("reapply-erasures", help="Anonymise again every person in the ledger.")

    def handle(self, *args: Any, **options: Any) -> None:
        count = privacy.reapply_erasures()
        noun = "person" if count == 1 else "people"
        self.stdout.write(f"Re-erased {count} {noun}.")
