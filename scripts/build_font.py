"""Build the CJK font that every PDF embeds: portal/fonts/NotoSansSC-GB2312.ttf (and -Bold).

Why: WeasyPrint subsets the embedded font each time it writes a PDF. Subsetting Debian's full
Noto Sans CJK collection (CFF outlines, 65,535 glyphs) takes about 5 s per one-page receipt;
a GB2312-sized subset of the Simplified Chinese face with TrueType (glyf) outlines takes well
under half a second and gives PDFs of a few tens of KB.

What it does, per weight:
  1. opens the "Noto Sans CJK SC" face of the collection (fonts-noto-cjk, OFL 1.1);
  2. keeps only the characters of GB2312 (all 6,763 hanzi and 682 symbols, via Python's
     'gb2312' codec) plus ASCII, Latin-1, general punctuation, CJK punctuation, full-width
     forms, enclosed numbers (①, ⑴, ⒈, ㈠), Roman numerals, arrows and a few marks used on forms
     (□ ■ ✓ ★), whatever of these the face has;
  3. drops hinting, vertical metrics and tables a PDF never uses;
  4. converts the cubic CFF outlines to quadratic TrueType outlines (like fontTools'
     otf2ttf snippet: Cu2QuPen into TTGlyphPen);
  5. renames it "Noto Sans SC GB2312" (a modified version, as the OFL asks; "Noto" is not a
     Reserved Font Name) and saves it.

Run from the project root (needs fontTools and the fonts-noto-cjk package):

    python scripts/build_font.py            # Regular and Bold
    python scripts/build_font.py --check    # also report size, glyph count and coverage
"""

import argparse
import sys
import time
from pathlib import Path

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

ROOT = Path(__file__).resolve().parent.parent
OUT_DIR = ROOT / "portal" / "fonts"
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCES = {
    "Regular": SOURCE_DIR / "NotoSansCJK-Regular.ttc",
    "Bold": SOURCE_DIR / "NotoSansCJK-Bold.ttc",
}
FACE_FAMILY = "Noto Sans CJK SC"
NEW_FAMILY = "Noto Sans SC GB2312"
NEW_PS_FAMILY = "NotoSansSC-GB2312"

# Maximum distance, in font units (1000 per em), between a cubic curve and its quadratic
# approximation: 1 unit is what otf2ttf uses and invisible at any printed size.
MAX_ERR = 1.0

EXTRA_RANGES = [
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 (¥ © ° ± × ÷ ...)
    (0x0100, 0x017F),  # Latin Extended-A (pinyin vowels with tones, names)
    (0x01CD, 0x01DC),  # pinyin ǎ ǐ ǒ ǔ ǖ ǘ ǚ ǜ
    (0x02C6, 0x02DD),  # modifier letters (ˇ ˉ ˊ ˋ ˙)
    (0x2000, 0x206F),  # general punctuation (— – ‘ ’ “ ” … ‰ ※)
    (0x20A0, 0x20BF),  # currency (€ ₩)
    (0x2100, 0x214F),  # letterlike (℃ № ℉ ™)
    (0x2150, 0x218F),  # number forms (Ⅰ-Ⅻ, ⅰ-ⅻ)
    (0x2190, 0x21FF),  # arrows
    (0x2200, 0x22FF),  # mathematical operators
    (0x2460, 0x24FF),  # enclosed alphanumerics (① ⑴ ⒈ Ⓐ)
    (0x2500, 0x257F),  # box drawing
    (0x25A0, 0x25FF),  # geometric shapes (■ □ ▲ ● ○ ◎ ◆)
    (0x2600, 0x26FF),  # miscellaneous symbols (★ ☆; Noto CJK has no ☐ ☑)
    (0x2700, 0x27BF),  # dingbats (✓ ✔ ✗ ✘)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》「」【】〔〕)
    (0x3200, 0x32FF),  # enclosed CJK letters and months (㈠ ㊀)
    (0x3300, 0x33FF),  # CJK compatibility (㎡ ㎏ ㎎ ㏄)
    (0xFE30, 0xFE4F),  # CJK compatibility forms
    (0xFF00, 0xFFEF),  # half-width and full-width forms
]


