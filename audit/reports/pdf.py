"""All WeasyPrint code: render a report template from plain values to PDF bytes.

WeasyPrint fetches every stylesheet, image and font the HTML names. Our fetcher serves only
files from our own ``static/`` folder (by their ``/static/…`` path) and ``data:`` URIs (photo
thumbnails are embedded that way); ``file://``, ``http(s)://`` and everything else is refused,
so a report can never read local files or reach the network.
"""
from __future__ import annotations

import base64
import mimetypes
import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, render_template
from flask_babel import force_locale

from ..config import format_locale

STATIC_PREFIX = "/static/"
BASE_URL = "report:/"  # a scheme of our own: nothing WeasyPrint could open by itself


class ForbiddenResource(ValueError):
    """WeasyPrint asked for something outside our static files."""


def _static_file(url: str, static_root: Path) -> Path:
    """The file under ``static_root`` that ``url`` names, or ForbiddenResource."""
    path = url[len("report:"):] if url.startswith("report:") else url
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith(STATIC_PREFIX):
        raise ForbiddenResource(f"reports may not load {url!r}")
    root = static_root.resolve()
    target = (root / unquote(parts.path[len(STATIC_PREFIX):])).resolve()
    if root not in target.parents or not target.is_file():
        raise ForbiddenResource(f"no such static file: {parts.path!r}")
    return target


def static_only_fetcher(static_root: Path):
    """A WeasyPrint URL fetcher that serves our static files and ``data:`` URIs, nothing else.

    Refused URLs are skipped by WeasyPrint with a warning; the report renders without them.
    """
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        def __init__(self) -> None:
            super().__init__(allowed_protocols=("data",), allow_redirects=False)

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            target = _static_file(url, static_root)
            mime = mimetypes.guess_type(target.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, body=target.read_bytes(), headers={"Content-Type": mime})

    return StaticOnlyFetcher()


def render_html(template: str, context: dict, lang: str) -> str:
    """The report's HTML in ``lang`` (en, ru, lt, lv), its dates and numbers formatted as the
    pages format them (English as en_GB: the ``date`` filter wrote "Dec 9, 2026" and "12/9/2026"
    in a report whose other days read "9 Dec 2026" and "09/12/2026")."""
    with force_locale(format_locale(lang)):
        return render_template(template, lang=lang, **context)


#: An inline chart of :mod:`audit.reports.charts` (they never nest), with its label.
_INLINE_SVG = re.compile(r'<svg xmlns="http://www.w3.org/2000/svg"[^>]*?aria-label="([^"]*)".*?</svg>', re.S)


def svg_as_images(html: str) -> str:
    """Each inline SVG chart as an ``<img>`` of a ``data:`` URI, its label as the alt text.

    WeasyPrint draws both alike, but an inline chart's hundreds of elements also go through
    the HTML parser and the CSS cascade of the whole document first: as images, the chain
    report of 300 branches renders about a tenth faster (bench/chain_bench.py).
    """
    def image(match: re.Match) -> str:
        data = base64.b64encode(match.group(0).encode("utf-8")).decode("ascii")
        # A chart of its own size (charts._svg's natural) stays so as an image (its width and height).
        natural = " natural" if ' class="natural"' in match.group(0).split(">", 1)[0] else ""
        return f'<img class="chart-image{natural}" alt="{match.group(1)}" src="data:image/svg+xml;base64,{data}">'

    return _INLINE_SVG.sub(image, html)


def html_to_pdf(html: str) -> bytes:
    from weasyprint import HTML

    fetcher = static_only_fetcher(Path(current_app.static_folder))
    return HTML(string=svg_as_images(html), base_url=BASE_URL, url_fetcher=fetcher).write_pdf()


def render_pdf(template: str, context: dict, lang: str) -> bytes:
    """Render ``template`` with plain values (never ORM objects) and return the PDF bytes."""
    return html_to_pdf(render_html(template, context, lang))
