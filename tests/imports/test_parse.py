"""Reading uploaded files: CSV in common encodings and delimiters, XLSX, vCard."""

from __future__ import annotations

import codecs
import io

import pytest
from openpyxl import Workbook

from amity.customers.imports import parse

ROWS = [
    ["First Name", "Last Name", "City"],
    ["Søren", "Ærlig", "Tromsø"],
    ["Zoë", "Brontë", "Köln"],
]


def _csv(delimiter: str) -> str:
    return "\r\n".join(delimiter.join(row) for row in ROWS) + "\r\n"


@pytest.mark.parametrize(
    "encoded",
    [
        _csv(",").encode("utf-8"),
        codecs.BOM_UTF8 + _csv(",").encode("utf-8"),
        _csv(",").encode("cp1252"),
        _csv(",").encode("utf-16"),  # with its BOM, as Excel's "Unicode text" writes it
    ],
    ids=["utf-8", "utf-8-bom", "windows-1252", "utf-16"],
)
def test_it_reads_csv_in_common_encodings(encoded: bytes) -> None:
    table = parse.read(encoded, "csv")
    assert table.header == ROWS[0]
    assert table.rows == ROWS[1:]


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"])
def test_it_sniffs_the_delimiter(delimiter: str) -> None:
    table = parse.read(_csv(delimiter).encode(), "csv")
    assert table.rows == ROWS[1:]


def test_it_keeps_quoted_delimiters_and_newlines_and_skips_blank_lines() -> None:
    data = 'Name;Note\r\n"Hansen; Per";"two\nlines"\r\n;\r\n\r\nOlsen;x\r\n'
    table = parse.read(data.encode(), "csv")
    assert table.rows == [["Hansen; Per", "two\nlines"], ["Olsen", "x"]]


def test_it_pads_short_rows_and_cuts_long_ones() -> None:
    table = parse.read(b"a,b,c\n1\n1,2,3,4\n", "csv")
    assert table.rows == [["1", "", ""], ["1", "2", "3"]]


def test_it_reads_the_first_sheet_of_an_xlsx_file() -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["First Name", "Last Name", "Employees", "Since"])
    sheet.append(["Ada", "Lovelace", 12.0, None])
    sheet.append([None, None, None, None])
    sheet.append(["Alan", "Turing", 3, "1936"])
    buffer = io.BytesIO()
    book.save(buffer)
    table = parse.read(buffer.getvalue(), "xlsx")
    assert table.header == ["First Name", "Last Name", "Employees", "Since"]
    assert table.rows == [["Ada", "Lovelace", "12", ""], ["Alan", "Turing", "3", "1936"]]


def test_it_reads_several_vcards() -> None:
    data = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ada Lovelace\r\nN:Lovelace;Ada;;;\r\n"
        "ORG:Analytical Engines\\, Ltd\r\nTITLE:Programmer\r\n"
        "EMAIL;TYPE=work:ada@example.test\r\nEMAIL:ada@home.test\r\n"
        "TEL;TYPE=cell:+44 20 7946 0001\r\nTEL;TYPE=work:+44 20 7946 0002\r\n"
        "ADR;TYPE=work:;;12 Long Street;London;;N1 9GU;GB\r\nEND:VCARD\r\n"
        "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Alan Turing\r\nEMAIL:alan@example.test\r\n"
        "NOTE:a very long note that is folded over\r\n  two lines\r\nEND:VCARD\r\n"
    )
    table = parse.read(data.encode(), "vcf")
    assert table.header == parse.VCARD_HEADER
    ada = dict(zip(table.header, table.rows[0], strict=True))
    assert ada == {
        "First name": "Ada",
        "Last name": "Lovelace",
        "Company": "Analytical Engines, Ltd",
        "Job title": "Programmer",
        "Email": "ada@example.test",
        "Other email": "ada@home.test",
        "Phone": "+44 20 7946 0002",
        "Mobile": "+44 20 7946 0001",
        "Street": "12 Long Street",
        "City": "London",
        "Region": "",
        "Postal code": "N1 9GU",
        "Country": "GB",
    }
    alan = dict(zip(table.header, table.rows[1], strict=True))
    assert (alan["First name"], alan["Last name"], alan["Email"]) == (
        "Alan",
        "Turing",
        "alan@example.test",
    )


@pytest.mark.parametrize(
    ("data", "fmt", "message"),
    [
        (b"", "csv", "The file is empty."),
        (b"not a zip", "xlsx", "The file is not a readable XLSX workbook."),
        (b"PK\x03\x04rest", "csv", "This looks like a spreadsheet: save it as .xlsx or CSV."),
        (b"hello", "vcf", "The file holds no vCard."),
        (b"x" * (parse.MAX_BYTES + 1), "csv", "The file is larger than 25 MB."),
    ],
)
def test_it_refuses_unreadable_files(data: bytes, fmt: str, message: str) -> None:
    with pytest.raises(parse.ParseError, match=message.replace(".", r"\.")):
        parse.read(data, fmt)


def test_it_refuses_more_than_the_row_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parse, "MAX_ROWS", 3)
    with pytest.raises(parse.ParseError, match="Use at most 3 rows"):
        parse.read(b"a\n1\n2\n3\n4\n5\n6\n", "csv")


def test_it_refuses_a_workbook_that_unpacks_too_large() -> None:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (parse.MAX_UNPACKED + 1))
    with pytest.raises(parse.ParseError, match="unpacks to more than 100 MB"):
        parse.read(buffer.getvalue(), "xlsx")
