"""Companies and people: the customer record every department shares."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.links import record_url
from amity.core.models import MinuteHits, Workspace


class CustomerRecord(models.Model):
    """Fields every customer record has: tenancy, owner, version, trash and bookkeeping."""

    ACCESS_TYPE: ClassVar[str]

    # No index of its own: every query of a record is scoped to the workspace and each
    # (workspace, …) index of Company and Person serves it; one index fewer per imported row.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Stable per-row id bound into encrypted values' associated data.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    deleted_at = models.DateTimeField(null=True, blank=True)
    # deleted_by and merged_into are NULL on nearly every row: their indexes are
    # partial (see _set_only_indexes), which serves `= x` / `IN (…)` lookups and
    # costs a new or imported record nothing.
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        db_index=False,
    )
    # Set when this record was merged into another (it then waits in the trash). No
    # database constraint: the survivor may be purged first, and purging never
    # cascades into another record (the tenant guard would see it).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )
    # The import that created the record, if one did. Its creation then shows on the
    # timeline from the record itself (who, when, which import) instead of a stored
    # entry a record: those cost an import of 100k rows ≈ 2 s on PostgreSQL (the row,
    # its indexes and its foreign keys). Provenance, not a link: no constraint or index.
    import_job = models.ForeignKey(
        "customers.ImportJob",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        editable=False,
        db_index=False,
    )

    billing_street = models.CharField(_("billing street"), max_length=200, blank=True)
    billing_city = models.CharField(_("billing city"), max_length=100, blank=True)
    billing_postal_code = models.CharField(_("billing postal code"), max_length=20, blank=True)
    billing_region = models.CharField(_("billing region"), max_length=100, blank=True)
    billing_country = models.CharField(_("billing country"), max_length=2, blank=True)
    shipping_street = models.CharField(_("shipping street"), max_length=200, blank=True)
    shipping_city = models.CharField(_("shipping city"), max_length=100, blank=True)
    shipping_postal_code = models.CharField(_("shipping postal code"), max_length=20, blank=True)
    shipping_region = models.CharField(_("shipping region"), max_length=100, blank=True)
    shipping_country = models.CharField(_("shipping country"), max_length=2, blank=True)
    other_street = models.CharField(_("other street"), max_length=200, blank=True)
    other_city = models.CharField(_("other city"), max_length=100, blank=True)
    other_postal_code = models.CharField(_("other postal code"), max_length=20, blank=True)
    other_region = models.CharField(_("other region"), max_length=100, blank=True)
    other_country = models.CharField(_("other country"), max_length=2, blank=True)
    # Values of the workspace's custom fields, keyed by CustomField.key; checked by
    # customers.custom_fields against the definitions. Sensitive ones live in CustomSecret.
    custom = models.JSONField(_("custom fields"), default=dict, blank=True)

    class Meta:
        abstract = True


def _set_only_indexes(prefix: str, *names: str) -> list[models.Index]:
    """Index foreign keys that are mostly NULL only where set (`x = …` and `x IN (…)` use it)."""
    return [
        models.Index(
            fields=[name],
            condition=models.Q(**{f"{name}__isnull": False}),
            name=f"{prefix}_{name}_set",
        )
        for name in names
    ]


ADDRESS_KINDS = ("billing", "shipping", "other")
ADDRESS_FIELDS = [
    f"{kind}_{part}"
    for kind in ADDRESS_KINDS
    for part in ("street", "city", "postal_code", "region", "country")
]


class ContactType(models.TextChoices):
    WORK = "work", _("work")
    HOME = "home", _("home")
    MOBILE = "mobile", _("mobile")
    OTHER = "other", _("other")


class Size(models.TextChoices):
    """Employee-count brackets."""

    S1 = "1-10", "1–10"
    S2 = "11-50", "11–50"
    S3 = "51-200", "51–200"
    S4 = "201-500", "201–500"
    S5 = "501-1000", "501–1,000"
    S6 = "1001-5000", "1,001–5,000"
    S7 = "5001+", "5,001+"


class Stage(models.TextChoices):
    LEAD = "lead", _("lead")
    PROSPECT = "prospect", _("prospect")
    CUSTOMER = "customer", _("customer")
    FORMER = "former", _("former customer")


class Company(CustomerRecord):
    ACCESS_TYPE: ClassVar[str] = "company"

    name = models.CharField(_("name"), max_length=200)
    domain = models.CharField(_("domain"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    email = models.EmailField(_("email"), blank=True)
    size = models.CharField(_("size"), max_length=10, choices=Size.choices, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"), max_length=10, choices=Stage.choices, blank=True
    )

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("companies")
        indexes = [
            models.Index(fields=["workspace", "name", "id"], name="company_ws_name"),
            models.Index(fields=["workspace", "owner", "name", "id"], name="company_ws_owner_name"),
            models.Index(fields=["workspace", "created_at", "id"], name="company_ws_created"),
            models.Index(
                fields=["workspace", "owner", "created_at", "id"], name="company_ws_owner_created"
            ),
            models.Index(fields=["workspace", "domain"], name="company_ws_domain"),
            # Counts of a list (up to paging.COUNT_CAP) read this alone, not each row.
            models.Index(
                fields=["workspace", "owner"],
                condition=models.Q(deleted_at__isnull=True),
                name="company_ws_owner_live",
            ),
            *_set_only_indexes("company", "deleted_by", "merged_into"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("customers:company_detail", self.pk)


class Person(CustomerRecord):
    ACCESS_TYPE: ClassVar[str] = "person"
    SENSITIVE_FIELDS: ClassVar[tuple[str, ...]] = ("national_id", "bank_account")

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    title = models.CharField(_("job title"), max_length=120, blank=True)
    company = models.ForeignKey(
        Company,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="people",
        verbose_name=_("company"),
    )
    # The primary email and phone stay in indexed columns (lists, search, duplicates);
    # further ones are a short JSON list [{"value": ..., "type": ...}] read with the row.
    email = models.EmailField(_("email"), blank=True)
    email_type = models.CharField(
        _("email type"), max_length=10, choices=ContactType.choices, default=ContactType.WORK
    )
    alt_email = models.EmailField(_("other email"), blank=True)
    more_emails = models.JSONField(_("more emails"), default=list, blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    phone_type = models.CharField(
        _("phone type"), max_length=10, choices=ContactType.choices, default=ContactType.WORK
    )
    mobile = models.CharField(_("mobile"), max_length=40, blank=True)
    more_phones = models.JSONField(_("more phones"), default=list, blank=True)
    source = models.CharField(_("source"), max_length=100, blank=True)
    email_consent = models.BooleanField(_("consents to email"), default=False)
    email_consent_at = models.DateTimeField(_("email consent changed"), null=True, blank=True)
    messaging_consent = models.BooleanField(_("consents to messaging"), default=False)
    messaging_consent_at = models.DateTimeField(
        _("messaging consent changed"), null=True, blank=True
    )
    # Sealed by core.crypto; `*_bidx` is the keyed hash for exact-match search.
    national_id = models.TextField(_("national ID number"), blank=True)
    national_id_bidx = models.CharField(max_length=32, blank=True)
    bank_account = models.TextField(_("bank account (IBAN)"), blank=True)
    bank_account_bidx = models.CharField(max_length=32, blank=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(
                fields=["workspace", "last_name", "first_name", "id"], name="person_ws_name"
            ),
            models.Index(
                fields=["workspace", "owner", "last_name", "first_name", "id"],
                name="person_ws_owner_name",
            ),
            models.Index(fields=["workspace", "created_at", "id"], name="person_ws_created"),
            models.Index(
                fields=["workspace", "owner", "created_at", "id"], name="person_ws_owner_created"
            ),
            models.Index(fields=["workspace", "email"], name="person_ws_email"),
            # Counts of a list (up to paging.COUNT_CAP) read this alone, not each row.
            models.Index(
                fields=["workspace", "owner"],
                condition=models.Q(deleted_at__isnull=True),
                name="person_ws_owner_live",
            ),
            models.Index(fields=["workspace", "company"], name="person_ws_company"),
            models.Index(fields=["workspace", "national_id_bidx"], name="person_ws_nid_bidx"),
            models.Index(fields=["workspace", "bank_account_bidx"], name="person_ws_iban_bidx"),
            *_set_only_indexes("person", "deleted_by", "merged_into"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def get_absolute_url(self) -> str:
        return record_url("customers:person_detail", self.pk)

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()


class ExportJob(models.Model):
    """A list export too large to build during the request, built by the worker."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Only the member who asked may see or download it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "person" or "company"
    format = models.CharField(max_length=10)  # "csv" or "xlsx"
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    file_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "user", "-created_at"], name="export_ws_user")]

    def __str__(self) -> str:
        return f"{self.kind} export #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class ErasureRecord(models.Model):
    """The ledger of erased people, replayed after a restore; holds no personal data."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    person_uid = models.UUIDField()
    erased_at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    reason = models.CharField(max_length=200, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "person_uid"], name="erasure_unique")
        ]

    def __str__(self) -> str:
        return f"erasure {self.person_uid}"


class TimelineEvent(models.Model):
    """One entry on a customer's timeline: a change, a note, later an email, call or order.

    An entry about a person also carries the person's company at the time, so a
    company's timeline shows its people's entries with one indexed query. The
    module that wrote an entry names itself in `source_*` so it can update or
    remove the entry later.
    """

    class Kind(models.TextChoices):
        NOTE = "note", _("note")
        CHANGE = "change", _("change")
        EMAIL = "email", _("email")
        CALL = "call", _("call")
        MESSAGE = "message", _("message")
        MEETING = "meeting", _("meeting")
        TASK = "task", _("task")
        ORDER = "order", _("order")
        TICKET = "ticket", _("ticket")

    # Covered by the (workspace, …) indexes below; a record's entries are written in
    # bulk by imports, so each index fewer counts.
    workspace = models.ForeignKey(
        Workspace, on_delete=models.CASCADE, related_name="+", db_index=False
    )
    # Purging a record first calls timeline.forget, which removes its entries within
    # the workspace (and keeps its people's entries when a company goes). The
    # database's own foreign key checks use the partial indexes below.
    person = models.ForeignKey(
        Person,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    company = models.ForeignKey(
        Company,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    occurred_at = models.DateTimeField(default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField(default=dict, blank=True)
    source_app = models.CharField(max_length=40, blank=True)
    source_model = models.CharField(max_length=40, blank=True)
    source_id = models.CharField(max_length=40, blank=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "person", "-occurred_at", "-id"], name="timeline_person"
            ),
            models.Index(
                fields=["workspace", "company", "-occurred_at", "-id"], name="timeline_company"
            ),
            models.Index(
                fields=["workspace", "source_app", "source_model", "source_id"],
                name="timeline_source",
            ),
            *_set_only_indexes("timeline", "person", "company"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}: {self.summary}"


class SavedView(models.Model):
    """A named list view (filters, sort, columns) kept for its owner or shared with everyone."""

    ACCESS_TYPE: ClassVar[str] = "savedview"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "person" or "company"
    name = models.CharField(_("name"), max_length=80)
    # The list's query parameters, as the list reads them: q, owner, sort, cols, ...
    params = models.JSONField(default=dict, blank=True)
    shared = models.BooleanField(_("shared with the workspace"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "kind", "name"], name="savedview_ws_kind")]
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "owner", "kind", "name"], name="savedview_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class Tag(models.Model):
    """A label a workspace puts on companies and people, filterable on lists."""

    class Colour(models.TextChoices):
        GREY = "grey", _("grey")
        BLUE = "blue", _("blue")
        GREEN = "green", _("green")
        YELLOW = "yellow", _("yellow")
        RED = "red", _("red")
        PURPLE = "purple", _("purple")

    ACCESS_TYPE: ClassVar[str] = "tag"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=50)
    colour = models.CharField(_("colour"), max_length=10, choices=Colour.choices, default="grey")
    created_at = models.DateTimeField(default=timezone.now)
    # Grows with each rename, for the API's If-Match.
    version = models.PositiveIntegerField(default=1)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["workspace", "name"], name="tag_ws_name")]

    def __str__(self) -> str:
        return self.name


class BulkJob(models.Model):
    """A bulk action on many records, run by the worker when too large for one request."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Only the member who started it may follow it.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "person" or "company"
    action = models.CharField(max_length=20)
    # The target: {"ids": [...]} or {"filters": {...}}, plus the action's arguments.
    params = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0)
    changed = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "user", "-created_at"], name="bulk_ws_user")]

    def __str__(self) -> str:
        return f"{self.kind} {self.action} #{self.pk}"

    @property
    def percent(self) -> int:
        return 100 if not self.total else min(100, self.done * 100 // self.total)


class PersonTag(models.Model):
    # The workspace column keeps the tenant guard and the list filter on one index.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # DO_NOTHING: services delete links within the workspace before a record is purged.
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.DO_NOTHING, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "tag", "person"], name="persontag_unique")
        ]
        indexes = [models.Index(fields=["workspace", "person"], name="persontag_ws_person")]

    def __str__(self) -> str:
        return f"{self.person_id}:{self.tag_id}"


