"""Photo uploads: only real JPEG/PNG/WebP images within the limits, re-encoded without metadata."""
from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from portal.cases import uploads
from portal.cases.models import Attachment
from portal.extensions import db
from tests.cases.helpers import new_case


def jpeg_bytes(size=(64, 48), color=(200, 40, 40), exif: Image.Exif | None = None) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG", exif=exif.tobytes() if exif is not None else b"")
    return buffer.getvalue()


def jpeg_file(name: str = "photo.jpg", data: bytes | None = None) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data if data is not None else jpeg_bytes()), filename=name,
                       content_type="image/jpeg")


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims huge dimensions: a few bytes that would decode to gigabytes."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"\0" * 64))
            + chunk(b"IEND", b""))


@pytest.fixture
def case(app):
    with app.test_request_context():
        made = new_case()
        yield made


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "cases"
    return [p for p in folder.rglob("*") if p.is_file()] if folder.exists() else []


def refused(app, case, file: FileStorage, words: str) -> None:
    before = stored_files(app)
    with pytest.raises(uploads.InvalidUpload) as error:
        uploads.store_photos([file], "report", case=case)
    assert words in str(error.value.message)
    assert stored_files(app) == before
    assert db.session.scalar(select(func.count()).select_from(Attachment).where(Attachment.case_id == case.id)) == 0


def test_a_photo_is_stored_under_a_random_name(app, case):
    (photo,) = uploads.store_photos([jpeg_file("../../etc/passwd.jpg")], "report", case=case)
    path = uploads.photo_path(photo)
    assert path.is_file() and path.parent.parent == Path(app.config["UPLOAD_FOLDER"]) / "cases"
    assert "passwd" not in photo.stored_name and len(photo.stored_name) == 36
    assert (photo.content_type, photo.width, photo.height, photo.size) == ("image/jpeg", 64, 48, path.stat().st_size)
    with Image.open(path) as image:
        assert image.format == "JPEG"


def test_too_big_is_refused(app, case):
    app.config["UPLOAD_MAX_BYTES"] = 10 * 1024 * 1024
    big = jpeg_bytes() + b"\0" * (10 * 1024 * 1024)
    refused(app, case, jpeg_file(data=big), "10 MB")


def test_not_an_image_is_refused(app, case):
    refused(app, case, FileStorage(io.BytesIO("就是一段文字".encode()), "note.png", "image/png"), "不是照片")
    refused(app, case, FileStorage(io.BytesIO(b""), "empty.jpg", "image/jpeg"), "空")


def test_a_php_script_renamed_jpg_is_refused(app, case):
    script = b"<?php system($_GET['cmd']); ?>"
    refused(app, case, FileStorage(io.BytesIO(script), "shell.php.jpg", "image/jpeg"), "不是照片")
    refused(app, case, FileStorage(io.BytesIO(script), "shell.jpg", "image/jpeg"), "不是照片")


def test_a_script_hidden_behind_a_real_image_does_not_survive(app, case):
    (photo,) = uploads.store_photos([jpeg_file(data=jpeg_bytes() + b"<?php system('id'); ?>")], "report", case=case)
    assert b"<?php" not in uploads.photo_path(photo).read_bytes()


def test_other_formats_are_refused(app, case):
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20)).save(buffer, "GIF")
    refused(app, case, FileStorage(io.BytesIO(buffer.getvalue()), "a.jpg", "image/jpeg"), "JPEG、PNG 或 WebP")


@pytest.mark.parametrize("side", [30000, 10000, 7000])  # Pillow's error, Pillow's warning, our own limit
def test_decompression_bombs_are_refused(app, case, side):
    refused(app, case, FileStorage(io.BytesIO(png_header_only(side, side)), "bomb.png", "image/png"), "过大")


def test_a_broken_image_is_refused(app, case):
    data = jpeg_bytes((400, 300))
    refused(app, case, jpeg_file(data=data[: len(data) // 2]), "不是照片")


def test_exif_and_gps_are_dropped_after_turning_the_photo_upright(app, case):
    exif = Image.Exif()
    exif[0x0112] = 6                                   # orientation: rotate 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps[1], gps[2] = "N", (39.0, 54.0, 27.0)
    data = jpeg_bytes((80, 40), exif=exif)
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get(0x0112) == 6
    (photo,) = uploads.store_photos([jpeg_file(data=data)], "before", case=case)
    stored = uploads.photo_path(photo).read_bytes()
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif() and "exif" not in image.info
        assert image.size == (40, 80) == (photo.width, photo.height)
    assert b"PhoneMaker" not in stored and b"Exif" not in stored


def test_png_and_webp_keep_their_format(app, case):
    for fmt, mime in (("PNG", "image/png"), ("WEBP", "image/webp")):
        buffer = io.BytesIO()
        Image.new("RGBA", (30, 20), (0, 128, 0, 128)).save(buffer, fmt)
        (photo,) = uploads.store_photos([FileStorage(io.BytesIO(buffer.getvalue()), "x.jpg", "image/jpeg")],
                                        "result", case=case)
        assert photo.content_type == mime and photo.stored_name.endswith("." + fmt.lower())


def test_one_bad_file_stores_nothing_of_the_batch(app, case):
    bad = FileStorage(io.BytesIO(b"MZ\x90\x00"), "virus.jpg", "image/jpeg")
    refused(app, case, bad, "不是照片")
    with pytest.raises(uploads.InvalidUpload):
        uploads.store_photos([jpeg_file(), bad], "report", case=case)
    assert stored_files(app) == []
    with pytest.raises(uploads.InvalidUpload):
        uploads.store_photos([jpeg_file() for _ in range(7)], "report", case=case)
    assert stored_files(app) == []
    empty_field = FileStorage(io.BytesIO(b""), "", "application/octet-stream")
    assert uploads.store_photos([empty_field], "report", case=case) == []


def test_discard_removes_the_files(app, case):
    photos = uploads.store_photos([jpeg_file(), jpeg_file()], "report", case=case)
    assert len(stored_files(app)) == 2
    db.session.rollback()
    uploads.discard(photos)
    assert stored_files(app) == []
