from __future__ import annotations

from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "amity.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from amity.core import tasks
        from amity.sales import panels, purge, quotes, search

        search.register()
        panels.register()
        purge.register()
        panels.register_scores()
        tasks.register_sweep(quotes.expire_due)