class CompanyTag(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    company = models.ForeignKey(Company, on_delete=models.DO_NOTHING, related_name="tag_links")
    tag = models.ForeignKey(Tag, on_delete=models.DO_NOTHING, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "tag", "company"], name="companytag_unique"
            )
        ]
        indexes = [models.Index(fields=["workspace", "company"], name="companytag_ws_company")]

    def __str__(self) -> str:
        return f"{self.company_id}:{self.tag_id}"


class CustomField(models.Model):
    """A field a workspace admin adds to companies or people; values live in `custom`."""

    # Managing definitions is its own grant (admins only by default); reading them is not.
    ACCESS_TYPE: ClassVar[str] = "custom_field"

    class Type(models.TextChoices):
        TEXT = "text", _("text")
        LONG_TEXT = "long_text", _("long text")
        NUMBER = "number", _("number")
        MONEY = "money", _("money")
        DATE = "date", _("date")
        SELECT = "select", _("select")
        MULTI_SELECT = "multi_select", _("multi-select")
        CHECKBOX = "checkbox", _("checkbox")
        URL = "url", _("URL")
        EMAIL = "email", _("email")
        SENSITIVE = "sensitive", _("sensitive text")

    class Target(models.TextChoices):
        COMPANY = "company", _("company")
        PERSON = "person", _("person")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    target = models.CharField(_("record type"), max_length=10, choices=Target.choices)
    key = models.SlugField(_("key"), max_length=40)
    label = models.CharField(_("label"), max_length=100)
    type = models.CharField(_("type"), max_length=20, choices=Type.choices)
    options = models.JSONField(_("options"), default=list, blank=True)
    required = models.BooleanField(_("required"), default=False)
    help_text = models.CharField(_("help text"), max_length=200, blank=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    archived = models.BooleanField(_("archived"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "target", "key"], name="customfield_ws_target_key"
            )
        ]

    def __str__(self) -> str:
        return self.label


