"""Pipelines with ordered stages, deals on them, and the history of every stage change."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amity.core.links import record_url
from amity.core.models import MinuteHits, Team, Workspace
from amity.customers.models import Company, Person, Size

DEFAULT_CURRENCY = "EUR"


class SalesSettings(models.Model):
    """A workspace's sales settings: the base currency board totals are shown in."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    base_currency = models.CharField(_("base currency"), max_length=3, default=DEFAULT_CURRENCY)
    # The secret in the public web-to-lead URL; set on first use (services.settings_for).
    lead_form_key = models.CharField(max_length=64, blank=True, default="")
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"sales settings of workspace {self.workspace_id}"


class Pipeline(models.Model):
    """A sales process: an ordered list of stages deals move through."""

    ACCESS_TYPE: ClassVar[str] = "pipeline"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("pipeline")
        indexes = [models.Index(fields=["workspace", "position", "id"], name="pipeline_ws_pos")]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("sales:board", self.pk)


class Stage(models.Model):
    """One column of a pipeline; won and lost stages close the deals moved there."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    probability = models.PositiveSmallIntegerField(
        _("probability (%)"), default=0, validators=[MaxValueValidator(100)]
    )
    # A deal idle in the stage for longer than this is "rotting" (highlighted).
    rotting_days = models.PositiveIntegerField(_("rotting after (days)"), null=True, blank=True)
    is_won = models.BooleanField(_("won stage"), default=False)
    is_lost = models.BooleanField(_("lost stage"), default=False)

    class Meta:
        verbose_name = _("stage")
        indexes = [
            models.Index(fields=["workspace", "pipeline", "position"], name="stage_ws_pipe_pos")
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(is_won=True, is_lost=True), name="stage_not_won_and_lost"
            )
        ]

    def __str__(self) -> str:
        return self.name


class LostReason(models.Model):
    """Why deals are lost; a table admins configure, so the funnel can count by reason."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    active = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("lost reason")
        indexes = [models.Index(fields=["workspace", "position"], name="lostreason_ws_pos")]

    def __str__(self) -> str:
        return self.name


