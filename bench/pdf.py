"""Benchmark: time and size of a one-page Chinese receipt through portal.pdf.render_pdf.

    python bench/pdf.py                  # 20 receipts with the shipped font
    python bench/pdf.py --n 50
    python bench/pdf.py --system-fonts   # without the shipped font, for comparison: whatever
                                         # CJK font fontconfig picks (Noto Sans CJK on Debian)

Prints one JSON line: seconds_per_pdf (mean wall time of render_pdf, template rendering and
WeasyPrint layout and writing included, after one warm-up document), bytes_per_pdf, and
details (cpu_seconds_per_pdf is the CPU time of the process, the wall time of an idle
machine). Targets (issue 2, item 8): under 0.5 s and under 100 KB.

The receipt needs no tables, but the benchmark builds a test database like every other one
(DESIGN.md, Benchmarks), so that it never touches real data.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.test")

import django

django.setup()

from django.conf import settings
from django.db import connection
from django.test.utils import setup_test_environment, teardown_test_environment

from portal.pdf import render_pdf
from tests.factories.documents import sample_receipt_context

TEMPLATE = "tests/pdf/sample_receipt.html"


def main(argv=None):
    parser = argparse.ArgumentParser(description="Time a one-page Chinese receipt PDF.")
    parser.add_argument("--n", type=int, default=20, help="receipts to time (default 20)")
    parser.add_argument("--system-fonts", action="store_true", help="do not use the shipped font")
    args = parser.parse_args(argv)

    if args.system_fonts:
        settings.PDF_FONT_PATH = ROOT / "no-such-font.ttf"
        settings.PDF_FONT_BOLD_PATH = ROOT / "no-such-font-Bold.ttf"
        settings.PDF_FONT_SUPPLEMENT_PATH = ROOT / "no-such-font-Supplement.ttf"

    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        context = sample_receipt_context()
        started = time.perf_counter()
        _, _, first = render_pdf(TEMPLATE, context, "receipt.pdf", language="zh-hans")
        first_seconds = time.perf_counter() - started

        times, sizes = [], []
        cpu_started = time.process_time()
        for _ in range(args.n):
            started = time.perf_counter()
            _, _, content = render_pdf(TEMPLATE, context, "receipt.pdf", language="zh-hans")
            times.append(time.perf_counter() - started)
            sizes.append(len(content))
        cpu_seconds = (time.process_time() - cpu_started) / args.n
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()

    import io

    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    fonts = reader.pages[0]["/Resources"]["/Font"]
    figures = {
        "seconds_per_pdf": round(statistics.mean(times), 4),
        "bytes_per_pdf": round(statistics.mean(sizes)),
        # CPU time of this process: what the wall time would be on an idle machine.
        "cpu_seconds_per_pdf": round(cpu_seconds, 4),
        "median_seconds": round(statistics.median(times), 4),
        "min_seconds": round(min(times), 4),
        "first_pdf_seconds": round(first_seconds, 4),
        "pages": len(reader.pages),
        "pdfs": args.n,
        "fonts": sorted(str(fonts[name].get_object()["/BaseFont"])[8:] for name in fonts),
        "font_source": "system" if args.system_fonts else Path(settings.PDF_FONT_PATH).name,
        "target_seconds": 0.5,
        "target_bytes": 100_000,
    }
    print(json.dumps(figures, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