def gb2312_characters():
    """Every character of GB2312 (rows 0xA1-0xF7, cells 0xA1-0xFE), decoded with Python's codec."""
    chars = set()
    for row in range(0xA1, 0xF8):
        for cell in range(0xA1, 0xFF):
            try:
                chars.add(bytes((row, cell)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # unassigned position
    return chars


def wanted_codepoints():
    codepoints = {ord(char) for char in gb2312_characters()}
    for first, last in EXTRA_RANGES:
        codepoints.update(range(first, last + 1))
    return codepoints


def open_sc_face(path):
    collection = TTCollection(str(path))
    for font in collection.fonts:
        if font["name"].getDebugName(1) == FACE_FAMILY:
            return font
    raise SystemExit(f"{path}: no face named {FACE_FAMILY!r}")


def subset_face(font, codepoints):
    options = subset.Options()
    options.hinting = False  # WeasyPrint drops hinting anyway; PDFs are not hinted
    options.desubroutinize = True  # flat charstrings convert faster and compress better
    options.notdef_outline = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.glyph_names = False
    options.legacy_kern = False
    # Vertical writing and other tables a PDF of horizontal text never reads.
    options.drop_tables += ["VORG", "vhea", "vmtx", "BASE", "DSIG"]
    # Only the features that change horizontal Chinese and Latin text by default. 'locl',
    # 'aalt', 'fwid', 'hwid', 'pwid', 'vert'... would pull in the Japanese, Korean and
    # Traditional forms and alternates: about 6,000 glyphs nobody renders.
    options.layout_features = ["ccmp", "liga", "calt", "kern", "mark"]
    cmap = font.getBestCmap()
    present = sorted(cp for cp in codepoints if cp in cmap)
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=present)
    subsetter.subset(font)
    return present


def cff_to_glyf(font):
    """Replace the CFF table by quadratic glyf outlines (after fontTools' otf2ttf snippet)."""
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quadratic = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_ERR, reverse_direction=True))
        quadratic[name] = tt_pen.glyph()

    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quadratic
    del font["CFF "]
    glyf.compile(font)

    # Left side bearings must equal each glyph's xMin in a glyf font.
    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = 0
    maxp.compile(font)

    post = font["post"]
    post.formatType = 3.0  # no glyph names: smaller, and nothing reads them
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font.sfntVersion = "\x00\x01\x00\x00"


def rename(font, style):
    name = font["name"]
    full = NEW_FAMILY if style == "Regular" else f"{NEW_FAMILY} {style}"
    version = name.getDebugName(5) or ""
    new = {
        1: NEW_FAMILY,
        2: style,
        3: f"{version.split(';')[0]};{NEW_PS_FAMILY}-{style}",
        4: full,
        6: f"{NEW_PS_FAMILY}-{style}",
        16: NEW_FAMILY,
        17: style,
    }
    for record in list(name.names):
        if record.nameID in (1, 2, 3, 4, 6, 16, 17):
            name.removeNames(nameID=record.nameID)
    for name_id, value in new.items():
        name.setName(value, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, English
        name.setName(value, name_id, 1, 0, 0)  # Macintosh, Roman, English
    font["OS/2"].usWeightClass = 700 if style == "Bold" else 400
    font["OS/2"].fsSelection = (font["OS/2"].fsSelection & ~0b1100001) | (
        0b100000 if style == "Bold" else 0b1000000
    )
    font["head"].macStyle = 1 if style == "Bold" else 0


def build(style, source, codepoints):
    started = time.monotonic()
    font = open_sc_face(source)
    present = subset_face(font, codepoints)
    cff_to_glyf(font)
    rename(font, style)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / f"{NEW_PS_FAMILY}-{style}.ttf".replace("-Regular", "")
    font.recalcTimestamp = False  # keep the source's dates: rebuilding gives the same bytes
    font.save(str(target))
    elapsed = time.monotonic() - started
    print(
        f"{target.relative_to(ROOT)}: {len(present)} characters, "
        f"{len(font.getGlyphOrder())} glyphs, {target.stat().st_size / 1e6:.2f} MB "
        f"({elapsed:.0f} s)"
    )
    return target


def check(path, codepoints):
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    gb = {ord(char) for char in gb2312_characters()}
    missing_gb = sorted(cp for cp in gb if cp not in cmap)
    assert "glyf" in font and "CFF " not in font, "outlines are not TrueType"
    assert not missing_gb, f"GB2312 characters missing: {''.join(map(chr, missing_gb[:50]))}"
    print(f"  ok: all {len(gb)} GB2312 characters, TrueType outlines, tables {sorted(font.keys())}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--style", choices=sorted(SOURCES), action="append")
    parser.add_argument("--check", action="store_true", help="verify the built files")
    args = parser.parse_args(argv)
    codepoints = wanted_codepoints()
    for style in args.style or ["Regular", "Bold"]:
        if not SOURCES[style].exists():
            raise SystemExit(f"{SOURCES[style]} not found: apt-get install fonts-noto-cjk")
        target = build(style, SOURCES[style], codepoints)
        if args.check:
            check(target, codepoints)
    return 0


if __name__ == "__main__":
    sys.exit(main())
