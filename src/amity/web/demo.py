"""Demo data for `amity demo`: two workspaces with a user per role and plausible customers.

Everything goes through the services, so the audit log and field encryption
apply as they do for real data. The data is generated from a fixed seed, and a
workspace that exists already is left alone: running it twice changes nothing.

This is tooling at the top of the dependency graph: it uses the customers app,
which core itself never imports.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.hashers import make_password
from django.db import transaction

from amity.core import services
from amity.core.models import Membership, Team, User, Workspace
from amity.customers import custom_fields
from amity.customers import services as customers

DEMO_PASSWORD = "amity-demo-2026"  # noqa: S105 - printed on purpose: demo data only
SEED = 2026

FIRST_NAMES = {
    "GB": ["Oliver", "Amelia", "Harry", "Isla", "George", "Ava", "Noah", "Emily", "Jack", "Sophie"],
    "NO": ["Ingrid", "Lars", "Sigrid", "Magnus", "Nora", "Henrik", "Astrid", "Eirik", "Solveig"],
    "DE": ["Lukas", "Mia", "Felix", "Hannah", "Jonas", "Lea", "Paul", "Clara", "Maximilian"],
    "NL": ["Daan", "Emma", "Sem", "Julia", "Lucas", "Tess", "Finn", "Sara", "Bram", "Fleur"],
    "ES": ["Lucía", "Hugo", "Martina", "Mateo", "Paula", "Pablo", "Carmen", "Álvaro", "Elena"],
}
LAST_NAMES = {
    "GB": ["Smith", "Jones", "Taylor", "Brown", "Williams", "Wilson", "Evans", "Thomas", "Hughes"],
    "NO": ["Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Nilsen", "Berg", "Haugen"],
    "DE": ["Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Meyer", "Wagner", "Becker"],
    "NL": ["de Jong", "Jansen", "de Vries", "van den Berg", "Bakker", "Visser", "Smit", "Meijer"],
    "ES": ["García", "Fernández", "González", "Rodríguez", "López", "Martínez", "Sánchez"],
}
CITIES = {
    "GB": [("London", "EC1A 1BB", "England"), ("Manchester", "M1 1AE", "England"),
           ("Cardiff", "CF10 1EP", "Wales"), ("Edinburgh", "EH1 1YZ", "Scotland")],
    "NO": [("Oslo", "0150", "Oslo"), ("Bergen", "5003", "Vestland"),
           ("Trondheim", "7011", "Trøndelag"), ("Tromsø", "9008", "Troms")],
    "DE": [("Berlin", "10115", "Berlin"), ("Hamburg", "20095", "Hamburg"),
           ("München", "80331", "Bayern"), ("Köln", "50667", "Nordrhein-Westfalen")],
    "NL": [("Amsterdam", "1012 JS", "Noord-Holland"), ("Rotterdam", "3011 AD", "Zuid-Holland"),
           ("Utrecht", "3511 LX", "Utrecht")],
    "ES": [("Madrid", "28013", "Madrid"), ("Barcelona", "08002", "Cataluña"),
           ("Valencia", "46002", "Valencia")],
}  # fmt: skip
STREETS = {
    "GB": ["High Street", "Station Road", "Church Lane", "Victoria Road", "Mill Lane"],
    "NO": ["Storgata", "Kirkeveien", "Strandgata", "Parkveien", "Skolegata"],
    "DE": ["Hauptstraße", "Schulstraße", "Bahnhofstraße", "Gartenweg", "Lindenallee"],
    "NL": ["Kerkstraat", "Dorpsstraat", "Stationsweg", "Molenweg", "Schoolstraat"],
    "ES": ["Calle Mayor", "Calle Real", "Avenida de la Paz", "Calle del Sol", "Plaza Mayor"],
}
COMPANY_WORDS = [
    "Northwind", "Bluefjord", "Harbour", "Lindqvist", "Meridian", "Oakridge", "Silverline",
    "Kestrel", "Brightwater", "Granite", "Evergreen", "Copperleaf", "Falcon", "Polaris",
    "Riverside", "Stonebridge", "Tidewater", "Windrose", "Aurora", "Beacon", "Cedar",
    "Driftwood", "Elmstead", "Fernhill", "Glenmore", "Highmoor", "Ironbark", "Juniper",
    "Larkspur", "Moorland", "Nordlys", "Osprey",
]  # fmt: skip
COMPANY_KINDS = [
    ("Logistics", "Logistics"), ("Foods", "Food and drink"), ("Energy", "Energy"),
    ("Software", "Software"), ("Health", "Healthcare"), ("Textiles", "Retail"),
    ("Engineering", "Manufacturing"), ("Travel", "Travel"), ("Studio", "Media"),
    ("Capital", "Financial services"),
]  # fmt: skip
LEGAL = {"GB": "Ltd", "NO": "AS", "DE": "GmbH", "NL": "B.V.", "ES": "S.L."}
PHONE = {"GB": "+44 20 7946 {:04d}", "NO": "+47 22 {:06d}", "DE": "+49 30 {:07d}",
         "NL": "+31 20 {:07d}", "ES": "+34 91 {:07d}"}  # fmt: skip
TITLES = [
    "CEO", "CFO", "Head of Purchasing", "Operations Manager", "Account Manager",
    "Office Manager", "Logistics Coordinator", "IT Director", "Marketing Lead",
    "Customer Service Lead", "Finance Officer", "Buyer",
]  # fmt: skip
ROLE_USERS = [
    # local part, full name, role, team
    ("admin", "Ada Admin", "admin", None),
    ("manager", "Maya Manager", "manager", None),
    ("sales", "Sam Sales", "sales", "East"),
    ("sales2", "Sofia Sales", "sales", "West"),
    ("marketing", "Mark Marketing", "marketing", None),
    ("support", "Sue Support", "support", None),
    ("billing", "Bill Billing", "billing", None),
    ("shipping", "Shane Shipping", "shipping", "West"),
    ("readonly", "Rita Readonly", "readonly", None),
]  # fmt: skip


@dataclass(frozen=True)
class Spec:
    name: str
    slug: str
    domain: str
    users: list[tuple[str, str, str, str | None]]
    teams: list[str]
    companies: int
    people: int


SPECS = [
    Spec("Acme Demo", "acme-demo", "demo.amity.test", ROLE_USERS, ["East", "West"], 30, 120),
    Spec(
        "Globex Demo",
        "globex-demo",
        "globex.demo.amity.test",
        [("admin", "Gus Globex", "admin", None), ("sales", "Gina Globex", "sales", None)],
        [],
        5,
        15,
    ),
]


@dataclass
class DemoResult:
    created: list[str] = field(default_factory=list)
    existing: list[str] = field(default_factory=list)
    logins: list[tuple[str, str, str]] = field(default_factory=list)  # workspace, email, role


def iban(country: str, bban: str) -> str:
    """Return an IBAN with correct check digits (ISO 13616, mod 97) for the BBAN."""
    digits = "".join(str(int(ch, 36)) for ch in bban + country) + "00"
    check = 98 - int(digits) % 97
    return f"{country}{check:02d}{bban}"


def _bban(rng: random.Random, country: str) -> str:
    def digits(n: int) -> str:
        return "".join(rng.choice("0123456789") for _ in range(n))

    def letters(n: int) -> str:
        return "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ") for _ in range(n))

    return {
        "GB": lambda: letters(4) + digits(14),
        "NO": lambda: digits(11),
        "DE": lambda: digits(18),
        "NL": lambda: letters(4) + digits(10),
        "ES": lambda: digits(20),
    }[country]()


def _national_id(rng: random.Random, country: str) -> str:
    if country == "GB":
        prefix = rng.choice(["AB", "CE", "JK", "NP", "SR", "TW", "ZA"])
        return f"{prefix} {rng.randint(10, 99)} {rng.randint(10, 99)} {rng.randint(10, 99)} C"
    if country == "NL":  # BSN with its 11-check
        while True:
            body = [rng.randint(0, 9) for _ in range(8)]
            rest = sum(d * w for d, w in zip(body, range(9, 1, -1), strict=True)) % 11
            if rest < 10:
                return "".join(map(str, body)) + str(rest)
    if country == "ES":
        number = rng.randint(10_000_000, 99_999_999)
        return f"{number}{'TRWAGMYFPDXBNJZSQVHLCKE'[number % 23]}"
    return "".join(str(rng.randint(0, 9)) for _ in range(11))


def _address(rng: random.Random, country: str, prefix: str) -> dict[str, str]:
    city, postal, region = rng.choice(CITIES[country])
    street = rng.choice(STREETS[country])
    number = rng.randint(1, 180)
    line = f"{number} {street}" if country == "GB" else f"{street} {number}"
    return {
        f"{prefix}_street": line,
        f"{prefix}_city": city,
        f"{prefix}_postal_code": postal,
        f"{prefix}_region": region,
        f"{prefix}_country": country,
    }


def _ascii(text: str) -> str:
    """Return the name as the local part of an email address: `van den Berg` → `vandenberg`."""
    text = text.lower().replace("ß", "ss").replace("ø", "o").replace("æ", "ae")
    text = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in text if ch.isascii() and ch.isalnum())


STAGES = ["lead", "prospect", "customer", "customer", "former"]
SIZES = ["1-10", "11-50", "51-200", "201-500", "501-1000", "1001-5000", "5001+"]
TAGS = [["Key account"], ["Partner"], [], ["Key account", "Reseller"], []]
SOURCES = ["Website", "Trade fair", "Referral", "Import", "Newsletter"]


def _demo_custom_fields(admin: Membership) -> None:
    """Two custom fields a newcomer sees on every company and person."""
    for data in (
        {
            "target": "company",
            "key": "tier",
            "label": "Customer tier",
            "type": "select",
            "options": ["Gold", "Silver", "Bronze"],
        },
        {"target": "person", "key": "renewal", "label": "Contract renewal", "type": "date"},
    ):
        custom_fields.create_definition(admin, data)


def _company_extras(index: int) -> dict[str, object]:
    return {
        "size": SIZES[index % len(SIZES)],
        "lifecycle_stage": STAGES[index % len(STAGES)],
        "tags": TAGS[index % len(TAGS)],
        "custom": {"tier": ["Gold", "Silver", "Bronze"][index % 3]} if index % 2 == 0 else {},
    }


def _with_person_extras(index: int, data: dict[str, object]) -> dict[str, object]:
    """Add source, consent, tags, a custom value and, for some, a second email and phone."""
    data.update(
        source=SOURCES[index % len(SOURCES)],
        email_consent=index % 3 != 2,
        messaging_consent=index % 4 == 0,
        tags=["Decision maker"] if index % 6 == 0 else [],
    )
    if index % 4 == 0:
        email, phone = str(data.pop("email")), str(data.pop("phone"))
        home = f"{email.split('@')[0]}@mail.example"
        data["emails"] = [{"value": email, "primary": True}, {"value": home, "type": "home"}]
        mobile = str(data.pop("mobile") or "")
        data["phones"] = [{"value": phone, "primary": True}]
        if mobile:
            data["phones"] += [{"value": mobile, "type": "mobile"}]  # type: ignore[operator]
    if index % 7 == 0:
        data["custom"] = {"renewal": f"2027-{index % 12 + 1:02d}-01"}
    return data


def build_workspace(spec: Spec, password_hash: str, result: DemoResult) -> None:

    rng = random.Random(f"{SEED}:{spec.slug}")
    workspace = services.create_workspace(spec.name, spec.slug)
    teams = {name: Team.objects.create(workspace=workspace, name=name) for name in spec.teams}
    members: list[Membership] = []
    for local, full_name, role, team in spec.users:
        email = f"{local}@{spec.domain}"
        user, _ = User.objects.get_or_create(
            email=email, defaults={"full_name": full_name, "password": password_hash}
        )
        members.append(
            services.add_member(workspace, user, role, team=teams.get(team) if team else None)
        )
        result.logins.append((spec.name, email, role))
    admin = Membership.objects.select_related("workspace", "role", "team", "user").get(
        pk=members[0].pk
    )
    owners = [m.user_id for m in members if m.role.key in ("admin", "manager", "sales")]
    _demo_custom_fields(admin)
    countries = list(CITIES)
    companies = []
    words = rng.sample(COMPANY_WORDS, spec.companies)
    for index, word in enumerate(words):
        country = countries[index % len(countries)]
        suffix, industry = rng.choice(COMPANY_KINDS)
        domain = f"{word.lower()}-{suffix.lower()}.example"
        companies.append(
            customers.create_company(
                admin,
                {
                    "name": f"{word} {suffix} {LEGAL[country]}",
                    "domain": domain,
                    "industry": industry,
                    "website": f"https://www.{domain}",
                    "phone": PHONE[country].format(rng.randint(1000, 9999)),
                    "email": f"hello@{domain}",
                    "owner": rng.choice(owners),
                    **_address(rng, country, "billing"),
                    **_company_extras(index),
                },
            )
        )
    for index in range(spec.people):
        company = companies[index % len(companies)]
        country = company.billing_country
        first = rng.choice(FIRST_NAMES[country])
        last = rng.choice(LAST_NAMES[country])
        sensitive: dict[str, str | None] = {}
        if index % 3 == 0:
            sensitive["national_id"] = _national_id(rng, country)
        if index % 4 == 1:
            sensitive["bank_account"] = iban(country, _bban(rng, country))
        address = _address(rng, country, "shipping") if index % 2 else {}
        data: dict[str, object] = {
            "first_name": first,
            "last_name": last,
            "title": rng.choice(TITLES),
            "company": company.pk,
            "email": f"{_ascii(first)}.{_ascii(last)}@{company.domain}",
            "phone": PHONE[country].format(rng.randint(1000, 9999)),
            "mobile": PHONE[country].format(rng.randint(1000, 9999)) if index % 5 == 0 else "",
            "owner": rng.choice(owners),
            **address,
        }
        customers.create_person(admin, _with_person_extras(index, data), sensitive)
    _demo_deals(spec, admin, companies, owners)
    _demo_tasks(rng, admin, members, companies)


DEAL_WORDS = ["Renewal", "Expansion", "Pilot", "Licences", "Support plan", "Onboarding"]


def _demo_deals(spec: Spec, admin: Membership, companies: list[Any], owners: list[int]) -> None:
    """A pipeline with deals across its stages, some moved, won and lost (sales app)."""
    from datetime import timedelta
    from decimal import Decimal

    from django.utils import timezone

    from amity.sales import services as sales
    from amity.sales.models import LostReason, Stage

    rng = random.Random(f"{SEED}:{spec.slug}:deals")
    pipeline = sales.install_default_pipeline(admin.workspace_id)
    stages = list(
        Stage.objects.filter(workspace_id=admin.workspace_id, pipeline=pipeline).order_by(
            "position"
        )
    )
    reasons = list(LostReason.objects.filter(workspace_id=admin.workspace_id))
    sales.set_rate(admin, "USD", timezone.localdate(), "0.92")
    from amity.sales import leads

    for first, last, org in (
        ("Kari", "Nordmann", "Fjord Analytics"),
        ("Tom", "Baker", "Baker & Sons"),
        ("Lena", "Vogel", ""),
    ):
        leads.create_lead(
            admin, {"first_name": first, "last_name": last, "company_name": org}, source="web"
        )
    for index, company in enumerate(companies[: max(6, len(companies) * 2 // 3)]):
        deal = sales.create_deal(
            admin,
            pipeline,
            {
                "name": f"{company.name}: {rng.choice(DEAL_WORDS)}",
                "amount": Decimal(rng.randrange(500, 80_000)),
                "currency": "USD" if index % 5 == 0 else "EUR",
                "company": company.pk,
                "owner": rng.choice(owners),
                "expected_close": timezone.localdate() + timedelta(days=rng.randrange(-20, 120)),
            },
        )
        target = stages[index % len(stages)]
        if target.pk != deal.stage_id:
            deal.stage_entered_at = timezone.now() - timedelta(days=rng.randrange(1, 30))
            sales.move_deal(
                admin,
                deal,
                target.pk,
                expected_version=deal.version,
                lost_reason=rng.choice(reasons).pk if target.is_lost and reasons else None,
            )


def _demo_tasks(
    rng: random.Random, admin: Membership, members: list[Membership], companies: list[Any]
) -> None:
    """Give each salesperson a few tasks (overdue, today, upcoming, one repeating) and log calls."""
    from datetime import time, timedelta

    from amity.activities import interactions, recurrence, task_services
    from amity.customers.models import Person

    people = list(Person.objects.filter(workspace_id=admin.workspace_id).order_by("id")[:12])
    sellers = [m for m in members if m.role.key in ("admin", "manager", "sales")]
    titles = ["Call back about the renewal", "Send the offer", "Book a demo", "Check the invoice"]
    for index, seller in enumerate(sellers):
        today = recurrence.local_today(seller.user.time_zone)
        for offset, title in zip((-1, 0, 0, 3), titles, strict=True):
            subject = people[(index * 4 + offset) % len(people)] if people else None
            task_services.create_task(
                admin,
                {
                    "title": title,
                    "due_date": today + timedelta(days=offset),
                    "due_time": time(rng.choice((9, 11, 14)), 0) if offset == 0 else None,
                    "owner": seller.user_id,
                    "priority": 3 if offset < 0 else 2,
                    "related_type": "person" if subject else "",
                    "related_id": subject.pk if subject else None,
                },
            )
        task_services.create_task(
            admin,
            {
                "title": "Weekly pipeline review",
                "due_date": today,
                "owner": seller.user_id,
                "repeat": "weekly",
                "repeat_weekdays": str(today.weekday()),
            },
        )
    for person in people[:4]:
        interactions.log(
            admin,
            person,
            {
                "kind": "call",
                "direction": "outbound",
                "outcome": "connected",
                "duration_minutes": rng.randint(5, 30),
                "notes": "Interested; wants a quote.",
            },
        )


def load(password: str = DEMO_PASSWORD) -> DemoResult:
    """Create the demo workspaces that do not exist yet; return what was done and the logins."""
    result = DemoResult()
    password_hash: str | None = None
    for spec in SPECS:
        if Workspace.objects.filter(slug=spec.slug).exists():
            result.existing.append(spec.name)
            result.logins += [
                (spec.name, f"{local}@{spec.domain}", role) for local, _, role, _ in spec.users
            ]
            continue
        password_hash = password_hash or make_password(password)
        with transaction.atomic():
            build_workspace(spec, password_hash, result)
        result.created.append(spec.name)
    return result
