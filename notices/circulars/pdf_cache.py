"""Font subsets and their compressed streams, kept between renders of one process.

Writing a circular's PDF spends about a fifth of a render subsetting its five CJK faces (HarfBuzz,
glyph ids retained) and deflating the subsets at pydyf's level 9 — the same work again for every
document that draws the same glyphs of the same face: the page numbers' Song digits and the
red mark's face in almost every circular, everything when one circular is rendered again (issue,
re-render, preview then issue). Both results depend on their input bytes only, so they are
kept here:

- a subset, keyed by the face (a fingerprint of the font file WeasyPrint embeds, and the face's
  index), the glyph ids kept and the options that change HarfBuzz's output (hinting; a .notdef
  outline when glyphs are missing);
- a font stream's deflated bytes, keyed by the subset's bytes themselves (a hit is the same
  bytes object, compared by identity before any byte is).

The PDF comes out byte for byte as without the caches. Both are LRUs bounded by entries and by
bytes held; a lock makes them safe for the threads of one worker. `install()` wraps WeasyPrint's
`Font.subset` and gives its fonts module a pydyf whose `Stream` uses the second cache; it checks
that the WeasyPrint it patches has what it expects, else leaves it alone (renders are then just
slower).
"""

import hashlib
import logging
import threading
import types
from collections import OrderedDict

log = logging.getLogger("notices.circulars")

SUBSET_ENTRIES = 128
SUBSET_BYTES = 32 * 1024 * 1024
STREAM_ENTRIES = 64
STREAM_BYTES = 24 * 1024 * 1024
# Smaller streams (ToUnicode maps, tiny subsets) deflate in microseconds: not worth a slot.
MIN_CACHED_STREAM = 8 * 1024


class BoundedLRU:
    """A least-recently-used mapping bounded by entries and by the bytes of its values."""

    def __init__(self, max_entries: int, max_bytes: int):
        self.max_entries, self.max_bytes = max_entries, max_bytes
        self._items: OrderedDict = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            value = self._items.get(key)
            if value is None:
                self.misses += 1
                return None
            self._items.move_to_end(key)
            self.hits += 1
            return value

    def put(self, key, value: bytes) -> None:
        size = self._size(key, value)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._items.pop(key, None)
            if old is not None:
                self._bytes -= self._size(key, old)
            self._items[key] = value
            self._bytes += size
            while len(self._items) > self.max_entries or self._bytes > self.max_bytes:
                old_key, old_value = self._items.popitem(last=False)
                self._bytes -= self._size(old_key, old_value)

    @staticmethod
    def _size(key, value) -> int:
        # A bytes key (a font subset, for its deflated stream) is held too.
        return len(value) + (len(key) if isinstance(key, bytes) else 0)

    def clear(self) -> None:
        with self._lock:
            self._items.clear()
            self._bytes = 0
            self.hits = self.misses = 0

    def __len__(self) -> int:
        return len(self._items)


subsets = BoundedLRU(SUBSET_ENTRIES, SUBSET_BYTES)
streams = BoundedLRU(STREAM_ENTRIES, STREAM_BYTES)


def clear() -> None:
    subsets.clear()
    streams.clear()


# How much of a font file's start and end its fingerprint reads.
FINGERPRINT_SAMPLE = 64 * 1024


def _face_fingerprint(font) -> tuple[int, bytes]:
    """What identifies the font file WeasyPrint embeds (several faces of a collection share one
    file, told apart by the index in the key): its length and a SHA-256 of its first and last
    64 KB. The start holds the sfnt table directory — every table's offset, length and checksum
    (which HarfBuzz, building the compact copies, fontTools and font editors write) — so two
    font files that differ anywhere differ there in practice; the end holds the last table's
    bytes. Hashing the whole files
    instead (7–8 MB for a circular's five faces) cost ~10 ms a render; no cheaper identity
    (Pango's face pointer, the family name) is safe across FontConfigurations and fonts
    replaced on disk."""
    content = font.file_content
    if len(content) <= 2 * FINGERPRINT_SAMPLE:
        return len(content), hashlib.sha256(content).digest()
    digest = hashlib.sha256(content[:FINGERPRINT_SAMPLE])
    digest.update(content[-FINGERPRINT_SAMPLE:])
    return len(content), digest.digest()


def _cached_subset(original):
    def subset(self, to_unicode, hinting):
        if not to_unicode:
            return original(self, to_unicode, hinting)
        source = self.file_content
        key = (*_face_fingerprint(self), self.index, tuple(sorted(to_unicode)), bool(hinting), bool(self.missing))
        cached = subsets.get(key)
        if cached is not None:
            self.file_content = cached
            return None
        result = original(self, to_unicode, hinting)
        if self.file_content is not source:  # subset made (not the warning that it could not be)
            subsets.put(key, self.file_content)
        return result

    subset.__wrapped__ = original
    subset._yrd_cached = True
    return subset


def _stream_class(pydyf):
    class Stream(pydyf.Stream):
        """pydyf's Stream, its deflated bytes reused when one large bytes item (an embedded
        font) is written again; what `data` returns is the same as pydyf's."""

        @property
        def data(self):
            if not (self.compress and len(self.stream) == 1 and isinstance(self.stream[0], bytes)):
                return super().data
            raw = self.stream[0]
            if len(raw) < MIN_CACHED_STREAM:
                return super().data
            deflated = streams.get(raw)
            if deflated is None:
                compressor = pydyf.zlib.compressobj(level=9)  # pydyf's own level: the same bytes
                deflated = compressor.compress(raw) + compressor.flush()
                streams.put(raw, deflated)
            extra = pydyf.Dictionary(self.extra.copy())
            extra["Filter"] = "/FlateDecode"
            extra["Length"] = len(deflated)
            return b"\n".join((extra.data, b"stream", deflated, b"endstream"))

    return Stream


_installed = False
_install_lock = threading.Lock()


def install() -> bool:
    """Put the caches into WeasyPrint's PDF font writing, once per process; whether they are in."""
    global _installed
    with _install_lock:
        if _installed:
            return True
        import pydyf
        from weasyprint.pdf import fonts

        font = getattr(fonts, "Font", None)
        if (
            font is None
            or not callable(getattr(font, "subset", None))
            or getattr(fonts, "pydyf", None) is not pydyf
            or not hasattr(pydyf, "zlib")
            or not isinstance(getattr(pydyf.Stream, "data", None), property)
        ):
            log.warning("circular fonts: this WeasyPrint is not the one the PDF caches know; not caching")
            return False
        if not getattr(font.subset, "_yrd_cached", False):
            font.subset = _cached_subset(font.subset)
        # Only the fonts module sees the caching Stream: page content streams and images stay pydyf's.
        fonts_pydyf = types.ModuleType("pydyf", "pydyf, its Stream reusing deflated font bytes")
        fonts_pydyf.__dict__.update({k: v for k, v in vars(pydyf).items() if not k.startswith("__")})
        fonts_pydyf.Stream = _stream_class(pydyf)
        fonts.pydyf = fonts_pydyf
        _installed = True
        return True
