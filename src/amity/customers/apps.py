from __future__ import annotations

from django.apps import AppConfig


class CustomersConfig(AppConfig):
    name = "amity.customers"
    label = "customers"
    verbose_name = "Customers"

    def ready(self) -> None:
        from amity.core import keys

        # Values sealed by customers.services with crypto.seal(..., "person", field, ...).
        keys.register("customers.Person", "person", ("national_id", "bank_account"))
        # Sensitive custom field values, sealed by customers.custom_fields.
        keys.register("customers.CustomSecret", "custom", ("value",))
        from amity.customers import privacy, search

        search.register()
        # The person record's own data-subject sections.
        privacy.register_own_sections()
        from amity.customers import merge_panels

        # The first users of the record page's panel registry.
        merge_panels.register()
        from amity.customers import email_tracking, timeline

        timeline.register_forget(email_tracking.forget)
        privacy.register("email_tracking", email_tracking.export, email_tracking.erase)
