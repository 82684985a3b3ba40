"""The documents' stylesheets parsed once per process, not once per layout.

Every layout of a circular — two per render (the text, then the 版记's page), more when it is
tightened — has WeasyPrint parse the linked official-document.css and the template's <style>
again: tokenising, validating every declaration and compiling every selector, ~6 ms a sheet,
about a tenth of a render. The result depends on the sheet's text (and its base URL, encodings and
media type) only, so it is kept here, keyed by the text as fetched — a changed file is parsed
anew — in a bounded LRU.

What is shared is what WeasyPrint only reads after parsing: the sheet's selector matcher and its
@page rules. The per-document parts stay per document: each use gets its own CSS object whose
@page rules are appended to the document's list, as parsing them there would (WeasyPrint reads
every author sheet's rules from that one list). Sheets whose parsing touches anything else of the
document — @font-face (the FontConfiguration), @counter-style, @color-profile, @import, @layer —
are never cached, nor sheets built with a matcher or layer of their caller's: they are parsed as
before.

`install()` puts the caching class where WeasyPrint's `find_stylesheets` looks `CSS` up (the
module global of weasyprint.css), for the <style> and <link> sheets of documents only; it checks
that the WeasyPrint it patches has what it expects, else leaves it alone.
"""

import logging
import threading

import tinycss2

from notices.circulars.pdf_cache import BoundedLRU

log = logging.getLogger("notices.circulars")

SHEET_ENTRIES = 64
# At-rules whose parsing only adds selectors and @page rules; any other (or an unknown one,
# which WeasyPrint only warns about) keeps a sheet out of the cache.
CACHEABLE_AT_RULES = {"media", "page"}


class _Sheet:
    """A parsed sheet: what a document reads of it."""

    __slots__ = ("base_url", "matcher", "page_rules")

    def __init__(self, base_url, matcher, page_rules):
        self.base_url, self.matcher, self.page_rules = base_url, matcher, page_rules


class _SheetLRU(BoundedLRU):
    @staticmethod
    def _size(key, value) -> int:
        return len(key[0])  # the text; what it parses to is of the same order


sheets = _SheetLRU(SHEET_ENTRIES, 8 * 1024 * 1024)


def clear() -> None:
    sheets.clear()


def cacheable(rules) -> bool:
    """Whether a parsed stylesheet holds only qualified rules, @page and @media (recursively)."""
    for rule in rules:
        if rule.type != "at-rule":
            continue
        if rule.lower_at_keyword not in CACHEABLE_AT_RULES:
            return False
        if (
            rule.lower_at_keyword == "media"
            and rule.content is not None
            and not cacheable(tinycss2.parse_rule_list(rule.content))
        ):
            return False
    return True


