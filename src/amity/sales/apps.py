from __future__ import annotations

from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "amity.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from amity.sales import panels, purge, search

        search.register()
        panels.register()
        purge.register()
        panels.register_scores()