class Deal(models.Model):
    """A sale in progress: an amount in a currency on a stage of a pipeline."""

    ACCESS_TYPE: ClassVar[str] = "deal"

    class Status(models.TextChoices):
        OPEN = "open", _("open")
        WON = "won", _("won")
        LOST = "lost", _("lost")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
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

    name = models.CharField(_("name"), max_length=200)
    amount = models.DecimalField(
        _("amount"),
        max_digits=14,
        decimal_places=2,
        default=Decimal("0.00"),
        validators=[MinValueValidator(Decimal("0"))],
    )
    currency = models.CharField(_("currency"), max_length=3, default=DEFAULT_CURRENCY)
    expected_close = models.DateField(_("expected close date"), null=True, blank=True)
    # DO_NOTHING here and below: sales.purge (a timeline forget hook) unlinks purged
    # customers within the workspace first; a cascade would run without one.
    company = models.ForeignKey(
        Company,
        on_delete=models.DO_NOTHING,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("company"),
    )
    people = models.ManyToManyField(Person, through="DealPerson", related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="+")
    stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, related_name="+", verbose_name=_("stage")
    )
    status = models.CharField(max_length=4, choices=Status.choices, default=Status.OPEN)
    lost_reason = models.ForeignKey(
        LostReason,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lost reason"),
    )
    # When the deal entered its current stage: the card's age and rotting.
    stage_entered_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("deal")
        indexes = [
            # A board column: the newest arrivals of one stage, never the trash.
            models.Index(
                fields=["workspace", "stage", "-stage_entered_at", "-id"],
                name="deal_ws_stage_entered",
                condition=models.Q(deleted_at__isnull=True),
            ),
            models.Index(
                fields=["workspace", "owner", "stage", "-stage_entered_at", "-id"],
                name="deal_ws_owner_stage",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # Column totals: covers the GROUP BY stage, currency of a pipeline.
            models.Index(
                fields=["workspace", "pipeline", "stage", "currency", "amount"],
                name="deal_ws_pipe_totals",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # Column totals of one owner's board ("mine"), also covering.
            models.Index(
                fields=["workspace", "owner", "pipeline", "stage", "currency", "amount"],
                name="deal_ws_owner_totals",
                condition=models.Q(deleted_at__isnull=True),
            ),
            # The list view's keyset orders.
            models.Index(fields=["workspace", "created_at", "id"], name="deal_ws_created"),
            models.Index(fields=["workspace", "expected_close", "id"], name="deal_ws_close"),
            models.Index(fields=["workspace", "company"], name="deal_ws_company"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return record_url("sales:deal_detail", self.pk)


class DealPerson(models.Model):
    """A person's part in a deal (decision maker, champion…)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="roles")
    person = models.ForeignKey(Person, on_delete=models.DO_NOTHING, related_name="+")
    role = models.CharField(_("role"), max_length=60, blank=True)
    version = models.PositiveIntegerField(default=1)

    ACCESS_TYPE: ClassVar[str] = "deal_person"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="dealperson_once"),
        ]
        indexes = [models.Index(fields=["workspace", "person"], name="dealperson_ws_person")]

    def __str__(self) -> str:
        return f"{self.person_id} on deal {self.deal_id}"


class DealStageChange(models.Model):
    """One move of a deal between stages (from None when created): the funnel's raw data."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_changes")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    from_stage = models.ForeignKey(
        Stage, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    to_stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    # Seconds the deal spent in `from_stage`: time-in-stage without a self-join.
    seconds_in_from = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["workspace", "deal", "changed_at"], name="stagechange_ws_deal"),
            models.Index(
                fields=["workspace", "pipeline", "changed_at"], name="stagechange_ws_pipe"
            ),
        ]

    def __str__(self) -> str:
        return f"deal {self.deal_id}: {self.from_stage_id} → {self.to_stage_id}"


class ExchangeRate(models.Model):
    """How many units of the base currency one unit of `currency` was worth on `date`."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    rate = models.DecimalField(
        _("rate"), max_digits=18, decimal_places=8, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["workspace", "currency", "date"], name="rate_once_a_day"
            )
        ]
        indexes = [models.Index(fields=["workspace", "currency", "-date"], name="rate_ws_cur_date")]

    def __str__(self) -> str:
        return f"1 {self.currency} on {self.date} = {self.rate}"


class StageTotal(models.Model):
    """Running count and sum of one owner's deals in a stage and currency, kept by the services.

    The board reads these few rows (stages x currencies x owners) instead of aggregating
    every deal: a GROUP BY over 200,000 deals costs ~180 ms on SQLite and over one busy
    owner's 45,000 ~150 ms on PostgreSQL; this costs <1 ms. Summing the rows of every
    owner gives the whole board, of one owner "my deals", of a team's owners a team
    member's view.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="+")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    # The deal owner's user id, 0 for unowned deals: not a foreign key, so that one
    # unique key covers unowned deals too (NULLs are distinct in a unique constraint).
    owner_key = models.IntegerField(default=0)
    currency = models.CharField(max_length=3)
    count = models.IntegerField(default=0)
    amount = models.DecimalField(max_digits=18, decimal_places=2, default=Decimal("0.00"))

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["stage", "owner_key", "currency"], name="stagetotal_owner_once"
            )
        ]
        indexes = [models.Index(fields=["workspace", "pipeline"], name="stagetotal_ws_pipe")]

    def __str__(self) -> str:
        return (
            f"stage {self.stage_id} owner {self.owner_key} {self.currency}: "
            f"{self.count} / {self.amount}"
        )


class LeadPriority(models.TextChoices):
    HIGH = "high", _("high")
    NORMAL = "normal", _("normal")
    LOW = "low", _("low")


