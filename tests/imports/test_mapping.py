"""Guessing what each column is from the headers of other CRMs' exports."""

from __future__ import annotations

import pytest

from amity.customers.imports import mapping

HUBSPOT_CONTACTS = [
    "Record ID", "First Name", "Last Name", "Email", "Phone Number", "Mobile Phone Number",
    "Job Title", "Company Name", "Street Address", "City", "State/Region", "Postal Code",
    "Country/Region", "Contact owner",
]  # fmt: skip
SALESFORCE_CONTACTS = [
    "Contact ID", "First Name", "Last Name", "Title", "Account Name", "Email", "Phone",
    "Mobile", "Mailing Street", "Mailing City", "Mailing State/Province",
    "Mailing Zip/Postal Code", "Mailing Country", "Other Street", "Other City",
]  # fmt: skip
ZOHO_CONTACTS = [
    "Contact Id", "First Name", "Last Name", "Email", "Secondary Email", "Phone", "Mobile",
    "Title", "Account Name", "Mailing Street", "Mailing City", "Mailing State", "Mailing Zip",
    "Mailing Country", "Contact Owner",
]  # fmt: skip
PIPEDRIVE_PEOPLE = [
    "Person - ID", "Person - Name", "Person - Email", "Person - Phone", "Person - Phone - Mobile",
    "Organization - Name", "Person - Job title", "Person - Owner",
]  # fmt: skip


def _named(header: list[str], kind: str = "person") -> dict[str, str]:
    return {header[i]: key for i, key in mapping.guess(header, kind).items()}


def test_it_maps_a_hubspot_contacts_export() -> None:
    assert _named(HUBSPOT_CONTACTS) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Phone Number": "phone",
        "Mobile Phone Number": "mobile",
        "Job Title": "title",
        "Company Name": "company",
        "Street Address": "billing_street",
        "City": "billing_city",
        "State/Region": "billing_region",
        "Postal Code": "billing_postal_code",
        "Country/Region": "billing_country",
        "Contact owner": "owner",
    }


def test_it_maps_a_salesforce_contacts_export() -> None:
    assert _named(SALESFORCE_CONTACTS) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Title": "title",
        "Account Name": "company",
        "Email": "email",
        "Phone": "phone",
        "Mobile": "mobile",
        "Mailing Street": "billing_street",
        "Mailing City": "billing_city",
        "Mailing State/Province": "billing_region",
        "Mailing Zip/Postal Code": "billing_postal_code",
        "Mailing Country": "billing_country",
        "Other Street": "shipping_street",
        "Other City": "shipping_city",
    }


def test_it_maps_a_zoho_contacts_export() -> None:
    assert _named(ZOHO_CONTACTS) == {
        "First Name": "first_name",
        "Last Name": "last_name",
        "Email": "email",
        "Secondary Email": "alt_email",
        "Phone": "phone",
        "Mobile": "mobile",
        "Title": "title",
        "Account Name": "company",
        "Mailing Street": "billing_street",
        "Mailing City": "billing_city",
        "Mailing State": "billing_region",
        "Mailing Zip": "billing_postal_code",
        "Mailing Country": "billing_country",
        "Contact Owner": "owner",
    }


def test_it_maps_a_pipedrive_people_export() -> None:
    assert _named(PIPEDRIVE_PEOPLE) == {
        "Person - Name": "full_name",
        "Person - Email": "email",
        "Person - Phone": "phone",
        "Person - Phone - Mobile": "mobile",
        "Organization - Name": "company",
        "Person - Job title": "title",
        "Person - Owner": "owner",
    }


def test_it_maps_company_exports() -> None:
    hubspot = ["Company name", "Company Domain Name", "Industry", "Website URL", "Phone Number"]
    salesforce = ["Account Name", "Billing Street", "Billing City", "Shipping Country", "Website"]
    pipedrive = ["Organization - Name", "Organization - Address", "Organization - Owner"]
    assert _named(hubspot, "company") == {
        "Company name": "name",
        "Company Domain Name": "domain",
        "Industry": "industry",
        "Website URL": "website",
        "Phone Number": "phone",
    }
    assert _named(salesforce, "company") == {
        "Account Name": "name",
        "Billing Street": "billing_street",
        "Billing City": "billing_city",
        "Shipping Country": "shipping_country",
        "Website": "website",
    }
    assert _named(pipedrive, "company") == {
        "Organization - Name": "name",
        "Organization - Address": "billing_street",
        "Organization - Owner": "owner",
    }


def test_it_offers_sensitive_fields_only_to_members_who_may_reveal() -> None:
    header = ["Last name", "National ID", "IBAN"]
    assert mapping.guess(header, "person", may_reveal=True) == {
        0: "last_name",
        1: "national_id",
        2: "bank_account",
    }
    assert mapping.guess(header, "person", may_reveal=False) == {0: "last_name"}
    with pytest.raises(ValueError, match="national_id is not something you can import here"):
        mapping.check_mapping({0: "last_name", 1: "national_id"}, "person", 3, may_reveal=False)


@pytest.mark.parametrize(
    ("key", "raw", "code"),
    [
        ("email", "not-an-email", "email"),
        ("billing_country", "Narnia", "country"),
        ("phone", "call me", "phone"),
        ("website", "not a url", "url"),
        ("last_name", "x" * 101, "too_long"),
        ("last_name", "  ", "required"),
        ("bank_account", "NO00 1234", "iban"),
    ],
)
def test_it_says_why_a_cell_is_refused(key: str, raw: str, code: str) -> None:
    with pytest.raises(mapping.CellError) as caught:
        mapping.clean_cell(mapping.BY_KEY[key], raw)
    assert caught.value.code == code


def test_it_cleans_cells() -> None:
    clean = mapping.clean_cell
    assert clean(mapping.BY_KEY["email"], " Ada@Example.TEST ") == "Ada@example.test"
    assert clean(mapping.BY_KEY["billing_country"], "norway") == "NO"
    assert clean(mapping.BY_KEY["billing_country"], "gb") == "GB"
    assert clean(mapping.BY_KEY["website"], "example.test") == "https://example.test"
