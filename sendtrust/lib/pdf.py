"""HTML to PDF with WeasyPrint, offline: a page's own template becomes its PDF.

Stylesheets and images under STATIC_URL are read from the static files on disk (the app
servers may not be able to reach their own public address, and a request to themselves could
wait for a worker that is busy rendering this PDF). Any other URL is refused, so a PDF never
fetches anything from the network.
"""

from __future__ import annotations

import mimetypes
from urllib.parse import unquote, urlparse

from django.conf import settings
from django.contrib.staticfiles import finders

BASE_URL = "https://sendtrust.invalid/"


class OfflineFetchError(ValueError):
    pass


def static_file(url: str) -> tuple[bytes, str]:
    """The bytes and MIME type of a STATIC_URL path on disk; refuse anything else."""
    path = unquote(urlparse(url).path)
    prefix = "/" + settings.STATIC_URL.lstrip("/")
    if not path.startswith(prefix):
        raise OfflineFetchError(f"PDFs fetch nothing from the network: {url}")
    found = finders.find(path[len(prefix):])
    if not found:
        raise OfflineFetchError(f"no static file for {url}")
    with open(found, "rb") as f:
        return f.read(), mimetypes.guess_type(found)[0] or "application/octet-stream"


def _fetcher():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url, headers=None):
            body, mime = static_file(url)
            return URLFetcherResponse(url, body=body, headers={"Content-Type": mime})

    return StaticOnly()


def html_to_pdf(html: str) -> bytes:
    """Render an HTML document (with its print stylesheet) to PDF bytes."""
    from weasyprint import HTML  # imported here: it loads Pango, which pages do not need

    return HTML(string=html, base_url=BASE_URL, url_fetcher=_fetcher()).write_pdf()
