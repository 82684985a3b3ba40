#!/usr/bin/env python
"""Circular rendering in a warm worker: a five-page circular with the CJK fonts against the
same document set in a Latin font only (the ratio is what CJK costs), side by side.

    .venv/bin/python bench/circulars.py            # or: make bench

Each variant runs in a fresh process, as a Celery worker would: it builds its renderer, renders
BENCH_WARMUP circulars, then BENCH_REPEATS timed ones, and reports its peak memory (ru_maxrss).
Results: a table on stdout, JSON in var/bench/circulars.json, the PDFs and PNGs of page 1 and
the last page in var/bench/. Nothing here asserts: it measures, against the targets of issue 5:
≤ 0.4 s median for five pages with CJK fonts, CJK ÷ Latin ≤ 1.3, PDF ≤ 300 KB, peak ≤ 250 MB.
"""

import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
OUT_DIR = ROOT / "var" / "bench"
REPEATS = int(os.environ.get("BENCH_REPEATS", "15"))
WARMUP = int(os.environ.get("BENCH_WARMUP", "3"))
# Latin characters per CJK character: the twin fills the same five pages.
FACTOR = 1.75
TARGETS = {"median_s": 0.4, "ratio": 1.3, "pdf_kb": 300, "peak_mb": 250}

LATIN_PHRASES = (
    "the joint prevention offices of the four regions shall recognise each other's health codes",
    "and exchange their status data every hour so that people travelling between provinces pass",
    "with one code while keeping personal information safe and the checkpoints on provincial",
    "borders open for freight and commuters",
)
LATIN_WORDS = [word for phrase in LATIN_PHRASES for word in phrase.split(" ")]


def latin_text(length: int, seed: int) -> str:
    """Latin words of about `length` characters: a CJK line of 28 characters holds about as much
    as 62 Latin ones, so 2.2 Latin characters stand for one CJK character."""
    words, size, i = [], 0, seed
    while size < length:
        word = LATIN_WORDS[i % len(LATIN_WORDS)]
        words.append(word)
        size += len(word) + 1
        i += 7
    return " ".join(words).capitalize() + "."


def latin_document(document):
    """The same circular, paragraph for paragraph, in Latin words."""
    from dataclasses import replace

    paragraphs = [latin_text(int(len(p) * FACTOR), n) for n, p in enumerate(document.body_paragraphs())]
    return replace(
        document,
        issuer_mark="Regional Cooperation Office",
        document_number="YRD [2026] No. 3",
        title="Notice on the mutual recognition of health codes in the Yangtze River Delta",
        addressee_line="Leading group offices of Shanghai, Jiangsu, Zhejiang and Anhui",
        body="\n".join(paragraphs),
        attachments=["Health code data exchange specification", "Contact list"],
        signature="Regional Cooperation Office",
        signed_on="10 March 2026",
        note="Published",
        copy_to="National Health Commission, provincial general offices",
        printed_by="Regional Cooperation Office",
        printed_on="10 March 2026",
        labels={
            "attachments": "Attachments: ",
            "number": "{n}. ",
            "copy_to": "Copy to: ",
            "printed": " printed",
            "note": "({note})",
            "colon": ":",
            "full_stop": ".",
        },
    )


