"""Photos of pledged goods: what an upload must be, where it is stored (privately) and under
what name."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_FORMATS = {"JPEG", "PNG", "WEBP"}


def too_many_pixels_error():
    return ValidationError(
        _("The photo has too many pixels (at most %(megapixels)s megapixels).")
        % {"megapixels": settings.IMAGE_MAX_PIXELS // 1_000_000},
        code="photo_pixels",
    )


def validate_photo(file):
    """A photo of the goods or a certificate: an image (JPEG, PNG, WebP) of at most 5 MB and
    settings.IMAGE_MAX_PIXELS pixels (a small file can decode to gigabytes)."""
    from PIL import Image, UnidentifiedImageError

    if file.size > PHOTO_MAX_BYTES:
        raise ValidationError(_("The photo is larger than 5 MB."), code="photo_too_large")
    try:
        position = file.tell()
        file.seek(0)
        with Image.open(file) as image:  # Pillow itself refuses twice the cap (apps.py)
            kind = image.format
            width, height = image.size
            image.verify()
        file.seek(position)
    except Image.DecompressionBombError as error:
        raise too_many_pixels_error() from error
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as error:
        raise ValidationError(
            _("Upload a photo in JPEG, PNG or WebP format."), code="photo_type"
        ) from error
    if width * height > settings.IMAGE_MAX_PIXELS:
        raise too_many_pixels_error()
    if kind not in PHOTO_FORMATS:
        raise ValidationError(_("Upload a photo in JPEG, PNG or WebP format."), code="photo_type")


def pledge_photo_path(instance, filename):
    """A random name: the donor's file name can carry personal data, and names that can be
    guessed invite guessing."""
    import os
    import secrets

    extension = os.path.splitext(filename)[1].lower()
    if extension not in {".jpg", ".jpeg", ".png", ".webp"}:
        extension = ""
    return f"pledges/{timezone.now():%Y/%m}/{secrets.token_hex(16)}{extension}"


def private_storage():
    """settings.STORAGES["private"]: outside MEDIA_ROOT, no URL (portal.security)."""
    from django.core.files.storage import storages

    return storages["private"]
