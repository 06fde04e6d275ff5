"""Photos of cases: checked, decoded and re-encoded with Pillow, stored under a random name.

Nothing the browser says is trusted (name, extension, content type): the bytes must decode as a
JPEG, PNG or WebP image within the size and pixel limits. The image is turned upright (EXIF
orientation) and re-encoded without any metadata (EXIF, GPS, comments), which also drops
anything hidden in the file. Files live in `UPLOAD_FOLDER/cases/<2 hex>/<32 hex>.<ext>` and are
served only through a route that checks the case's scope (`photo_path(attachment)`).

    photos = store_photos(request.files.getlist("photos"), "report", case=case, uploaded_by=user)

`InvalidUpload` (a translatable `message`) means nothing was stored. After a later failure in the
same request, the view rolls back and calls `discard(photos)`.
"""
from __future__ import annotations

import io
import os
import secrets
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from flask import current_app
from PIL import Image, ImageOps, UnidentifiedImageError

from portal.cases.models import ATTACHMENT_KINDS, Attachment
from portal.extensions import db, lazy_gettext as _l

FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000        # 40 megapixels: more than any phone photo, far below a bomb
MAX_SIDE = 4096                # photos are evidence, not posters: larger ones are scaled down
MAX_PHOTOS = 6


class InvalidUpload(Exception):
    """The file was refused; `message` says why, in words a user understands."""

    status = 422

    def __init__(self, message, field: str = "photos"):
        self.message = message
        self.field = field
        super().__init__(message)


@dataclass
class PreparedPhoto:
    data: bytes
    content_type: str
    extension: str
    width: int
    height: int


def max_bytes() -> int:
    return int(current_app.config.get("UPLOAD_MAX_BYTES", DEFAULT_MAX_BYTES))


def _read_limited(file_storage) -> bytes:
    limit = max_bytes()
    stream = getattr(file_storage, "stream", file_storage)
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise InvalidUpload(_l("The photo is larger than %(mb)d MB.", mb=limit // (1024 * 1024)))
    if not data:
        raise InvalidUpload(_l("The photo is empty."))
    return data


def prepare_photo(file_storage) -> PreparedPhoto:
    """Check and re-encode one uploaded photo in memory; raise InvalidUpload when it is refused."""
    data = _read_limited(file_storage)
    not_an_image = _l("This file is not a photo. Use a JPEG, PNG or WebP image.")
    too_large = _l("This image is too large to process. Use a photo of at most 40 megapixels.")
    try:
        with warnings.catch_warnings():
            # Pillow only warns between its limit and twice it: treat that as the bomb it may be.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in FORMATS:
                    raise InvalidUpload(not_an_image)
                if probe.width * probe.height > MAX_PIXELS:
                    raise InvalidUpload(too_large)
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                fmt = image.format
                image.load()
                upright = ImageOps.exif_transpose(image)
    except InvalidUpload:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise InvalidUpload(too_large) from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError):
        raise InvalidUpload(not_an_image) from None
    return _encode(upright, fmt)


def _encode(image: Image.Image, fmt: str) -> PreparedPhoto:
    content_type, extension = FORMATS[fmt]
    if fmt == "JPEG":
        mode = "L" if image.mode in ("L", "1") else "RGB"
    elif fmt == "PNG":
        mode = image.mode if image.mode in ("1", "L", "LA", "RGB", "RGBA", "P") else "RGBA"
    else:
        mode = "RGBA" if "A" in image.getbands() or image.mode == "P" else "RGB"
    clean = image.convert(mode) if image.mode != mode else image.copy()
    clean.info = {}                       # no EXIF, GPS, ICC, text chunks: only pixels survive
    if max(clean.size) > MAX_SIDE:
        clean.thumbnail((MAX_SIDE, MAX_SIDE))
    out = io.BytesIO()
    if fmt == "JPEG":
        clean.save(out, "JPEG", quality=85, optimize=True)
    elif fmt == "PNG":
        clean.save(out, "PNG", optimize=True)
    else:
        clean.save(out, "WEBP", quality=85)
    return PreparedPhoto(out.getvalue(), content_type, extension, clean.width, clean.height)


def upload_dir() -> Path:
    return Path(current_app.config["UPLOAD_FOLDER"]) / "cases"


def photo_path(attachment: Attachment) -> Path:
    """Where the attachment's file is (serve it only after checking the case's scope)."""
    name = attachment.stored_name
    return upload_dir() / name[:2] / name


def _write(prepared: PreparedPhoto) -> str:
    name = f"{secrets.token_hex(16)}.{prepared.extension}"
    folder = upload_dir() / name[:2]
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".{name}.part"
    temporary.write_bytes(prepared.data)
    os.replace(temporary, folder / name)
    return name


def prepare_photos(files: Iterable, limit: int = MAX_PHOTOS) -> list[PreparedPhoto]:
    """Decode and re-encode every chosen file (empty file fields are skipped); nothing is stored.

    Slow for large photos: callers that hold the database's write lock do this first."""
    chosen = [f for f in files if f is not None and getattr(f, "filename", "x")]
    if len(chosen) > limit:
        raise InvalidUpload(_l("Add at most %(n)d photos.", n=limit))
    return [prepare_photo(f) for f in chosen]


def store_prepared(prepared: list[PreparedPhoto], kind: str, *, case, uploaded_by=None, event=None,
                   public: bool = False) -> list[Attachment]:
    """Write prepared photos to disk and add them as attachments of the case (flushed)."""
    if kind not in ATTACHMENT_KINDS:
        raise ValueError(kind)
    attachments = []
    try:
        for photo in prepared:
            attachments.append(Attachment(
                case=case, event=event, kind=kind, stored_name=_write(photo),
                content_type=photo.content_type, width=photo.width, height=photo.height,
                size=len(photo.data), public=public,
                uploaded_by_id=uploaded_by.id if getattr(uploaded_by, "is_authenticated", False) else None))
    except OSError:
        discard(attachments)
        raise
    if attachments:
        db.session.add_all(attachments)
        db.session.flush()
    return attachments


def store_photos(files: Iterable, kind: str, *, case, uploaded_by=None, event=None,
                 public: bool = False, limit: int = MAX_PHOTOS) -> list[Attachment]:
    """Check every file first, then store them all (or none) as attachments of the case.

    Empty file fields (no file chosen) are skipped. The attachments are added and flushed.
    """
    if kind not in ATTACHMENT_KINDS:
        raise ValueError(kind)
    return store_prepared(prepare_photos(files, limit), kind, case=case, uploaded_by=uploaded_by,
                          event=event, public=public)


def store_photo(file_storage, kind: str, *, case, uploaded_by=None, event=None,
                public: bool = False) -> Attachment:
    """Check, re-encode and store one photo as an attachment of the case."""
    return store_photos([file_storage], kind, case=case, uploaded_by=uploaded_by, event=event,
                        public=public)[0]


def discard(attachments: Iterable[Attachment]) -> None:
    """Remove the files of attachments whose transaction was rolled back."""
    for attachment in attachments:
        try:
            photo_path(attachment).unlink()
        except FileNotFoundError:
            pass