def worker(variant: str) -> dict:
    """Runs in its own process: returns timings, size, pages and peak memory of one variant."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.conf import settings

    if variant == "latin":
        settings.CIRCULAR_FONT_FILES = {}
        settings.CIRCULAR_FALLBACK_FONT = "DejaVu Serif"
        settings.CIRCULAR_FONT_STACKS = {
            role: ["DejaVu Sans" if role == "hei" else "DejaVu Serif"] for role in settings.CIRCULAR_FONT_STACKS
        }
    from notices.circulars.rendering import get_renderer, render_circular, subsetter_available
    from notices.circulars.samples import health_code_document

    document = health_code_document(pages=5, verify_url="https://yrd.example.gov.cn/circulars/verify/" + "0" * 64 + "/")
    if variant == "latin":
        document = latin_document(document)
    started = time.perf_counter()
    get_renderer()
    rendered = render_circular(document)
    first = time.perf_counter() - started
    for _ in range(WARMUP - 1):
        render_circular(document)
    times, cpu_times = [], []
    for _ in range(REPEATS):
        started, cpu_started = time.perf_counter(), time.process_time()
        rendered = render_circular(document)
        times.append(time.perf_counter() - started)
        cpu_times.append(time.process_time() - cpu_started)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    pdf_path = OUT_DIR / f"circular-{variant}.pdf"
    pdf_path.write_bytes(rendered.pdf)
    return {
        "variant": variant,
        "first_render_s": first,
        "times_s": times,
        "median_s": statistics.median(times),
        "median_cpu_s": statistics.median(cpu_times),
        "p90_s": sorted(times)[int(len(times) * 0.9) - 1] if len(times) >= 10 else max(times),
        "per_minute": 60 / statistics.median(times),
        "pdf_bytes": len(rendered.pdf),
        "pages": rendered.pages,
        "tightening_level": rendered.level,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "harfbuzz_subset": subsetter_available(),
        "pdf": str(pdf_path),
    }


def run_worker(variant: str) -> dict:
    output = subprocess.run(
        [sys.executable, __file__, "--worker", variant], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def pngs(pdf: str, pages: int) -> list[str]:
    made = []
    for page, name in ((1, "page1"), (pages, "last")):
        target = OUT_DIR / f"circular-{name}"
        subprocess.run(
            ["pdftoppm", "-r", "110", "-png", "-singlefile", "-f", str(page), "-l", str(page), pdf, str(target)],
            check=True,
        )
        made.append(f"{target}.png")
    return made


def main() -> None:
    print(
        f"Circular rendering, {REPEATS} timed renders after {WARMUP} warm-up, one fresh process per variant", flush=True
    )
    cjk, latin = run_worker("cjk"), run_worker("latin")
    ratio = cjk["median_s"] / latin["median_s"]
    rows = [
        ("median render, 5 pages", f"{cjk['median_s']:.3f} s", f"{latin['median_s']:.3f} s", "≤ 0.4 s (CJK)"),
        ("90th percentile", f"{cjk['p90_s']:.3f} s", f"{latin['p90_s']:.3f} s", ""),
        ("median CPU time (own process)", f"{cjk['median_cpu_s']:.3f} s", f"{latin['median_cpu_s']:.3f} s", ""),
        ("circulars per minute per worker", f"{cjk['per_minute']:.0f}", f"{latin['per_minute']:.0f}", ""),
        ("first render (cold worker)", f"{cjk['first_render_s']:.2f} s", f"{latin['first_render_s']:.2f} s", ""),
        ("PDF size", f"{cjk['pdf_bytes'] / 1024:.0f} KB", f"{latin['pdf_bytes'] / 1024:.0f} KB", "≤ 300 KB"),
        (
            "pages (tightening level)",
            f"{cjk['pages']} ({cjk['tightening_level']})",
            f"{latin['pages']} ({latin['tightening_level']})",
            "5 (0)",
        ),
        ("peak worker memory", f"{cjk['peak_rss_mb']:.0f} MB", f"{latin['peak_rss_mb']:.0f} MB", "≤ 250 MB"),
    ]
    width = max(len(row[0]) for row in rows)
    print(f"{'':{width}}  {'CJK':>10}  {'Latin':>10}  target")
    for label, a, b, target in rows:
        print(f"{label:{width}}  {a:>10}  {b:>10}  {target}")
    print(f"{'CJK ÷ Latin':{width}}  {ratio:>10.2f}  {'':>10}  ≤ 1.3")
    verdicts = {
        "median_s": cjk["median_s"] <= TARGETS["median_s"],
        "ratio": ratio <= TARGETS["ratio"],
        "pdf_kb": cjk["pdf_bytes"] / 1024 <= TARGETS["pdf_kb"],
        "peak_mb": cjk["peak_rss_mb"] <= TARGETS["peak_mb"],
    }
    print("targets met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in verdicts.items()))
    images = pngs(cjk["pdf"], cjk["pages"])
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "load": os.getloadavg()},
        "cjk": cjk,
        "latin": latin,
        "ratio": ratio,
        "targets": TARGETS,
        "met": verdicts,
        "png": images,
    }
    (OUT_DIR / "circulars.json").write_text(json.dumps(result, indent=2, ensure_ascii=False))
    print(f"JSON: {OUT_DIR / 'circulars.json'}; PDFs and PNGs of page 1 and the last page in {OUT_DIR}")


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--worker":
        print(json.dumps(worker(sys.argv[2])))
    else:
        main()