class CustomSecret(models.Model):
    """A sensitive custom field's value, sealed with core.crypto (its own row uid in the AAD).

    Kept out of the `custom` JSON so key rotation (core.keys) re-encrypts it like any
    other sealed column.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    target = models.CharField(max_length=10)
    record_id = models.BigIntegerField()
    key = models.SlugField(max_length=40)
    value = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "target", "record_id", "key"], name="customsecret_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.target}:{self.record_id}:{self.key}"


class ImportJob(models.Model):
    """A file of people or companies on its way in: uploaded, mapped, then written at once.

    The rows and `status = done` are committed in one transaction, so a job is
    either wholly in or not at all; running it again after a crash finishes it once.
    """

    class Status(models.TextChoices):
        MAPPING = "mapping", _("waiting for the mapping")
        QUEUED = "queued", _("queued")
        RUNNING = "running", _("running")
        DONE = "done", _("done")
        FAILED = "failed", _("failed")
        CANCELLED = "cancelled", _("cancelled")

    class Match(models.TextChoices):
        EMAIL = "email", _("the same email")
        PHONE = "phone", _("the same phone number")
        NAME = "name", _("the same name and company")

    class OnMatch(models.TextChoices):
        SKIP = "skip", _("skip the row")
        UPDATE = "update", _("update the record")
        CREATE = "create", _("create another record")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Only the member who started it may see it or its error report.
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20)  # "person" or "company"
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.MAPPING)
    original_name = models.CharField(max_length=200)
    file_format = models.CharField(max_length=10)
    # Under settings.VAR_DIR / "imports" (never web-served); deleted when the job ends.
    file_name = models.CharField(max_length=200, blank=True)
    header = models.JSONField(default=list)
    total = models.PositiveIntegerField(default=0)
    mapping = models.JSONField(default=dict)
    match_on = models.CharField(max_length=10, choices=Match.choices, default=Match.EMAIL)
    on_match = models.CharField(max_length=10, choices=OnMatch.choices, default=OnMatch.SKIP)
    dry_run = models.JSONField(default=dict, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    skipped = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    attempts = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "user", "-created_at"], name="import_ws_user")]

    def __str__(self) -> str:
        return f"{self.kind} import #{self.pk}"


class ImportRowError(models.Model):
    """Why one cell of an import was refused; the row was skipped, the others went in."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    row = models.PositiveIntegerField()  # as a spreadsheet numbers it: the header is row 1
    column = models.CharField(max_length=200, blank=True)
    value = models.CharField(max_length=200, blank=True)
    code = models.CharField(max_length=40)
    params = models.JSONField(default=dict, blank=True)

    class Meta:
        indexes = [models.Index(fields=["workspace", "job", "row"], name="import_error_job")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.code}"


