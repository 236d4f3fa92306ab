from __future__ import annotations

from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "amity.web"
    label = "web"
    verbose_name = "Web"

    def ready(self) -> None:
        from amity.web import scoring_hooks

        scoring_hooks.register()
