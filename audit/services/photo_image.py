"""Photo images: check an uploaded photo by its content and re-encode it (:func:`prepare_photo`,
bytes in, bytes out), and shrink a stored photo for print (:func:`print_jpeg`). Image work
alone: no database, no app (messages are translated when shown). :mod:`audit.services.evidence`
reads the upload, stores what this makes and keeps its files.

Uploads are untrusted. A photo is identified by what it contains (Pillow), never by its
name or declared type; only JPEG, PNG and WebP are accepted, up to :data:`MAX_BYTES` and
:data:`MAX_PIXELS` (JPEG; :data:`MAX_LOSSLESS_PIXELS` for PNG and WebP). The size in pixels
is checked from the header *before* any pixel is decoded, so a small file that unpacks to
gigabytes (a decompression bomb) costs nothing; a large JPEG is decoded at a reduced scale,
and photos are stored at most :data:`STORED_SIDE` pixels on their longest side.
What is stored is always a fresh JPEG re-encoded from the pixels, turned upright by its
EXIF orientation, with no metadata at all (no EXIF, no GPS position, no comments, no
colour profile: colours are converted to sRGB, the JPEG default).
"""
from __future__ import annotations

import io
import logging
import threading
import warnings
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from PIL import Image, ImageCms, ImageFile, ImageOps

log = logging.getLogger(__name__)

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
#: PNG and WebP cannot be decoded at a reduced scale: a smaller limit keeps one upload's memory
#: (4 bytes a pixel, and copies) to a few hundred MB. Phone screenshots are far below it.
MAX_LOSSLESS_PIXELS = 16_000_000
#: Longest side of a stored photo: plenty to read a price tag, a fraction of a 48 MP original.
#: A JPEG is decoded at 1/2, 1/4 or 1/8 scale when that still leaves this many pixels.
STORED_SIDE = 3000
THUMB_SIZE = 320  # longest side of a thumbnail, in pixels
JPEG_QUALITY = 85
#: Pillow's names of the formats we accept. Its JPEG reader also opens the multi-picture
#: JPEGs many phones write, which it then calls MPO.
ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP")
#: Longest side of a photo as a PDF report prints it: about 55 mm wide, so some 220–290 dpi on
#: paper (the 320-pixel thumbnail printed there at 110–150 dpi, soft on paper).
PRINT_SIDE = 640
_OPEN_LOCK = threading.Lock()  # warnings.catch_warnings() is process-wide


class EvidenceError(Exception):
    """A photo was refused; ``message`` says why and what to do (translated when shown)."""

    def __init__(self, message) -> None:
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:  # translated when read, in the request that shows it: raising needs no request
        return str(self.message)


class PhotoTooLarge(EvidenceError):
    """More bytes or pixels than we accept."""


class UnsupportedPhoto(EvidenceError):
    """Not a JPEG, PNG or WebP picture (whatever its name says)."""


@dataclass(frozen=True)
class PreparedPhoto:
    """A photo ready to store: JPEG bytes of the picture, of its thumbnail and of its print copy."""

    jpeg: bytes
    thumb: bytes
    width: int
    height: int
    printed: bytes


def prepare_photo(data: bytes) -> PreparedPhoto:
    """Identify, check and re-encode an uploaded photo (pure: bytes in, bytes out)."""
    if not data:
        raise EvidenceError(_l("The file is empty. Choose a JPEG, PNG or WebP photo."))
    with _open_image(data) as probe:
        try:
            probe.verify()  # structure and checksums, without decoding the pixels
        except Exception as exc:  # Pillow raises many kinds of errors on damaged files
            raise _damaged() from exc
    with _open_image(data) as img:  # verify() leaves the image unusable: open it again
        try:
            picture = _upright_srgb(img)
        except Exception as exc:
            raise _damaged() from exc
    printed = picture.copy()
    printed.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    thumbnail = printed.copy()  # scaled down from the print copy: far fewer pixels to resample
    thumbnail.thumbnail((THUMB_SIZE, THUMB_SIZE), Image.Resampling.LANCZOS)
    return PreparedPhoto(_jpeg(picture), _jpeg(thumbnail), picture.width, picture.height, _jpeg(printed))


def print_jpeg(source) -> bytes:
    """The picture in ``source`` (a path or a file) at most :data:`PRINT_SIDE` pixels on its
    longest side, as JPEG bytes; a JPEG is decoded at a reduced scale."""
    with Image.open(source) as img:
        img.draft("RGB", (PRINT_SIDE, PRINT_SIDE))
        picture = img.convert("RGB")
    picture.thumbnail((PRINT_SIDE, PRINT_SIDE), Image.Resampling.LANCZOS)
    return _jpeg(picture)


