"""A quote as a PDF: the document template rendered by WeasyPrint.

WeasyPrint is imported when a PDF is asked for, so the app still starts on a
machine without Pango; there the PDF answers say so (PdfUnavailable).
"""

from __future__ import annotations

import logging
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation

from amity.core.models import Workspace
from amity.sales import quotes
from amity.sales.models import Quote

log = logging.getLogger("amity.sales")


class PdfUnavailable(Exception):
    """WeasyPrint or the system libraries it needs (Pango) are missing."""


def workspace_name(workspace_id: int) -> str:
    return Workspace.objects.filter(pk=workspace_id).values_list("name", flat=True).first() or ""


def document_context(quote: Quote) -> dict[str, Any]:
    """What the quote document shows: sender, customer, lines and totals."""
    lines = quotes.lines_of(quote)
    company, person = quotes.customer_of(quote)
    settings = quotes.quote_settings(quote.workspace_id)
    return {
        "quote": quote,
        "lines": lines,
        "totals": quotes.quote_totals(quote, lines),
        "company": company,
        "person": person,
        "sender": workspace_name(quote.workspace_id),
        "sender_details": settings.company_details,
        "logo": settings.logo,
    }


def render(quote: Quote, language: str | None = None) -> bytes:
    """Return the quote's PDF bytes; raise PdfUnavailable where WeasyPrint cannot run."""
    try:
        import weasyprint  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        log.error("WeasyPrint is unavailable: %s", exc)
        raise PdfUnavailable(str(exc)) from exc
    with translation.override(language or translation.get_language()):
        html = render_to_string("sales/quote_pdf.html", document_context(quote))
    # Only the data: URI logo may load: nothing in a quote reaches the network or disk.
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"})
    pdf: bytes = weasyprint.HTML(string=html, url_fetcher=fetcher).write_pdf()
    return pdf
