"""Rendering reads the platform's own static files from disk and nothing else: SSRF probes
(file:///etc/passwd, Redis on localhost, a redirect, an attachment link) leave no trace in the
PDF and make no request."""

import http.server
import re
import subprocess
import threading
import zlib

import pytest

from notices.circulars.fetcher import STATIC_BASE_URL, FetchRefused, RestrictedURLFetcher
from notices.circulars.rendering import get_renderer, render_circular
from notices.circulars.samples import health_code_document


class CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self):
        CountingHandler.hits.append(self.path)
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "file:///etc/passwd")
            self.end_headers()
        else:
            self.send_response(200)
            self.send_header("Content-Type", "image/png")
            self.end_headers()
            self.wfile.write(b"not really a png")

    def log_message(self, *args):
        pass


@pytest.fixture
def listener():
    """A local HTTP server that counts what reaches it."""
    CountingHandler.hits = []
    server = http.server.HTTPServer(("127.0.0.1", 0), CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def probes(origin: str) -> list[str]:
    return [
        "file:///etc/passwd",
        "http://127.0.0.1:6379/",
        f"{origin}/redirect",
        f"{origin}/image.png",
        "https://example.com/logo.png",
        f"{STATIC_BASE_URL}static/../../../../etc/passwd",
        f"{STATIC_BASE_URL}static/%2e%2e/%2e%2e/config/settings.py",
        "data:text/plain,hello",
    ]


def test_the_fetcher_serves_static_files_and_configured_fonts_only(listener, settings):
    fetcher = RestrictedURLFetcher()
    response = fetcher.fetch(f"{STATIC_BASE_URL}static/circulars/official-document.css")
    assert b"@page" in response.read()
    response.close()
    font = next(iter(settings.CIRCULAR_FONT_FILES.values()))
    fetcher.fetch(f"file://{font}").close()
    for url in probes(listener):
        with pytest.raises(FetchRefused):
            fetcher.fetch(url)
    assert CountingHandler.hits == []


def embedded_streams(pdf: bytes) -> str:
    """The PDF's objects, streams inflated, as text."""
    parts = [pdf.decode("latin-1")]
    for match in re.finditer(rb"stream\r?\n", pdf):
        try:
            parts.append(zlib.decompressobj().decompress(pdf[match.end() : match.end() + 2_000_000]).decode("latin-1"))
        except zlib.error:
            continue
    return "\n".join(parts)


def test_probes_in_a_documents_html_leave_no_trace_and_make_no_request(listener, tmp_path):
    origin = listener
    html = (
        '<html><head><link rel="stylesheet" href="http://127.0.0.1:6379/x.css">'
        f'<link rel="attachment" href="{STATIC_BASE_URL}static/circulars/official-document.css" title="leak">'
        f'<link rel="attachment" href="{origin}/attachment">'
        "<style>body { background: url(file:///etc/passwd) }</style></head><body>"
        '<p>正文</p><img src="file:///etc/passwd"><img src="http://127.0.0.1:6379/">'
        f'<img src="{origin}/redirect"><img src="{origin}/image.png">'
        f'<a rel="attachment" href="{origin}/a.txt">附件</a>'
        '<iframe src="file:///etc/passwd"></iframe><object data="file:///etc/shadow"></object>'
        "</body></html>"
    )
    rendered = get_renderer().render_html(html)
    assert CountingHandler.hits == []
    assert len(rendered.refused) >= 6
    content = embedded_streams(rendered.pdf)
    assert "root:" not in content
    assert "/EmbeddedFile" not in content and "/FileAttachment" not in content
    assert "/Subtype /Image" not in content and "/Subtype/Image" not in content
    path = tmp_path / "probe.pdf"
    path.write_bytes(rendered.pdf)
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "root:" not in text
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True, check=True).stdout
    assert len(images.strip().splitlines()) == 2  # the header only


def test_markup_in_a_circulars_text_is_printed_as_text_not_fetched(issue, listener):
    body = f'请见<img src="file:///etc/passwd"><img src="{listener}/redirect"><link rel=attachment href="x">附件。'
    circular = issue(body=body, note="<b>内部</b>")
    assert circular.status == circular.Status.ISSUED, circular.failure_reason
    assert CountingHandler.hits == []
    with circular.pdf.open("rb") as pdf:
        data = pdf.read()
    assert "root:" not in embedded_streams(data)
    assert "/Subtype /Image" not in embedded_streams(data)


def test_a_real_circular_needs_nothing_but_static_files_and_fonts():
    assert render_circular(health_code_document(pages=1)).refused == ()