def _caching_css_class(base):
    """A subclass of weasyprint.CSS that takes its parsed sheet from the cache."""
    import cssselect2
    from weasyprint.css import preprocess_stylesheet
    from weasyprint.urls import URLFetcher, select_source

    class CachingCSS(base):
        def __init__(
            self,
            guess=None,
            filename=None,
            url=None,
            file_obj=None,
            string=None,
            encoding=None,
            base_url=None,
            url_fetcher=None,
            _check_mime_type=False,
            media_type="print",
            font_config=None,
            counter_style=None,
            color_profiles=None,
            matcher=None,
            page_rules=None,
            layers=None,
            layer=None,
        ):
            if matcher is not None or layer is not None or guess is not None or filename is not None:
                # Not how find_stylesheets builds a document's sheet: parsed as before.
                super().__init__(
                    guess, filename, url, file_obj, string, encoding, base_url, url_fetcher, _check_mime_type,
                    media_type, font_config, counter_style, color_profiles, matcher, page_rules, layers, layer,
                )  # fmt: skip
                return
            if url_fetcher is None:
                url_fetcher = URLFetcher()
            base_url = str(base_url) if base_url is not None and not isinstance(base_url, str) else base_url
            # As CSS.__init__ reads its source (the fetcher asked as before, so a changed file
            # is a new key and the fetcher's log stays complete).
            with select_source(
                None,
                None,
                url,
                file_obj,
                string,
                base_url=base_url,
                url_fetcher=url_fetcher,
                check_css_mime_type=_check_mime_type,
            ) as (source, source_base_url, protocol_encoding, _mime_type):
                css = source.read()
            key = (css, source_base_url, encoding, protocol_encoding, media_type)
            sheet = sheets.get(key)
            if sheet is None:
                if isinstance(css, str):
                    rules = tinycss2.parse_stylesheet(css)
                else:
                    rules, _ = tinycss2.parse_stylesheet_bytes(
                        css, environment_encoding=encoding, protocol_encoding=protocol_encoding
                    )
                if not cacheable(rules):
                    self._parse(
                        rules, source_base_url, media_type, url_fetcher, cssselect2.Matcher(), page_rules,
                        layers, font_config, counter_style, color_profiles,
                    )  # fmt: skip
                    return
                own_page_rules = []
                matcher = cssselect2.Matcher()
                # No @font-face, @counter-style or @color-profile here (cacheable): these are
                # not touched, but WeasyPrint wants them.
                preprocess_stylesheet(
                    media_type, source_base_url, rules, url_fetcher, matcher, own_page_rules, [],
                    font_config, {}, {},
                )  # fmt: skip
                sheet = _Sheet(source_base_url, matcher, tuple(own_page_rules))
                sheets.put(key, sheet)
            self.base_url = sheet.base_url
            self.matcher = sheet.matcher
            self.page_rules = [] if page_rules is None else page_rules
            self.page_rules.extend(sheet.page_rules)
            self.layers = [] if layers is None else layers

        def _parse(
            self, rules, base_url, media_type, url_fetcher, matcher, page_rules, layers, font_config,
            counter_style, color_profiles,
        ):  # fmt: skip
            """WeasyPrint's own parsing, into the document's accumulators (what CSS.__init__ does)."""
            self.base_url = base_url
            self.matcher = matcher
            self.page_rules = [] if page_rules is None else page_rules
            self.layers = [] if layers is None else layers
            preprocess_stylesheet(
                media_type, base_url, rules, url_fetcher, self.matcher, self.page_rules, self.layers,
                font_config, {} if counter_style is None else counter_style,
                {} if color_profiles is None else color_profiles,
            )  # fmt: skip

    CachingCSS.__name__ = CachingCSS.__qualname__ = "CSS"
    CachingCSS._yrd_cached = True
    return CachingCSS


_installed = False
_install_lock = threading.Lock()


def install() -> bool:
    """Have WeasyPrint's find_stylesheets build documents' sheets from the cache, once per
    process; whether it does."""
    global _installed
    with _install_lock:
        if _installed:
            return True
        import inspect

        import weasyprint
        from weasyprint import css as weasyprint_css

        expected = [
            "self", "guess", "filename", "url", "file_obj", "string", "encoding", "base_url", "url_fetcher",
            "_check_mime_type", "media_type", "font_config", "counter_style", "color_profiles", "matcher",
            "page_rules", "layers", "layer",
        ]  # fmt: skip
        current = getattr(weasyprint_css, "CSS", None)
        if getattr(current, "_yrd_cached", False):
            _installed = True
            return True
        if (
            current is not weasyprint.CSS
            or list(inspect.signature(weasyprint.CSS.__init__).parameters) != expected
            or not callable(getattr(weasyprint_css, "find_stylesheets", None))
            or not callable(getattr(weasyprint_css, "preprocess_stylesheet", None))
        ):
            log.warning("circular rendering: this WeasyPrint is not the one the stylesheet cache knows; not caching")
            return False
        weasyprint_css.CSS = _caching_css_class(weasyprint.CSS)
        _installed = True
        return True
