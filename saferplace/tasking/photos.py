"""A photo added to a task, made safe to keep: its type read from its content (not its name or
the browser's word), its size and pixels limited before it is decoded, and re-encoded as a JPEG
with nothing of the original's metadata (EXIF, GPS, camera, comments), under a name the server
makes. The photo is turned upright first, since the orientation was in the EXIF removed.

Memory is bounded: the decoded size is checked before decoding, a JPEG is decoded at the size
kept (`draft`), every photo is shrunk to `LONGEST_EDGE` before it is converted, and one photo at a
time is decoded in each server process."""

import io
import threading
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image, ImageOps, UnidentifiedImageError

LARGEST_BYTES = 10 * 1024 * 1024
LARGEST_PIXELS = 40_000_000
LARGEST_DECODED_BYTES = 120 * 1024 * 1024  # width × height × bands: a 40-megapixel RGB photo
LONGEST_EDGE = 2560  # what is kept: plenty to see a fly-tip or a tag by, a tenth of the memory
DECODING = threading.BoundedSemaphore(1)  # one photo decoded at a time in each process
FORMATS = {"JPEG", "PNG", "WEBP"}
FOLDER = "task-photos"
QUALITY = 85


class PhotoRefused(ValueError):
    """The upload is not a photo SaferPlace keeps; the message says why, to the person."""


def photo_clean(upload) -> bytes:
    """The upload (a Django UploadedFile, or any file with `size` and `read`) as JPEG bytes with
    no metadata, or `PhotoRefused`."""
    size = getattr(upload, "size", None)
    if size is None or size > LARGEST_BYTES:
        raise PhotoRefused(f"The photo must be {LARGEST_BYTES // (1024 * 1024)} MB or smaller")
    if size == 0:
        raise PhotoRefused("The photo is empty: choose the photo again")
    upload.seek(0)
    try:
        with Image.open(upload) as image:
            if image.format not in FORMATS:
                raise PhotoRefused("The photo must be a JPEG, PNG or WebP image")
            width, height = image.size
            if width * height > LARGEST_PIXELS or width * height * len(image.getbands()) > LARGEST_DECODED_BYTES:
                raise PhotoRefused(f"The photo must be {LARGEST_PIXELS // 1_000_000} megapixels or fewer "
                                   f"(this one is {width} × {height})")
            with DECODING:
                image.draft("RGB", (LONGEST_EDGE, LONGEST_EDGE))  # a JPEG decodes straight to about this size
                image.load()
                image.thumbnail((LONGEST_EDGE, LONGEST_EDGE))
                upright = ImageOps.exif_transpose(image)
                clean = _as_rgb(upright)
    except PhotoRefused:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise PhotoRefused("The file is not a photo SaferPlace can read: choose a JPEG, PNG or WebP image") from None
    output = io.BytesIO()
    # A new image carries no info of the original: saved with no exif, icc or comment argument.
    clean.save(output, format="JPEG", quality=QUALITY, optimize=True)
    return output.getvalue()


def _as_rgb(image: Image.Image) -> Image.Image:
    """A fresh RGB image of the pixels alone (transparency laid on white)."""
    if image.mode in ("RGBA", "LA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    converted = image.convert("RGB")
    fresh = Image.new("RGB", converted.size)
    fresh.paste(converted)
    return fresh


def photo_store(content: bytes) -> str:
    """Keep the cleaned photo through Django's storage under a new random name; returns the name."""
    return default_storage.save(f"{FOLDER}/{uuid.uuid4().hex}.jpg", ContentFile(content))


def photo_delete(name: str) -> None:
    default_storage.delete(name)


def photo_open(name: str):
    return default_storage.open(name, "rb")