class DuplicateKey(models.Model):
    """A blocking key of a record ("email:ann@x.no"); records sharing one are compared.

    Written by customers.duplicates whenever a record is saved, so finding the
    candidates of one record, or the pairs of a workspace, never compares every
    record with every other.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=20)
    object_id = models.BigIntegerField()
    key = models.CharField(max_length=220)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "object_type", "key"], name="dupkey_ws_key"),
            models.Index(fields=["workspace", "object_type", "object_id"], name="dupkey_ws_obj"),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.object_id}: {self.key}"


class DuplicatePair(models.Model):
    """Two records of one type that look alike, with a score; `first_id` < `second_id`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=20)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    # The records' owners, copied when the pair is computed, so the list of a member
    # who sees only their own (or their team's) records filters by index, not by a join.
    first_owner_id = models.BigIntegerField(null=True, blank=True)
    second_owner_id = models.BigIntegerField(null=True, blank=True)
    score = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list)
    computed_at = models.DateTimeField(default=timezone.now)
    # "Not a duplicate": remembered, and kept when the pairs are computed again.
    dismissed_at = models.DateTimeField(null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "object_type", "first_id", "second_id"],
                name="duplicate_pair_unique",
            )
        ]
        indexes = [
            models.Index(
                fields=["workspace", "object_type", "dismissed_at", "-score", "-id"],
                name="dupair_ws_score",
            ),
            models.Index(fields=["workspace", "object_type", "second_id"], name="dupair_ws_second"),
            models.Index(
                fields=["workspace", "object_type", "first_owner_id", "second_owner_id"],
                name="dupair_ws_owners",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.object_type} {self.first_id}~{self.second_id} ({self.score})"


class MergeRecord(models.Model):
    """One merge, with what it takes to undo it for 30 days.

    `before` holds the survivor's prior field values by column (sealed values stay
    sealed as they were); `moved` the ids of the related rows moved to the survivor,
    by "app_label.model.field".
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    object_type = models.CharField(max_length=20)
    survivor_id = models.BigIntegerField()
    loser_id = models.BigIntegerField()
    survivor_repr = models.CharField(max_length=200, blank=True)
    loser_repr = models.CharField(max_length=200, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    survivor_version = models.PositiveIntegerField()
    loser_version = models.PositiveIntegerField()
    choices = models.JSONField(default=dict)
    before = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    moved = models.JSONField(default=dict)
    undone_at = models.DateTimeField(null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        indexes = [
            models.Index(
                fields=["workspace", "object_type", "survivor_id", "-created_at"],
                name="merge_ws_survivor",
            ),
            models.Index(fields=["workspace", "object_type", "loser_id"], name="merge_ws_loser"),
            models.Index(fields=["workspace", "expires_at"], name="merge_ws_expires"),
        ]

    def __str__(self) -> str:
        return f"merge {self.loser_repr} into {self.survivor_repr}"


class EmailTrack(models.Model):
    """One tracked thing in one email sent to a person: its open pixel, or one of its links.

    The email's URLs carry a random token, never this row's id, so nobody can walk
    the ids to fake engagement or learn where other emails link; only the token's
    SHA-256 is kept (see email_tracking), so a copy of the database cannot either.
    """

    class Kind(models.TextChoices):
        OPEN = "open", _("opened")
        LINK = "link", _("link clicked")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # Purging a person first calls email_tracking.forget (within the workspace).
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, related_name="+", db_index=False
    )
    kind = models.CharField(max_length=4, choices=Kind.choices)
    # For a link: where it goes (http or https only); the redirect goes nowhere else.
    url = models.CharField(max_length=2000, blank=True)
    subject = models.CharField(max_length=200, blank=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    first_seen_at = models.DateTimeField(null=True, blank=True)
    count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "person", "kind"], name="emailtrack_person_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.url}".strip()


class EmailTrackHit(MinuteHits):
    """Pixel and link requests per client address and minute in a workspace (the rate limit)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ip", "minute"], name="emailtrackhit_once")
        ]
