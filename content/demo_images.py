"""Banner images for the demo content, drawn with Pillow in the portal's own font: a soft
gradient, a few shapes and the page's title, as a community office's notice banners look.
Stored as Wagtail images, found again by title, so loading the demo twice adds nothing."""

import hashlib
import io

from django.conf import settings
from django.core.files.images import ImageFile
from PIL import Image as PILImage
from PIL import ImageDraw, ImageFont

WIDTH, HEIGHT = 1200, 630
FONTS = settings.BASE_DIR / "portal" / "fonts"
PALETTES = {
    # name: (top colour, bottom colour, accent)
    "notice": ((178, 34, 34), (120, 16, 24), (255, 214, 102)),
    "course": ((22, 105, 122), (12, 60, 84), (168, 230, 207)),
    "story": ((230, 126, 34), (192, 57, 43), (255, 236, 179)),
}


def _gradient(top, bottom):
    image = PILImage.new("RGB", (WIDTH, HEIGHT), top)
    draw = ImageDraw.Draw(image)
    for y in range(HEIGHT):
        t = y / (HEIGHT - 1)
        draw.line(
            [(0, y), (WIDTH, y)],
            fill=tuple(round(a + (b - a) * t) for a, b in zip(top, bottom, strict=True)),
        )
    return image


def _lines(text, font, width, draw):
    """Chinese wraps anywhere: fill each line with as many characters as fit."""
    lines, line = [], ""
    for char in text:
        if draw.textlength(line + char, font=font) > width and line:
            lines.append(line)
            line = char.strip()
        else:
            line += char
    return [*lines, line] if line else lines


def draw_banner(title, tagline, palette):
    top, bottom, accent = PALETTES[palette]
    image = _gradient(top, bottom)
    shapes = PILImage.new("RGBA", image.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(shapes)
    draw.ellipse((WIDTH - 420, -180, WIDTH + 160, 400), fill=(*accent, 60))
    draw.ellipse((WIDTH - 260, HEIGHT - 220, WIDTH + 60, HEIGHT + 100), fill=(255, 255, 255, 40))
    draw.rounded_rectangle((72, 96, 84, 180), radius=6, fill=(*accent, 255))
    image = PILImage.alpha_composite(image.convert("RGBA"), shapes)
    draw = ImageDraw.Draw(image)
    small = ImageFont.truetype(str(FONTS / "NotoSansSC-GB2312.ttf"), 34)
    big = ImageFont.truetype(str(FONTS / "NotoSansSC-GB2312-Bold.ttf"), 76)
    draw.text((108, 96), tagline, font=small, fill=(255, 255, 255, 230))
    y = 170
    for line in _lines(title, big, WIDTH - 216, draw)[:3]:
        draw.text((108, y), line, font=big, fill=(255, 255, 255, 255))
        y += 100
    draw.text((108, HEIGHT - 84), "卢沟桥街道志愿与捐赠平台", font=small, fill=(*accent, 255))
    return image.convert("RGB")


def banner(title, tagline, palette):
    """The Wagtail image titled `title`, drawn once."""
    from wagtail.images import get_image_model

    Image = get_image_model()
    existing = Image.objects.filter(title=title).first()
    if existing is not None:
        return existing
    buffer = io.BytesIO()
    draw_banner(title, tagline, palette).save(buffer, format="JPEG", quality=85)
    name = f"demo-{palette}-{hashlib.sha256(title.encode()).hexdigest()[:10]}.jpg"
    # the title is what matters: cropped thumbnails (fill-…) keep it in view
    return Image.objects.create(
        title=title,
        file=ImageFile(buffer, name=name),
        focal_point_x=420,
        focal_point_y=240,
        focal_point_width=640,
        focal_point_height=240,
    )
