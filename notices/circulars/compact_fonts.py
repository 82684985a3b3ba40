"""Compact copies of the large CJK faces: Noto CJK cut down to GB 2312's common characters.

WeasyPrint subsets fonts keeping glyph ids (HB_SUBSET_FLAGS_RETAIN_GIDS), so a subset of a
65,000-glyph Noto CJK face still carries empty entries up to its highest glyph used: about
85 KB per face in the PDF, even for the ten characters of a red mark, and a 20–27 MB
collection copied into memory per face and render. A copy holding GB 2312's symbols and its
3,755 level-1 characters (those of almost every 公文), Latin and the CJK punctuation has about
4,400 glyphs (~15 KB in a PDF); it is built once per machine into
settings.CIRCULAR_FONT_CACHE_DIR (a few tenths of a second per face), declared with @font-face
as "<family> GB2312" and put before the full face in its stack — which still draws any
character the copy lacks.
"""

import hashlib
import logging
import os
import re
from functools import cache
from pathlib import Path

from django.conf import settings

log = logging.getLogger("notices.circulars")

VERSION = 2  # bump when the copies change: new file names, rebuilt on next start
SUFFIX = " GB2312"
# Code point ranges kept besides GB 2312: ASCII and Latin, general punctuation, CJK symbols and
# punctuation, full- and half-width forms.
RANGES = [(0x20, 0x7E), (0xA0, 0x24F), (0x2000, 0x206F), (0x2E80, 0x2EFF), (0x3000, 0x303F), (0xFF00, 0xFFEF)]
# Tables a horizontal PDF subset never needs (WeasyPrint drops GSUB/GPOS from its subsets too);
# dropping GSUB also keeps its closure from pulling in thousands of variant glyphs.
DROP_TABLES = (b"GSUB", b"GPOS", b"vmtx", b"vhea", b"VORG", b"BASE", b"DSIG", b"JSTF")

_CDEF = """
typedef struct hb_blob_t hb_blob_t;
typedef struct hb_face_t hb_face_t;
typedef struct hb_set_t hb_set_t;
typedef struct hb_subset_input_t hb_subset_input_t;
hb_blob_t *hb_blob_create_from_file_or_fail (const char *file_name);
void hb_blob_destroy (hb_blob_t *blob);
const char *hb_blob_get_data (hb_blob_t *blob, unsigned int *length);
hb_face_t *hb_face_create (hb_blob_t *blob, unsigned int index);
void hb_face_destroy (hb_face_t *face);
hb_blob_t *hb_face_reference_blob (hb_face_t *face);
void hb_set_add (hb_set_t *set, uint32_t codepoint);
void hb_set_add_range (hb_set_t *set, uint32_t first, uint32_t last);
uint32_t hb_tag_from_string (const char *str, int len);
hb_subset_input_t *hb_subset_input_create_or_fail (void);
void hb_subset_input_destroy (hb_subset_input_t *input);
hb_set_t *hb_subset_input_unicode_set (hb_subset_input_t *input);
hb_set_t *hb_subset_input_set (hb_subset_input_t *input, int set_type);
void hb_subset_input_set_flags (hb_subset_input_t *input, unsigned value);
hb_face_t *hb_subset_or_fail (hb_face_t *source, const hb_subset_input_t *input);
"""
HB_SUBSET_SETS_DROP_TABLE_TAG = 3


@cache
def _harfbuzz():
    from cffi import FFI

    ffi = FFI()
    ffi.cdef(_CDEF)
    return ffi, ffi.dlopen("libharfbuzz.so.0"), ffi.dlopen("libharfbuzz-subset.so.0")


@cache
def gb2312_characters() -> frozenset[int]:
    """GB 2312's symbols (rows 1–9) and level-1 characters (rows 16–55)."""
    characters = set()
    for high in [*range(0xA1, 0xAA), *range(0xB0, 0xD8)]:
        for low in range(0xA1, 0xFF):
            try:
                characters.add(ord(bytes((high, low)).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    return frozenset(characters)


def compact_family(family: str) -> str:
    return family + SUFFIX


def compact_path(source: str, index: int, family: str) -> Path:
    stat = os.stat(source)
    key = f"{VERSION}:{source}:{index}:{stat.st_size}:{int(stat.st_mtime)}"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", family).strip("-")
    return Path(settings.CIRCULAR_FONT_CACHE_DIR) / f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:12]}.otf"


def build_compact_face(source: str, index: int, target: Path) -> None:
    """Subset face `index` of `source` to GB 2312 and the ranges above, glyph ids renumbered."""
    ffi, harfbuzz, subset = _harfbuzz()
    blob = harfbuzz.hb_blob_create_from_file_or_fail(source.encode())
    if blob == ffi.NULL:
        raise OSError(f"cannot read {source}")
    face = harfbuzz.hb_face_create(blob, index)
    request = subset.hb_subset_input_create_or_fail()
    try:
        unicodes = subset.hb_subset_input_unicode_set(request)
        for first, last in RANGES:
            harfbuzz.hb_set_add_range(unicodes, first, last)
        for codepoint in gb2312_characters():
            harfbuzz.hb_set_add(unicodes, codepoint)
        dropped = subset.hb_subset_input_set(request, HB_SUBSET_SETS_DROP_TABLE_TAG)
        for tag in DROP_TABLES:
            harfbuzz.hb_set_add(dropped, harfbuzz.hb_tag_from_string(tag, 4))
        subset.hb_subset_input_set_flags(request, 0)
        result = subset.hb_subset_or_fail(face, request)
        if result == ffi.NULL:
            raise OSError(f"HarfBuzz could not subset {source}")
        result_blob = harfbuzz.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = ffi.unpack(harfbuzz.hb_blob_get_data(result_blob, length), int(length[0]))
        harfbuzz.hb_blob_destroy(result_blob)
        harfbuzz.hb_face_destroy(result)
    finally:
        subset.hb_subset_input_destroy(request)
        harfbuzz.hb_face_destroy(face)
        harfbuzz.hb_blob_destroy(blob)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(f".{os.getpid()}.tmp")
    partial.write_bytes(data)
    partial.replace(target)  # atomic: several workers may build the same copy at once


def compact_copy(source: str, index: int, family: str) -> Path | None:
    """The compact copy of a face, built if missing; None when it cannot be built (the full
    face then serves alone)."""
    target = compact_path(source, index, family)
    if target.is_file():
        return target
    try:
        build_compact_face(source, index, target)
    except (OSError, AttributeError) as exc:
        log.warning("circular fonts: no compact copy of %s (%s); using the full face", family, exc)
        return None
    log.info("circular fonts: built %s (%s KB)", target.name, target.stat().st_size // 1024)
    return target