class IncomeBracket(models.TextChoices):
    """A lead's yearly income band, for scoring (amounts in thousands, any currency)."""

    UNDER_25K = "<25k", _("under 25k")
    FROM_25K = "25-50k", _("25k to 50k")
    FROM_50K = "50-100k", _("50k to 100k")
    FROM_100K = "100-250k", _("100k to 250k")
    OVER_250K = ">250k", _("over 250k")


class Lead(models.Model):
    """Someone who may become a customer: captured by a web form, the API or by hand."""

    ACCESS_TYPE: ClassVar[str] = "lead"

    class Status(models.TextChoices):
        NEW = "new", _("new")
        CONVERTED = "converted", _("converted")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
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
    deleted_at = models.DateTimeField(null=True, blank=True)

    first_name = models.CharField(_("first name"), max_length=100, blank=True)
    last_name = models.CharField(_("last name"), max_length=100)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=40, blank=True)
    company_name = models.CharField(_("company"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    source = models.CharField(_("source"), max_length=40, blank=True)
    message = models.TextField(_("message"), max_length=5000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.NEW)
    converted_at = models.DateTimeField(null=True, blank=True)
    person = models.ForeignKey(
        Person, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    company = models.ForeignKey(
        Company, on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )
    deal = models.ForeignKey(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Set when the lead is made, then kept by the worker (sales.tasks.rescore_lead);
    # `score_reasons` says which rules gave what.
    score = models.IntegerField(_("score"), default=0)
    score_reasons = models.JSONField(default=list, blank=True)
    job_title = models.CharField(_("job title"), max_length=120, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    company_size = models.CharField(
        _("company size"), max_length=10, choices=Size.choices, blank=True
    )
    income_bracket = models.CharField(
        _("income bracket"), max_length=10, choices=IncomeBracket.choices, blank=True
    )
    # Set by the classification rules (sales.rules.classify); `classified_by` names the
    # rule that set each of them: {"segment": {"rule": 3, "label": "…"}, …}.
    segment = models.CharField(_("segment"), max_length=60, blank=True)
    priority = models.CharField(
        _("priority"), max_length=6, choices=LeadPriority.choices, blank=True
    )
    classified_by = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("lead")
        indexes = [
            models.Index(
                fields=["workspace", "status", "-score", "-id"], name="lead_ws_status_score"
            ),
            models.Index(fields=["workspace", "created_at", "id"], name="lead_ws_created"),
            models.Index(fields=["workspace", "owner", "status"], name="lead_ws_owner_status"),
            models.Index(
                fields=["workspace", "status", "segment", "priority"], name="lead_ws_status_class"
            ),
        ]

    def __str__(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def get_absolute_url(self) -> str:
        return record_url("sales:lead_detail", self.pk)


class LeadFormHit(MinuteHits):
    """Posts to a workspace's web-to-lead form per client address and minute (the rate limit)."""

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "ip", "minute"], name="leadformhit_once")
        ]


class ScoringRule(models.Model):
    """Points a lead earns when an attribute has a value, or for a behaviour (admin-defined)."""

    class Attribute(models.TextChoices):
        COUNTRY = "country", _("country")
        EMAIL_DOMAIN = "email_domain", _("email domain")
        SOURCE = "source", _("source")
        COMPANY = "company", _("company name contains")
        FORM_SUBMITTED = "form_submitted", _("submitted the web form")
        INACTIVE_DAYS = "inactive_days", _("untouched for more days than")
        INDUSTRY = "industry", _("industry")
        COMPANY_SIZE = "company_size", _("company size")
        JOB_TITLE = "job_title", _("job title contains")
        MEETING_HELD = "meeting_held", _("held a meeting")
        INCOME_BRACKET = "income_bracket", _("income bracket")
        EMAIL_OPENED = "email_opened", _("opened an email")
        LINK_CLICKED = "link_clicked", _("clicked a link")

    ACCESS_TYPE: ClassVar[str] = "scoring_rule"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    attribute = models.CharField(_("attribute"), max_length=20, choices=Attribute.choices)
    value = models.CharField(_("value"), max_length=100, blank=True)
    points = models.IntegerField(_("points"))
    active = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        indexes = [models.Index(fields=["workspace", "active"], name="scoringrule_ws_active")]

    def __str__(self) -> str:
        return f"{self.get_attribute_display()} {self.value}".strip()


class RuleConditions(models.Model):
    """What a lead must have for a rule to apply; a blank condition matches every lead."""

    source = models.CharField(_("source"), max_length=40, blank=True)
    # Two-letter codes separated by commas ("NO,SE"); any of them matches.
    countries = models.CharField(_("countries"), max_length=200, blank=True)

    class Meta:
        abstract = True

    def country_list(self) -> list[str]:
        return [c.strip().upper() for c in self.countries.split(",") if c.strip()]

    def conditions_label(self) -> str:
        parts = []
        if self.source:
            parts.append(f"source = {self.source}")
        if self.countries:
            parts.append(f"country in {', '.join(self.country_list())}")
        return "; ".join(parts)


class AssignmentRule(RuleConditions):
    """Who gets a new lead without an owner: the first active matching rule, by position."""

    ACCESS_TYPE: ClassVar[str] = "assignment_rule"

    class Strategy(models.TextChoices):
        USER = "user", _("a member")
        ROUND_ROBIN = "round_robin", _("round-robin within a team")
        LEAST_BUSY = "least_busy", _("the least busy member of a team")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    strategy = models.CharField(_("assign to"), max_length=12, choices=Strategy.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("member"),
    )
    team = models.ForeignKey(
        Team,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("team"),
    )
    # Round-robin state: who had the last lead; read and moved under a row lock.
    last_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("assignment rule")
        indexes = [models.Index(fields=["workspace", "position", "id"], name="assignrule_ws_pos")]

    def __str__(self) -> str:
        return self.name


class ClassificationRule(RuleConditions):
    """Sets a lead's segment and/or priority; per field, the first matching rule wins."""

    ACCESS_TYPE: ClassVar[str] = "classification_rule"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(_("position"), default=0)
    company_size = models.CharField(
        _("company size"), max_length=10, choices=Size.choices, blank=True
    )
    email_domain = models.CharField(_("email domain"), max_length=100, blank=True)
    segment = models.CharField(_("segment"), max_length=60, blank=True)
    priority = models.CharField(
        _("priority"), max_length=6, choices=LeadPriority.choices, blank=True
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("classification rule")
        indexes = [models.Index(fields=["workspace", "position", "id"], name="classrule_ws_pos")]

    def __str__(self) -> str:
        return self.name


class PersonScore(models.Model):
    """A person's score from the scoring rules, kept by the worker (sales.tasks.rescore_person).

    Sales owns it, so the customers app's Person stays free of sales fields.
    """

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # DO_NOTHING: sales.purge deletes the score (within the workspace) before the person goes.
    person = models.OneToOneField(Person, on_delete=models.DO_NOTHING, related_name="+")
    score = models.IntegerField(_("score"), default=0)
    reasons = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["workspace", "-score", "person"], name="personscore_ws")]

    def __str__(self) -> str:
        return f"person {self.person_id}: {self.score}"


# Products, price lists and quotes ----------------------------------------------

PERCENT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


class QuoteSettings(models.Model):
    """A workspace's quote settings, beside SalesSettings so the two apps' edits never collide."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="+")
    accepted_wins_deal = models.BooleanField(
        _("an accepted quote marks the deal won"), default=False
    )
    # A small PNG/JPEG as a data: URI, shown on quote PDFs (checked by quotes.clean_logo).
    logo = models.TextField(blank=True, default="")
    company_details = models.TextField(_("details on quotes"), max_length=1000, blank=True)
    version = models.PositiveIntegerField(default=1)

    def __str__(self) -> str:
        return f"quote settings of workspace {self.workspace_id}"


class Product(models.Model):
    """Something the workspace sells, with its tax rate; prices live on price lists."""

    ACCESS_TYPE: ClassVar[str] = "product"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    sku = models.CharField(_("SKU"), max_length=60)
    name = models.CharField(_("name"), max_length=200)
    description = models.TextField(_("description"), max_length=2000, blank=True)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0"), validators=PERCENT
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("product")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "sku"], name="product_sku_once")
        ]
        indexes = [models.Index(fields=["workspace", "name", "id"], name="product_ws_name")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class PriceList(models.Model):
    """Prices of products in one currency, with an optional default discount."""

    ACCESS_TYPE: ClassVar[str] = "price_list"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(_("name"), max_length=100)
    currency = models.CharField(_("currency"), max_length=3)
    active = models.BooleanField(_("active"), default=True)
    default_discount = models.DecimalField(
        _("default discount (%)"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("0"),
        validators=PERCENT,
    )
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("price list")
        indexes = [models.Index(fields=["workspace", "currency"], name="pricelist_ws_cur")]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Price(models.Model):
    """A product's unit price on a price list."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="+")
    amount = models.DecimalField(
        _("price"), max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0"))]
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["price_list", "product"], name="price_once")]
        indexes = [models.Index(fields=["workspace", "price_list"], name="price_ws_list")]

    def __str__(self) -> str:
        return f"{self.product_id} on {self.price_list_id}: {self.amount}"


class QuoteCounter(models.Model):
    """The last quote number used in a workspace and year (locked while numbering)."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["workspace", "year"], name="quotecounter_once")
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class Quote(models.Model):
    """An offer to a deal's customer: priced lines in the deal's currency, then a decision."""

    ACCESS_TYPE: ClassVar[str] = "quote"

    class Status(models.TextChoices):
        DRAFT = "draft", _("draft")
        SENT = "sent", _("sent")
        ACCEPTED = "accepted", _("accepted")
        DECLINED = "declined", _("declined")
        EXPIRED = "expired", _("expired")

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="+")
    # The deal's owner when created: quote access follows the seller, like deals.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    number = models.CharField(_("number"), max_length=20)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(_("currency"), max_length=3)
    price_list = models.ForeignKey(
        PriceList, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_until = models.DateField(_("valid until"))
    notes = models.TextField(_("notes"), max_length=5000, blank=True)
    terms = models.TextField(_("terms"), max_length=5000, blank=True)
    subtotal = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    discount_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    tax_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.EmailField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.CharField(max_length=200, blank=True)
    decided_ip = models.CharField(max_length=45, blank=True)
    # The expired or declined quote this draft was re-issued from. DO_NOTHING: both are on
    # the same deal and go with it; only drafts are deleted one by one, never an original.
    reissued_from = models.ForeignKey(
        "self", on_delete=models.DO_NOTHING, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("quote")
        constraints = [
            models.UniqueConstraint(fields=["workspace", "number"], name="quote_number_once")
        ]
        indexes = [
            models.Index(fields=["workspace", "deal", "-id"], name="quote_ws_deal"),
            # The expiry sweep: a workspace's sent quotes only, by the day they lapse.
            models.Index(
                fields=["workspace", "valid_until"],
                name="quote_sent_until",
                condition=models.Q(status="sent"),
            ),
        ]

    def __str__(self) -> str:
        return self.number

    def get_absolute_url(self) -> str:
        return record_url("sales:quote_detail", self.pk)

    @property
    def editable(self) -> bool:
        return self.status == self.Status.DRAFT

    @property
    def reissuable(self) -> bool:
        return self.status in (self.Status.EXPIRED, self.Status.DECLINED)


class QuoteLine(models.Model):
    """One line of a quote: a product or free text, with its amounts rounded to the cent."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    # DO_NOTHING: quotes.delete_quote removes the lines first, within the workspace.
    quote = models.ForeignKey(Quote, on_delete=models.DO_NOTHING, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product = models.ForeignKey(
        Product, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=500)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal("0")
    )
    gross = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    discount_amount = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    net = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))
    tax = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal("0"))

    class Meta:
        indexes = [models.Index(fields=["workspace", "quote", "position"], name="quoteline_ws_q")]

    def __str__(self) -> str:
        return self.description
