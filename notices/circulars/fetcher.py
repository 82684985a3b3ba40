"""The only URL fetcher official documents are rendered with: the platform's own static files,
read from disk, and the configured font files — nothing else (STYLE.md §11, WeasyPrint#1388).

Templates link static files with `{% static %}`; they resolve against STATIC_BASE_URL, an
origin under the reserved `.invalid` domain that no resolver answers, and are mapped here to
the files the staticfiles finders or STATIC_ROOT hold. Everything else is refused
without a request: http(s) anywhere else, `file:` outside those files, `data:`, redirects
(never followed: nothing is requested). It keeps rendering fast and closes SSRF and local-file
reads. Each refusal is logged on the `notices.circulars` logger and counted.
"""

import logging
import mimetypes
import posixpath
from pathlib import Path
from urllib.parse import unquote, urlsplit
from urllib.request import url2pathname

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.exceptions import SuspiciousFileOperation
from weasyprint.urls import URLFetcher, URLFetcherResponse

log = logging.getLogger("notices.circulars")

STATIC_BASE_URL = "https://static.circulars.invalid/"


class FetchRefused(ValueError):
    """A URL the document may not load."""


def static_file_path(relative: str) -> Path | None:
    """The file on disk behind a static path (e.g. "circulars/official-document.css")."""
    relative = posixpath.normpath(unquote(relative)).lstrip("/")
    if relative.startswith("..") or "\x00" in relative:
        return None
    try:
        found = finders.find(relative)
        if not found and settings.STATIC_ROOT:
            candidate = (Path(settings.STATIC_ROOT) / relative).resolve()
            if candidate.is_relative_to(Path(settings.STATIC_ROOT).resolve()) and candidate.is_file():
                found = str(candidate)
    except SuspiciousFileOperation:
        return None
    return Path(found) if found else None


def static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT).resolve()] if settings.STATIC_ROOT else []
    for finder in finders.get_finders():
        for storage in getattr(finder, "storages", {}).values():
            location = getattr(storage, "location", None)
            if location:
                roots.append(Path(location).resolve())
    return roots


class RestrictedURLFetcher(URLFetcher):
    """A WeasyPrint URL fetcher that never opens a connection."""

    def __init__(self):
        super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
        self.refused: list[str] = []
        self.served: list[str] = []
        self._font_files = {str(Path(path).resolve()) for path in settings.CIRCULAR_FONT_FILES.values()}

    def fetch(self, url, headers=None):
        path = self._resolve(url)
        if path is None:
            self.refused.append(url)
            log.warning("circular rendering refused to fetch %s", url[:200])
            raise FetchRefused(f"refused: {url[:200]}")
        self.served.append(url)
        mime_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        # WeasyPrint closes the file once read.
        return URLFetcherResponse(path.as_uri(), body=path.open("rb"), headers={"Content-Type": mime_type})

    def _resolve(self, url: str) -> Path | None:
        try:
            parts = urlsplit(url)
        except ValueError:
            return None
        if url.startswith(STATIC_BASE_URL):
            static_url = "/" + settings.STATIC_URL.strip("/") + "/"
            if not parts.path.startswith(static_url) or parts.query:
                return None
            return static_file_path(parts.path[len(static_url) :])
        if parts.scheme == "file" and parts.netloc in ("", "localhost") and not parts.query:
            try:
                path = Path(url2pathname(parts.path)).resolve(strict=True)
            except (OSError, RuntimeError):
                return None
            if str(path) in self._font_files:
                return path
            if path.suffix == ".otf" and path.is_relative_to(Path(settings.CIRCULAR_FONT_CACHE_DIR).resolve()):
                return path  # a compact copy of a CJK face (compact_fonts.py)
            if path.is_file() and any(path.is_relative_to(root) for root in static_roots()):
                return path
        return None
