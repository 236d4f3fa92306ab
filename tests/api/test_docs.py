"""The OpenAPI schema at /api/v1/openapi.json and the docs page at /api/v1/docs."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

OPERATIONS = {
    "companies_list": ("get", "/api/v1/companies"),
    "companies_create": ("post", "/api/v1/companies"),
    "companies_get": ("get", "/api/v1/companies/{id}"),
    "companies_update": ("patch", "/api/v1/companies/{id}"),
    "companies_delete": ("delete", "/api/v1/companies/{id}"),
    "companies_restore": ("post", "/api/v1/companies/{id}/restore"),
    "companies_reveal": ("post", "/api/v1/companies/{id}/reveal"),
    "people_list": ("get", "/api/v1/people"),
    "people_create": ("post", "/api/v1/people"),
    "people_get": ("get", "/api/v1/people/{id}"),
    "people_update": ("patch", "/api/v1/people/{id}"),
    "people_delete": ("delete", "/api/v1/people/{id}"),
    "people_restore": ("post", "/api/v1/people/{id}/restore"),
    "people_reveal": ("post", "/api/v1/people/{id}/reveal"),
    "people_changes": ("get", "/api/v1/people/{id}/changes"),
    "companies_changes": ("get", "/api/v1/companies/{id}/changes"),
    "custom_fields_list": ("get", "/api/v1/custom-fields"),
    "custom_fields_create": ("post", "/api/v1/custom-fields"),
    "custom_fields_update": ("patch", "/api/v1/custom-fields/{id}"),
    "custom_fields_delete": ("delete", "/api/v1/custom-fields/{id}"),
    "people_export": ("get", "/api/v1/people/export"),
    "companies_export": ("get", "/api/v1/companies/export"),
    "people_vcard": ("get", "/api/v1/people/{id}/vcard"),
    "people_privacy_export": ("get", "/api/v1/people/{id}/privacy-export"),
    "people_erase": ("post", "/api/v1/people/{id}/erase"),
    "people_timeline": ("get", "/api/v1/people/{id}/timeline"),
    "companies_timeline": ("get", "/api/v1/companies/{id}/timeline"),
    "notes_create": ("post", "/api/v1/notes"),
    "notes_get": ("get", "/api/v1/notes/{id}"),
    "notes_update": ("patch", "/api/v1/notes/{id}"),
    "notes_delete": ("delete", "/api/v1/notes/{id}"),
    "notifications_list": ("get", "/api/v1/notifications"),
    "notifications_read": ("post", "/api/v1/notifications/{id}/read"),
    "tasks_list": ("get", "/api/v1/tasks"),
    "tasks_create": ("post", "/api/v1/tasks"),
    "tasks_get": ("get", "/api/v1/tasks/{id}"),
    "tasks_update": ("patch", "/api/v1/tasks/{id}"),
    "tasks_delete": ("delete", "/api/v1/tasks/{id}"),
    "tasks_complete": ("post", "/api/v1/tasks/{id}/complete"),
    "tasks_reopen": ("post", "/api/v1/tasks/{id}/reopen"),
    "events_list": ("get", "/api/v1/events"),
    "events_create": ("post", "/api/v1/events"),
    "events_get": ("get", "/api/v1/events/{id}"),
    "events_update": ("patch", "/api/v1/events/{id}"),
    "events_delete": ("delete", "/api/v1/events/{id}"),
    "calendar_feed_reset": ("post", "/api/v1/calendar/feed"),
    "tasks_restore": ("post", "/api/v1/tasks/{id}/restore"),
    "notifications_read_all": ("post", "/api/v1/notifications/read-all"),
    "reminders_list": ("get", "/api/v1/reminders"),
    "reminders_create": ("post", "/api/v1/reminders"),
    "reminders_get": ("get", "/api/v1/reminders/{id}"),
    "reminders_delete": ("delete", "/api/v1/reminders/{id}"),
    "scheduled_emails_list": ("get", "/api/v1/people/{id}/scheduled-emails"),
    "scheduled_emails_create": ("post", "/api/v1/people/{id}/scheduled-emails"),
    "scheduled_emails_get": ("get", "/api/v1/scheduled-emails/{id}"),
    "scheduled_emails_update": ("patch", "/api/v1/scheduled-emails/{id}"),
    "scheduled_emails_cancel": ("delete", "/api/v1/scheduled-emails/{id}"),
    "notification_preferences_get": ("get", "/api/v1/notification-preferences"),
    "notification_preferences_update": ("patch", "/api/v1/notification-preferences"),
    "search": ("get", "/api/v1/search"),
    "saved_views_list": ("get", "/api/v1/saved-views"),
    "saved_views_create": ("post", "/api/v1/saved-views"),
    "saved_views_get": ("get", "/api/v1/saved-views/{id}"),
    "saved_views_update": ("patch", "/api/v1/saved-views/{id}"),
    "saved_views_delete": ("delete", "/api/v1/saved-views/{id}"),
    "people_bulk": ("post", "/api/v1/people/bulk"),
    "companies_bulk": ("post", "/api/v1/companies/bulk"),
    "bulk_jobs_get": ("get", "/api/v1/bulk-jobs/{id}"),
    "tags_list": ("get", "/api/v1/tags"),
    "tags_update": ("patch", "/api/v1/tags/{id}"),
    "tags_delete": ("delete", "/api/v1/tags/{id}"),
    "deals_create": ("post", "/api/v1/deals"),
    "deals_delete": ("delete", "/api/v1/deals/{id}"),
    "deals_get": ("get", "/api/v1/deals/{id}"),
    "deals_history": ("get", "/api/v1/deals/{id}/history"),
    "deals_list": ("get", "/api/v1/deals"),
    "deals_move": ("post", "/api/v1/deals/{id}/move"),
    "deals_update": ("patch", "/api/v1/deals/{id}"),
    "leads_convert": ("post", "/api/v1/leads/{id}/convert"),
    "leads_create": ("post", "/api/v1/leads"),
    "leads_get": ("get", "/api/v1/leads/{id}"),
    "leads_import": ("post", "/api/v1/leads/import"),
    "leads_list": ("get", "/api/v1/leads"),
    "leads_update": ("patch", "/api/v1/leads/{id}"),
    "assignment_rules_list": ("get", "/api/v1/assignment-rules"),
    "assignment_rules_create": ("post", "/api/v1/assignment-rules"),
    "assignment_rules_update": ("patch", "/api/v1/assignment-rules/{id}"),
    "assignment_rules_delete": ("delete", "/api/v1/assignment-rules/{id}"),
    "classification_rules_list": ("get", "/api/v1/classification-rules"),
    "classification_rules_create": ("post", "/api/v1/classification-rules"),
    "classification_rules_update": ("patch", "/api/v1/classification-rules/{id}"),
    "classification_rules_delete": ("delete", "/api/v1/classification-rules/{id}"),
    "scoring_rules_list": ("get", "/api/v1/scoring-rules"),
    "scoring_rules_create": ("post", "/api/v1/scoring-rules"),
    "scoring_rules_update": ("patch", "/api/v1/scoring-rules/{id}"),
    "scoring_rules_delete": ("delete", "/api/v1/scoring-rules/{id}"),
    "deals_people_list": ("get", "/api/v1/deals/{id}/people"),
    "deals_people_add": ("post", "/api/v1/deals/{id}/people"),
    "deal_people_update": ("patch", "/api/v1/deal-people/{id}"),
    "deal_people_delete": ("delete", "/api/v1/deal-people/{id}"),
    "pipelines_board": ("get", "/api/v1/pipelines/{id}/board"),
    "pipelines_list": ("get", "/api/v1/pipelines"),
    "imports_create": ("post", "/api/v1/imports"),
    "imports_get": ("get", "/api/v1/imports/{id}"),
    "imports_errors": ("get", "/api/v1/imports/{id}/errors"),
    "imports_cancel": ("post", "/api/v1/imports/{id}/cancel"),
    "duplicates_list": ("get", "/api/v1/duplicates"),
    "duplicates_dismiss": ("post", "/api/v1/duplicates/{id}/dismiss"),
    "people_merge": ("post", "/api/v1/people/{id}/merge"),
    "companies_merge": ("post", "/api/v1/companies/{id}/merge"),
    "merges_get": ("get", "/api/v1/merges/{id}"),
    "merges_undo": ("post", "/api/v1/merges/{id}/undo"),
    "products_list": ("get", "/api/v1/products"),
    "products_create": ("post", "/api/v1/products"),
    "products_get": ("get", "/api/v1/products/{id}"),
    "products_update": ("patch", "/api/v1/products/{id}"),
    "products_delete": ("delete", "/api/v1/products/{id}"),
    "price_lists_list": ("get", "/api/v1/price-lists"),
    "price_lists_create": ("post", "/api/v1/price-lists"),
    "price_lists_get": ("get", "/api/v1/price-lists/{id}"),
    "price_lists_update": ("patch", "/api/v1/price-lists/{id}"),
    "price_lists_set_price": ("post", "/api/v1/price-lists/{id}/prices"),
    "quotes_list": ("get", "/api/v1/quotes"),
    "quotes_create": ("post", "/api/v1/deals/{id}/quotes"),
    "quotes_get": ("get", "/api/v1/quotes/{id}"),
    "quotes_update": ("patch", "/api/v1/quotes/{id}"),
    "quotes_delete": ("delete", "/api/v1/quotes/{id}"),
    "quotes_pdf": ("get", "/api/v1/quotes/{id}/pdf"),
    "quotes_send": ("post", "/api/v1/quotes/{id}/send"),
    "quotes_reissue": ("post", "/api/v1/quotes/{id}/reissue"),
}


@pytest.fixture
def schema(db: None) -> dict[str, Any]:
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    data: dict[str, Any] = json.loads(response.content)
    return data


def test_it_names_every_operation(schema: dict[str, Any]) -> None:
    found = {
        op["operationId"]: (method, path)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    }
    assert found == OPERATIONS


def test_every_operation_declares_its_errors_in_the_one_shape(schema: dict[str, Any]) -> None:
    for path, methods in schema["paths"].items():
        for method, op in methods.items():
            responses = op["responses"]
            assert {"401", "422"} <= set(responses), (method, path)
            assert op["security"] == [{"TokenAuth": []}]
            for status, answer in responses.items():
                if status.startswith(("4", "5")):
                    ref = answer["content"]["application/json"]["schema"]["$ref"]
                    assert ref == "#/components/schemas/ErrorOut", (method, path, status)
            if "{id}" in path:
                names = [p["name"] for p in op["parameters"] if p["in"] == "path"]
                assert names == ["id"]
            if method in ("patch", "delete"):
                assert {"412", "428"} <= set(responses)
                assert "If-Match" in [p["name"] for p in op["parameters"]]


def test_request_bodies_refuse_unknown_fields(schema: dict[str, Any]) -> None:
    components = schema["components"]["schemas"]
    for name in (
        "CompanyCreate",
        "CompanyPatch",
        "PersonCreate",
        "PersonPatch",
        "RevealIn",
        "CompanyRevealIn",
    ):
        assert components[name]["additionalProperties"] is False, name
        assert not {"id", "workspace", "version"} & set(components[name]["properties"])


def test_the_docs_page_loads_its_own_scripts_under_the_csp(db: None) -> None:
    response = Client().get("/api/v1/docs")
    assert response.status_code == 200
    # The site-wide policy is enough: Swagger UI's scripts are static files, its
    # settings are a JSON block (not executed) and React sets styles through the DOM.
    csp = response["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"].split()[0] == "'self'"
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    html = response.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "<script>" not in html  # only src= scripts and the JSON settings block


@pytest.mark.browser
def test_the_docs_page_renders_in_chromium_without_csp_violations(page: Any) -> None:
    page.goto("/api/v1/docs")
    # Swagger UI parses the whole spec before drawing a block: >10 s on a loaded 2-core box.
    page.wait_for_selector(".opblock", timeout=30_000)
    assert page.locator(".opblock").count() == len(OPERATIONS)
