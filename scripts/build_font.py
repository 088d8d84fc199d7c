"""Build the CJK fonts that PDFs embed: portal/fonts/NotoSansSC-GB2312{,-Bold}.ttf and
NotoSansSC-Supplement.ttf.

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

The Supplement (Regular only) holds the other CJK Unified Ideographs (U+4E00-U+9FFF minus the
above: about 14,000 rare hanzi of names, all of GBK's). PDFs list it after the main font, so it
is read, and embedded, only for a character the main font lacks.

Run from the project root (needs fontTools and the fonts-noto-cjk package):

    python scripts/build_font.py                  # Regular, Bold and Supplement (a few minutes)
    python scripts/build_font.py --only Regular   # one of them
    python scripts/build_font.py --check          # also check coverage and outlines
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


def rename(font, family, ps_family, style):
    name = font["name"]
    full = family if style == "Regular" else f"{family} {style}"
    version = name.getDebugName(5) or ""
    new = {
        1: family,
        2: style,
        3: f"{version.split(';')[0]};{ps_family}-{style}",
        4: full,
        6: f"{ps_family}-{style}",
        16: family,
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


def supplement_codepoints():
    """The CJK Unified Ideographs (U+4E00-U+9FFF: every hanzi of GBK and nearly all of the
    Table of General Standard Chinese Characters) that GB2312 lacks: rare characters of
    personal and place names (喆 堃 玥 珺 璟 赟 旻 昇...).

    Plus spaces and punctuation: Pango sets a space or a comma that follows a rare hanzi in
    the rare hanzi's font, and a font without them would draw a box there.
    """
    hanzi = set(range(0x4E00, 0xA000)) - wanted_codepoints()
    around = set()
    for first, last in [
        (0x0020, 0x007E),
        (0x00A0, 0x00A0),
        (0x00B7, 0x00B7),
        (0x2000, 0x206F),
        (0x3000, 0x303F),
        (0xFF00, 0xFFEF),
    ]:
        around.update(range(first, last + 1))
    return hanzi | around


# name: (source weight, characters, family, PostScript family, style, file name)
TARGETS = {
    "Regular": (
        "Regular",
        wanted_codepoints,
        NEW_FAMILY,
        NEW_PS_FAMILY,
        "Regular",
        "NotoSansSC-GB2312.ttf",
    ),
    "Bold": (
        "Bold",
        wanted_codepoints,
        NEW_FAMILY,
        NEW_PS_FAMILY,
        "Bold",
        "NotoSansSC-GB2312-Bold.ttf",
    ),
    "Supplement": (
        "Regular",
        supplement_codepoints,
        "Noto Sans SC Supplement",
        "NotoSansSC-Supplement",
        "Regular",
        "NotoSansSC-Supplement.ttf",
    ),
}


def build(target_name):
    weight, characters, family, ps_family, style, filename = TARGETS[target_name]
    source = SOURCES[weight]
    if not source.exists():
        raise SystemExit(f"{source} not found: apt-get install fonts-noto-cjk")
    started = time.monotonic()
    font = open_sc_face(source)
    present = subset_face(font, characters())
    cff_to_glyf(font)
    rename(font, family, ps_family, style)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    target = OUT_DIR / filename
    font.recalcTimestamp = False  # keep the source's dates: rebuilding gives the same bytes
    font.save(str(target))
    elapsed = time.monotonic() - started
    print(
        f"{target.relative_to(ROOT)}: {len(present)} characters, "
        f"{len(font.getGlyphOrder())} glyphs, {target.stat().st_size / 1e6:.2f} MB "
        f"({elapsed:.0f} s)"
    )
    return target


def check(target_name, path):
    font = TTFont(str(path))
    cmap = font.getBestCmap()
    assert "glyf" in font and "CFF " not in font, "outlines are not TrueType"
    wanted = TARGETS[target_name][1]()
    if target_name == "Supplement":
        missing = sorted(cp for cp in wanted if cp not in cmap)
        print(f"  ok: {len(cmap)} characters; not in the source face: {len(missing)}")
        return
    gb = {ord(char) for char in gb2312_characters()}
    missing_gb = sorted(cp for cp in gb if cp not in cmap)
    assert not missing_gb, f"GB2312 characters missing: {''.join(map(chr, missing_gb[:50]))}"
    print(f"  ok: all {len(gb)} GB2312 characters, TrueType outlines, tables {sorted(font.keys())}")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=sorted(TARGETS), action="append")
    parser.add_argument("--check", action="store_true", help="verify the built files")
    args = parser.parse_args(argv)
    for target_name in args.only or list(TARGETS):
        path = build(target_name)
        if args.check:
            check(target_name, path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