def _open_image(data: bytes) -> Image.Image:
    """Open ``data`` (reading only the header) if it is an accepted format of acceptable size."""
    try:
        # Pillow warns, and refuses beyond twice its own limit, on huge images; we want our own
        # error for those, and Pillow's limit (89 megapixels) is above ours anyway.
        with _OPEN_LOCK, warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            img = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError) as exc:
        raise _too_many_pixels(MAX_LOSSLESS_PIXELS) from exc
    except Exception as exc:  # UnidentifiedImageError, or a header Pillow cannot parse
        raise UnsupportedPhoto(
            _l("This file is not a JPEG, PNG or WebP photo. Take the photo again or choose another file.")
        ) from exc
    width, height = img.size
    limit = MAX_PIXELS if img.format in ("JPEG", "MPO") else MAX_LOSSLESS_PIXELS
    if width * height > limit:
        img.close()
        raise _too_many_pixels(limit)
    if width < 1 or height < 1:
        img.close()
        raise _damaged()
    return img


def _decode_strictly(img: Image.Image) -> None:
    """Decode now, so a truncated file fails here.

    ``ImageFile.LOAD_TRUNCATED_IMAGES`` is process-wide and WeasyPrint sets it to True when it
    is imported (for its own documents); for uploads we always want truncated files refused.
    """
    with _OPEN_LOCK:
        previous = ImageFile.LOAD_TRUNCATED_IMAGES
        ImageFile.LOAD_TRUNCATED_IMAGES = False
        try:
            img.load()
        finally:
            ImageFile.LOAD_TRUNCATED_IMAGES = previous


def _upright_srgb(img: Image.Image) -> Image.Image:
    """The decoded picture: upright, transparency flattened on white, sRGB, no metadata."""
    icc_profile = img.info.get("icc_profile")
    has_alpha = img.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in img.info
    if img.format in ("JPEG", "MPO") and max(img.size) > STORED_SIDE:
        # Decode a large JPEG at the smallest of 1/2, 1/4, 1/8 scale that keeps STORED_SIDE:
        # a 40 MP photo then costs a quarter or less of the memory and time.
        scale = STORED_SIDE / max(img.size)
        img.draft(img.mode, (max(1, round(img.width * scale)), max(1, round(img.height * scale))))
    _decode_strictly(img)
    try:
        ImageOps.exif_transpose(img, in_place=True)
    except Exception:  # malformed EXIF: the pixels are still good, keep them as they are
        log.info("ignored unreadable EXIF orientation", exc_info=True)
    if img.mode.startswith("I"):  # 16-bit grey PNG: scale to 8 bits rather than clip to white
        img = img.convert("I").point(lambda value: value / 256).convert("L")
    if has_alpha:
        rgba = img.convert("RGBA")
        img = Image.new("RGB", rgba.size, "white")
        img.paste(rgba, mask=rgba.getchannel("A"))
        del rgba
    elif img.mode not in ("RGB", "L", "CMYK"):
        img = img.convert("RGB")
    img = _to_srgb(img, icc_profile)
    clean = Image.new("RGB", img.size)  # a new image carries none of the original's metadata
    clean.paste(img)
    if max(clean.size) > STORED_SIDE:
        clean.thumbnail((STORED_SIDE, STORED_SIDE), Image.Resampling.LANCZOS)
    return clean


def _to_srgb(img: Image.Image, icc_profile: bytes | None) -> Image.Image:
    """Convert colours from the embedded profile (e.g. a phone's Display P3) to sRGB."""
    if icc_profile:
        try:
            source = ImageCms.ImageCmsProfile(io.BytesIO(icc_profile))
            return ImageCms.profileToProfile(img, source, ImageCms.createProfile("sRGB"), outputMode="RGB")
        except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
            pass  # a broken or mismatched profile: keep the colours as they are
    return img.convert("RGB")


def _jpeg(img: Image.Image) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return out.getvalue()


def _too_many_pixels(limit: int) -> PhotoTooLarge:
    return PhotoTooLarge(_l("The photo has more than %(mp)d megapixels.", mp=limit // 1_000_000))


def _damaged() -> UnsupportedPhoto:
    return UnsupportedPhoto(_l("The photo is damaged or incomplete. Take it again or choose another file."))
