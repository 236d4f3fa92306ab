"""TESTPLAN S1 for HTML views: every route × role × target gives the expected answer."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from amity.customers import services as customers
from tests.authz import subjects
from tests.authz.conftest import html_client, make_record, normalised, record_pk, reload
from tests.authz.matrix import ROLES, TARGETS, Rule, Target, expected
from tests.conftest import World

API_NAMESPACE = "api"  # checked by the API matrix, from the OpenAPI schema
ANY_ANSWER = frozenset({200, 302, 404})


def _company_form(record: Any) -> dict[str, Any]:
    return {"version": record.version if record else 1, "name": "Changed by the matrix"}


def _person_form(record: Any) -> dict[str, Any]:
    return {"version": record.version if record else 1, "last_name": "Changed by the matrix"}


def _reveal_form(record: Any) -> dict[str, Any]:
    return {"fields": "national_id", "reason": "authorization matrix"}


def _post(kind: Any, **kw: Any) -> Rule:
    return Rule(kind, method="POST", **kw)


HTML_RULES: dict[str, Rule] = {
    "healthz": Rule("public"),
    "web:home": Rule("member"),
    "web:search": Rule("member", url=lambda w: "/search/?q=matrix"),
    "set_language": _post("public", data=lambda r: {"language": "en"}),
    # Logging in, out, and recovering an account.
    "core:login": Rule("public"),
    "core:login_verify": Rule("public"),
    "core:logout": _post("public"),
    "core:password_reset": Rule("public"),
    "core:password_reset_done": Rule("public"),
    "core:password_reset_confirm": Rule(
        "public", url=lambda w: "/password-reset/MQ/bad-token/", ok=ANY_ANSWER
    ),
    "core:password_reset_complete": Rule("public"),
    "core:accept_invitation": Rule(
        "public", url=lambda w: "/invitations/not-a-token/", ok=ANY_ANSWER
    ),
    # The user's own account.
    "core:account": Rule("member"),
    "core:change_email": _post("member"),
    "core:change_password": _post("member"),
    "core:end_other_sessions": _post("member"),
    "core:two_factor_setup": Rule("member"),
    "core:two_factor_disable": _post("member"),
    # Without a second factor there are no recovery codes to renew: 403 for everyone.
    "core:recovery_codes": _post("member", ok=frozenset({200, 302, 403})),
    "core:create_token": _post("member", data=lambda r: {"name": "matrix"}),
    "core:revoke_token": _post("own_object", subject=subjects.token),
    "core:switch_workspace": Rule("member"),
    # Workspace administration.
    "core:members": Rule("admin"),
    "core:invite": _post("admin"),
    "core:member_update": _post("admin_object", subject=subjects.member),
    "core:member_deactivate": _post("admin_object", subject=subjects.member),
    "core:member_reactivate": _post("admin_object", subject=subjects.member),
    "core:member_end_sessions": _post("admin_object", subject=subjects.member),
    "core:revoke_invitation": _post("admin_object", subject=subjects.invitation),
    "core:team_create": _post("admin", data=lambda r: {"name": "Matrix team"}),
    "core:team_rename": _post("admin_object", subject=subjects.team),
    "core:roles": Rule("admin"),
    "core:role_edit": Rule("admin_object", subject=subjects.role),
    "core:workspace_settings": Rule("admin"),
    "core:audit_log": Rule("audit"),
    "core:audit_export": Rule("admin"),
    # Companies.
    "customers:company_list": Rule("member"),
    "customers:company_options": Rule("member"),
    "customers:company_create": Rule("create", obj="company"),
    "customers:company_detail": Rule("record", obj="company"),
    "customers:company_edit": _post(
        "record", obj="company", action="edit", data=_company_form, mutates=True
    ),
    "customers:company_delete": _post("record", obj="company", action="delete", mutates=True),
    "customers:company_reveal": _post("record", obj="company", action="reveal", data=_reveal_form),
    "customers:company_history": Rule("record_audit", obj="company"),
    "customers:company_changes": Rule("record", obj="company"),
    "customers:company_restore": _post("trashed", obj="company", action="delete", mutates=True),
    # People.
    "customers:person_list": Rule("member"),
    "customers:person_create": Rule("create", obj="person"),
    "customers:person_detail": Rule("record", obj="person"),
    "customers:person_edit": _post(
        "record", obj="person", action="edit", data=_person_form, mutates=True
    ),
    "customers:person_delete": _post("record", obj="person", action="delete", mutates=True),
    "customers:person_reveal": _post("record", obj="person", action="reveal", data=_reveal_form),
    "customers:person_history": Rule("record_audit", obj="person"),
    "customers:person_changes": Rule("record", obj="person"),
    "customers:custom_fields": Rule("admin"),
    "customers:custom_field_edit": Rule("admin_object", subject=subjects.custom_field_pk),
    "customers:person_restore": _post("trashed", obj="person", action="delete", mutates=True),
    "customers:trash": Rule("deleters"),
    # Timelines, notes and notifications.
    "customers:person_timeline": Rule("record", obj="person"),
    "customers:company_timeline": Rule("record", obj="company"),
    "activities:person_note_create": _post(
        "note_create", obj="person", data=lambda r: {"body": "A matrix note"}
    ),
    "activities:company_note_create": _post(
        "note_create", obj="company", data=lambda r: {"body": "A matrix note"}
    ),
    "activities:note_edit": Rule("note", action="edit", subject=subjects.note),
    "activities:note_delete": _post("note", action="delete", subject=subjects.note),
    "core:notifications": Rule("member"),
    "core:notifications_read_all": _post("member"),
    "core:notification_read": _post("own_object", subject=subjects.notification),
    # Calls and meetings.
    "activities:person_log": _post(
        "note_create", obj="person", data=lambda r: {"kind": "call", "outcome": "busy"}
    ),
    "activities:company_log": _post(
        "note_create", obj="company", data=lambda r: {"kind": "meeting", "outcome": "held"}
    ),
    # The calendar.
    "activities:calendar": Rule("member"),
    "activities:event_create": Rule("task_writers"),
    "activities:event_edit": Rule("task", subject=subjects.event),
    "activities:event_move": _post(
        "task", action="edit", subject=subjects.event, data=lambda r: {"start": "x"}
    ),
    "activities:event_resize": _post(
        "task", action="edit", subject=subjects.event, data=lambda r: {"end": "x"}
    ),
    "activities:working_hours": Rule("member"),
    # Calendar interop: the secret feed URL (no login), subscribing, importing, cancelling.
    "activities:calendar_feed": Rule(
        "public", url=lambda w: "/calendar/feed/cal_not-a-secret.ics", ok=ANY_ANSWER
    ),
    "activities:calendar_settings": Rule("member"),
    "activities:calendar_feed_reset": _post("member"),
    "activities:calendar_feed_off": _post("member"),
    "activities:calendar_import": _post("task_writers"),
    "activities:attendee_options": Rule(
        "member", url=lambda w: "/calendar/attendees/options/?person_q=a"
    ),
    "activities:event_delete": _post(
        "task", action="delete", subject=subjects.event, data=lambda r: {"version": "1"}
    ),
    # Tasks.
    "activities:my_day": Rule("member"),
    "activities:team_tasks": Rule("member"),
    "activities:task_list": Rule("member"),
    "activities:alert_settings": Rule("member"),
    "activities:task_create": Rule("task_writers"),
    "activities:task_reassign": _post("task_writers", data=lambda r: {"tasks": "1", "owner": "1"}),
    "activities:task_edit": Rule("task", subject=subjects.task),
    "activities:task_complete": _post("task", action="edit", subject=subjects.task),
    "activities:task_reopen": _post("task", action="edit", subject=subjects.task),
    "activities:task_cancel": _post("task", action="edit", subject=subjects.task),
    "activities:task_delete": _post("task", action="delete", subject=subjects.task),
    # Reminders, scheduled emails, the task trash and editing logged calls.
    "activities:person_remind": _post("record", obj="person", data=lambda r: {"preset": "hour"}),
    "activities:company_remind": _post(
        "record", obj="company", data=lambda r: {"preset": "tomorrow"}
    ),
    "activities:my_reminders": Rule("member"),
    "activities:reminder_cancel": _post("own_object", subject=subjects.reminder),
    "activities:event_reminders": _post(
        "task", action="edit", subject=subjects.event, data=lambda r: {"offsets": ["10"]}
    ),
    "activities:person_schedule_email": _post(
        "note_create",
        subject=subjects.consenting_person,
        data=lambda r: {"subject": "Hi", "body": "Hello", "send_at": subjects.in_a_month()[:16]},
    ),
    "activities:scheduled_email_edit": Rule(
        "note", action="edit", subject=subjects.scheduled_email
    ),
    "activities:scheduled_email_cancel": _post(
        "note", action="delete", subject=subjects.scheduled_email
    ),
    "activities:task_trash": Rule("member"),
    "activities:task_restore": _post("task", action="delete", subject=subjects.trashed_task),
    "activities:interaction_edit": Rule("note", action="edit", subject=subjects.interaction),
    "activities:interaction_delete": _post("note", action="delete", subject=subjects.interaction),
    # Exports and data-subject rights.
    "customers:person_export": Rule("exporters"),
    "customers:company_export": Rule("exporters"),
    "customers:export_job": Rule("own_object", subject=subjects.export_job),
    "customers:export_download": Rule("own_object", subject=subjects.export_job),
    "customers:person_vcard": Rule("record", obj="person"),
    "customers:person_privacy_export": Rule("record", obj="person", action="privacy"),
    "customers:person_view_save": _post("member", data=lambda r: {"name": "Matrix view"}),
    "customers:company_view_save": _post("member", data=lambda r: {"name": "Matrix view"}),
    "customers:view_delete": _post("own_object", subject=subjects.saved_view),
    "customers:person_bulk": _post(
        "editors", data=lambda r: {"action": "assign", "scope": "all", "q": "zz-matrix"}
    ),
    "customers:company_bulk": _post(
        "editors", data=lambda r: {"action": "assign", "scope": "all", "q": "zz-matrix"}
    ),
    "customers:bulk_job": Rule("own_object", subject=subjects.bulk_job),
    "customers:tags": Rule("tag_managers"),
    "customers:tag_rename": _post(
        "tag_object", subject=subjects.tag_pk, data=lambda r: {"name": "Renamed by the matrix"}
    ),
    "customers:tag_merge": _post(
        "tag_object", subject=subjects.tag_pk, data=lambda r: {"into": "zz-no-such-tag"}
    ),
    "customers:tag_delete": _post("tag_object", subject=subjects.tag_pk),
    "customers:person_erase": _post(
        "record",
        obj="person",
        action="privacy",
        data=lambda r: {"confirm": r.full_name if r else "x", "reason": "matrix"},
        mutates=True,
    ),
    # Sales: deals on pipeline boards.
    "sales:pipelines": Rule("member"),
    "sales:deal_list": Rule("member"),
    "sales:deal_create": Rule("create", obj="deal"),
    "sales:settings": Rule("admin"),
    "sales:board": Rule("record", obj="pipeline", subject=subjects.pipeline),
    "sales:funnel": Rule("record", obj="pipeline", subject=subjects.pipeline),
    "sales:lead_list": Rule("member"),
    "sales:lead_create": Rule("create", obj="lead"),
    "sales:lead_import": Rule("create", obj="lead"),
    "sales:lead_detail": Rule("record", obj="lead", subject=subjects.lead),
    # Converting also needs person, company and deal create, which every lead editor has.
    "sales:lead_convert": _post(
        "record", obj="lead", action="edit", subject=subjects.lead, data=lambda r: {"version": 1}
    ),
    # Open to anyone; past five posts a minute from one address it answers 429.
    "sales:lead_form": _post(
        "public",
        url=subjects.lead_form,
        data=lambda r: {"last_name": "Matrix"},
        ok=frozenset({200, 429}),
    ),
    "sales:lead_rules": Rule("admin"),
    **{
        f"sales:{kind}_rule_edit": Rule("admin_object", subject=getattr(subjects, f"{kind}_rule"))
        for kind in ("assignment", "classification", "scoring")
    },
    **{
        f"sales:{kind}_rule_delete": _post(
            "admin_object", subject=getattr(subjects, f"{kind}_rule")
        )
        for kind in ("assignment", "classification", "scoring")
    },
    "sales:lead_edit": Rule("record", obj="lead", action="edit", subject=subjects.lead),
    "sales:deal_person_add": _post("record", obj="deal", action="edit", subject=subjects.deal),
    "sales:deal_person_edit": _post(
        "record",
        obj="deal",
        action="edit",
        subject=subjects.deal_person,
        data=lambda r: {"role": "user", "version": 1},
    ),
    "sales:deal_person_remove": _post(
        "record",
        obj="deal",
        action="edit",
        subject=subjects.deal_person,
        data=lambda r: {"version": 1},
    ),
    # Products and price lists: everyone with deals reads them, managers change them.
    "sales:product_list": Rule("member"),
    "sales:product_edit": Rule("record", obj="product", action="edit", subject=subjects.product),
    "sales:price_list_list": Rule("member"),
    "sales:price_list_detail": Rule("record", obj="price_list", subject=subjects.price_list),
    # Quotes: whoever may change the deal quotes on it; quotes follow the deal's owner.
    "sales:quote_create": _post("record", obj="deal", action="edit", subject=subjects.deal),
    "sales:quote_settings": Rule("admin"),
    "sales:quote_detail": Rule("record", obj="quote", subject=subjects.quote),
    "sales:quote_pdf": Rule("record", obj="quote", subject=subjects.quote),
    "sales:quote_send": _post(
        "record",
        obj="quote",
        action="edit",
        subject=subjects.quote,
        data=lambda r: {"to": "buyer@example.test"},
    ),
    "sales:quote_delete": _post(
        "record", obj="quote", action="delete", subject=subjects.quote, data=lambda r: {}
    ),
    "sales:quote_reissue": _post(
        "record", obj="quote", action="edit", subject=subjects.declined_quote, data=lambda r: {}
    ),
    # Anyone holding a sent quote's signed link: the customer's accept / decline page.
    "sales:quote_public": Rule("public", url=subjects.quote_public),
    # Email tracking: anyone holding a sent email's pixel or link (its token); no login.
    "customers:track_open": Rule("public", url=subjects.email_open_pixel),
    "customers:track_click": Rule("public", url=subjects.email_click, ok=frozenset({302})),
    "sales:deal_detail": Rule("record", obj="deal", subject=subjects.deal),
    "sales:deal_edit": Rule("record", obj="deal", action="edit", subject=subjects.deal),
    "sales:deal_move": _post(
        "record", obj="deal", action="edit", subject=subjects.deal, data=lambda r: {"version": 1}
    ),
    "sales:deal_delete": _post(
        "record", obj="deal", action="delete", subject=subjects.deal, data=lambda r: {"version": 1}
    ),
    # Imports: only the member who started one sees it.
    "customers:person_import": Rule("create", obj="person"),
    "customers:company_import": Rule("create", obj="company"),
    "customers:import_list": Rule("member"),
    "customers:import_job": Rule("own_object", subject=subjects.import_job),
    "customers:import_mapping": Rule("own_object", subject=subjects.import_job),
    "customers:import_errors": Rule("own_object", subject=subjects.import_job),
    "customers:import_start": _post("own_object", subject=subjects.import_job),
    "customers:import_cancel": _post("own_object", subject=subjects.import_job),
    "customers:import_retry": _post("own_object", subject=subjects.import_job),
    # Duplicates and merge.
    "customers:duplicates": Rule("member"),
    "customers:duplicates_refresh": _post("member", data=lambda r: {"kind": "company"}),
    "customers:duplicate_dismiss": _post("record", subject=subjects.duplicate_pair),
    "customers:person_merge": Rule("record", obj="person", action="edit"),
    "customers:company_merge": Rule("record", obj="company", action="edit"),
    # Needs edit on the survivor and delete on the merged record: delete in every shipped role.
    "customers:merge_undo": _post("record", action="delete", subject=subjects.merge_id),
}


def _walk(patterns: list[Any], ns: str | None = None) -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        if isinstance(p, URLResolver):
            inner = p.namespace
            yield from _walk(p.url_patterns, f"{ns}:{inner}" if ns and inner else inner or ns)
        elif isinstance(p, URLPattern) and p.name:
            yield (f"{ns}:{p.name}" if ns else p.name), p


def html_routes() -> dict[str, URLPattern]:
    return {
        name: pattern
        for name, pattern in _walk(get_resolver().url_patterns)
        if not name.startswith(f"{API_NAMESPACE}:")
    }


def test_every_route_has_a_matrix_entry() -> None:
    """Fail when a view is added without saying who may use it."""
    missing = sorted(set(html_routes()) - set(HTML_RULES))
    assert missing == [], f"Add these routes to HTML_RULES: {missing}"
    stale = sorted(set(HTML_RULES) - set(html_routes()))
    assert stale == [], f"Remove these entries from HTML_RULES: {stale}"


def _status_class(rule: Rule, status: int) -> str:
    if status in rule.ok:
        return "ok"
    if status == 404:
        return "not_found"
    if status == 403:
        return "forbidden"
    return f"unexpected {status}"


class Case:
    """One request of the matrix: build the target, call the route, look again."""

    def __init__(self, world: World, name: str, rule: Rule) -> None:
        self.world, self.name, self.rule = world, name, rule
        self.pattern = html_routes()[name]
        self.targeted = rule.kind in (
            "record",
            "trashed",
            "record_audit",
            "admin_object",
            "own_object",
            "note_create",
            "note",
            "task",
            "tag_object",
        )

    def targets(self) -> tuple[Target, ...] | list[None]:
        return TARGETS if self.targeted else [None]

    def call(self, user: Any, target: Target | None) -> tuple[str, int, bytes, bool]:
        rule, world = self.rule, self.world
        record = None
        if rule.subject is not None:
            pk = rule.subject(world, user or world.alice, target)  # type: ignore[arg-type]
        elif self.targeted:
            record = make_record(world, rule.obj or "person", user or world.alice, target)  # type: ignore[arg-type]
            if record is not None and rule.kind == "trashed":
                admin = world.mallory if target == "other_workspace" else world.alice
                customers.trash(world.member(admin, record.workspace), record)
            pk = record_pk(record)
        if rule.url is not None:
            url = rule.url(world)
        elif self.pattern.pattern.converters:
            url = reverse(self.name, args=[pk if pk is not None else 987_654_321])
        else:
            url = reverse(self.name)
        before = reload(record)
        client = html_client(user)
        if rule.method == "GET":
            response = client.get(url)
        else:
            body = urlencode(rule.data(record) if rule.data else {}, doseq=True)
            response = client.generic(
                rule.method, url, data=body, content_type="application/x-www-form-urlencoded"
            )
        content = (
            b"".join(response.streaming_content)  # type: ignore[attr-defined]
            if response.streaming
            else response.content
        )
        # Pages echo their own path (e.g. the language form's "next"); that is no oracle.
        content = content.replace(url.encode(), b"<url>")
        return url, response.status_code, content, before != reload(record)


@pytest.mark.parametrize("name", sorted(HTML_RULES))
def test_route(world: World, name: str) -> None:
    rule = HTML_RULES[name]
    case = Case(world, name, rule)
    problems: list[str] = []

    if rule.kind != "public":
        for target in case.targets():
            url, status, _, changed = case.call(None, target)
            if status != 302:
                problems.append(f"anonymous {target} {url}: {status}, want a redirect to login")
            if changed:
                problems.append(f"anonymous {target}: the record changed")

    for role in ROLES:
        bodies: dict[Any, bytes] = {}
        for target in case.targets():
            url, status, body, changed = case.call(getattr(world, role), target)
            got, want = _status_class(rule, status), expected(rule, role, target)
            if got != want:
                problems.append(
                    f"{role} {target} {rule.method} {url}: got {got} ({status}), want {want}"
                )
            if want != "ok" and rule.mutates and changed:
                problems.append(f"{role} {target}: denied, yet the record changed")
            if target in ("other_workspace", "missing"):
                bodies[target] = normalised(body)
        if len(bodies) == 2 and bodies["other_workspace"] != bodies["missing"]:
            problems.append(f"{role}: another workspace's answer differs from a missing record's")

    if case.targeted and rule.subject is None:
        # The admin of another workspace reaches none of acme's records.
        for target in ("own", "other_owner"):
            record = make_record(world, rule.obj or "person", world.alice, target)  # type: ignore[arg-type]
            if rule.kind == "trashed":
                customers.trash(world.member(world.alice), record)  # type: ignore[arg-type]
            url = reverse(name, args=[record_pk(record)])
            before = reload(record)
            client = html_client(world.mallory)
            body = urlencode(rule.data(record) if rule.data else {}, doseq=True)
            response = client.generic(
                rule.method, url, data=body, content_type="application/x-www-form-urlencoded"
            )
            if response.status_code != 404:
                problems.append(f"mallory on acme {target}: {response.status_code}, want 404")
            if reload(record) != before:
                problems.append(f"mallory on acme {target}: the record changed")
    assert problems == []
