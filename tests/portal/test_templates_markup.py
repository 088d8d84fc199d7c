"""Markup rules every template keeps (the Nu checker and axe-core check rendered pages in
tests/browser/test_quality_sweep.py; these catch templates no sweep renders)."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = [
    path
    for app in ("portal", "content", "volunteers", "donations", "assistance")
    for path in (ROOT / app).rglob("templates/**/*.html")
]


def test_no_table_header_is_empty():
    empty = [
        f"{path.relative_to(ROOT)}:{number}"
        for path in TEMPLATES
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if re.search(r"<th(\s[^>]*)?>\s*</th>", line)
    ]
    assert not empty, f"empty <th> (say what the column holds, or use <td>): {empty}"


def test_help_text_ids_are_the_ones_django_points_aria_describedby_at():
    # Django 5 renders aria-describedby="<auto_id>_helptext" on an input with help text.
    wrong = [
        str(path.relative_to(ROOT))
        for path in TEMPLATES
        if re.search(r'id="\{\{ ?field\.auto_id ?\}\}_help"', path.read_text(encoding="utf-8"))
    ]
    assert not wrong, f"help text ids that aria-describedby does not name: {wrong}"
