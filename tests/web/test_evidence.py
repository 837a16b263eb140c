"""Photo evidence: uploads checked by content, stored clean, served only to who may see the visit.

Every image here is a real file made with Pillow (or, for the huge ones, a real PNG written
byte by byte so that it costs nothing to build).
"""
from __future__ import annotations

import hashlib
import io
import re
import os
import stat
import struct
import warnings
import zlib
from functools import cache
from pathlib import Path

import pytest
from PIL import ExifTags, Image, ImageCms, ImageFile

from tests.conftest import csrf_token, login

STORE_ANSWERS = {"greeted_promptly": "yes"}
RED, BLUE = (220, 20, 20), (20, 20, 220)


# --- real image files ---------------------------------------------------------------------------

def two_colour_image(size=(400, 200), mode="RGB") -> Image.Image:
    """Left half red, right half blue: shows which way a picture was turned."""
    img = Image.new(mode, size, BLUE)
    img.paste(RED, (0, 0, size[0] // 2, size[1]))
    return img


def jpeg_from_phone() -> bytes:
    """A JPEG as a phone writes it: sideways pixels + Orientation 6, GPS position, camera, comment,
    colour profile."""
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6  # "turn 90° clockwise to view"
    exif[ExifTags.Base.Make] = "Phonemaker"
    exif[ExifTags.Base.Model] = "Model X"
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (54.0, 41.0, 12.5)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (25.0, 16.0, 48.0)
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    out = io.BytesIO()
    two_colour_image().save(out, "JPEG", exif=exif.tobytes(), comment=b"Ina's shop, 12 Main St",
                            icc_profile=srgb, quality=95)
    data = out.getvalue()
    with Image.open(io.BytesIO(data)) as check:  # the input really carries all of it
        assert check.getexif().get_ifd(ExifTags.IFD.GPSInfo)[ExifTags.GPS.GPSLatitudeRef] == "N"
        assert check.getexif()[ExifTags.Base.Orientation] == 6 and check.info.get("icc_profile")
    return data


def png_with_alpha() -> bytes:
    """Fully transparent everywhere except an opaque red square in the middle."""
    img = Image.new("RGBA", (300, 300), (0, 0, 0, 0))
    img.paste((255, 0, 0, 255), (100, 100, 200, 200))
    return encode(img, "PNG")


def encode(img: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    img.save(out, fmt, **options)
    return out.getvalue()


def bilevel_png(width: int, height: int) -> bytes:
    """A valid, all-white 1-bit PNG written directly: huge in pixels, tiny as a file."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    row = b"\x00" + b"\xff" * ((width + 7) // 8)  # filter byte "none", then the packed bits
    packer = zlib.compressobj(9)
    rows_at_once = max(1, 4_000_000 // len(row))
    block = row * rows_at_once
    compressed = []
    for start in range(0, height, rows_at_once):
        compressed.append(packer.compress(block if height - start >= rows_at_once else row * (height - start)))
    compressed.append(packer.flush())
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)  # 1 bit, greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", b"".join(compressed)) + chunk(b"IEND", b"")


@cache
def over_40_megapixels() -> bytes:
    return bilevel_png(8000, 5200)  # 41.6 megapixels


@cache
def png_of_17_megapixels() -> bytes:
    return bilevel_png(5000, 3400)  # under the JPEG limit, over the one for PNG and WebP


def jpeg_claiming(width: int, height: int) -> bytes:
    """A small real JPEG whose header (SOF0) says ``width`` × ``height``."""
    data = bytearray(encode(Image.new("RGB", (16, 16), RED), "JPEG"))
    sof = data.index(b"\xff\xc0")
    data[sof + 5:sof + 9] = struct.pack(">HH", height, width)
    return bytes(data)


@cache
def decompression_bomb() -> bytes:
    return bilevel_png(30000, 30000)  # 900 megapixels, over twice Pillow's own limit


@cache
def in_pillows_warning_zone() -> bytes:
    return bilevel_png(10000, 10000)  # 100 megapixels: Pillow would only warn


@cache
def eleven_megabytes() -> bytes:
    noise = Image.frombytes("RGB", (1920, 1920), os.urandom(1920 * 1920 * 3))  # cannot be compressed
    data = encode(noise, "PNG", compress_level=1)
    assert 10 * 1024 * 1024 < len(data) < 12 * 1024 * 1024
    return data


SVG = (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
       b'<script>alert(1)</script><rect width="10" height="10"/></svg>')


# --- fixtures and helpers -----------------------------------------------------------------------

#: Who is who around the visit: role and managed branches.
PEOPLE = {"auditor": ("auditor", ()), "other_auditor": ("auditor", ()), "admin": ("admin", ()),
          "reviewer": ("reviewer", ()), "manager": ("manager", ("RIX-01",)),
          "other_manager": ("manager", ("VLN-01",))}


class People(dict):
    """Users made on first use (each password hash takes a moment)."""

    def __init__(self, make_user):
        super().__init__()
        self.make_user = make_user

    def __missing__(self, kind: str):
        role, locations = PEOPLE[kind]
        self[kind] = self.make_user(role, locations=locations)
        return self[kind]


@pytest.fixture
def scene(make_location, make_user, make_visit):
    """A draft visit of an auditor's at the Rīga branch, and a user of every kind around it."""
    north = make_location("RIX-01", "Rīga Alfa", region="Rīga")
    make_location("VLN-01", "Vilnius Akropolis", region="Vilnius")
    users = People(make_user)
    visit = make_visit(north, users["auditor"], STORE_ANSWERS, status="draft")
    return users, visit


def signed_in(app, user):
    """A client of its own, signed in as ``user``, and its CSRF token."""
    client = app.test_client()
    return client, csrf_token(login(client, user.email).get_data(as_text=True))


def post_photo(client, token, visit, data: bytes, filename="photo.jpg", item_id="", mimetype="image/jpeg"):
    """What the checklist page's fetch() sends: FormData plus the X-CSRFToken header."""
    headers = {"X-CSRFToken": token} if token else {}
    return client.post(f"/visits/{visit.uuid}/photos", headers=headers, content_type="multipart/form-data",
                       data={"item_id": item_id, "photo": (io.BytesIO(data), filename, mimetype)})


#: Each photo is stored as three files: the photo, its thumbnail and its print copy for the PDFs.
FILES = 3


def stored_files(app) -> list[Path]:
    root = Path(app.config["UPLOAD_DIR"])
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def evidence_rows():
    from audit.extensions import db
    from audit.models import Evidence

    db.session.expire_all()
    return db.session.scalars(db.select(Evidence).order_by(Evidence.id)).all()


def opened(data: bytes) -> Image.Image:
    img = Image.open(io.BytesIO(data))
    img.load()
    return img


def close_to(colour, expected, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected))


# --- storing ------------------------------------------------------------------------------------

def test_phone_jpeg_is_stored_upright_without_any_metadata(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    response = post_photo(client, token, visit, jpeg_from_phone(), filename="IMG_0042.JPG", item_id="storefront_photo")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    [row] = evidence_rows()
    assert body == {"id": row.id, "item_id": "storefront_photo", "width": 200, "height": 400,
                    "url": f"/evidence/{row.id}", "thumb_url": f"/evidence/{row.id}/thumb"}

    photo = client.get(body["url"])
    assert photo.status_code == 200 and photo.mimetype == "image/jpeg"
    img = opened(photo.data)
    assert img.format == "JPEG" and img.size == (200, 400)  # turned upright: portrait
    assert close_to(img.getpixel((100, 20)), RED) and close_to(img.getpixel((100, 380)), BLUE)
    exif = img.getexif()
    assert ExifTags.Base.Orientation not in exif and ExifTags.IFD.GPSInfo not in exif
    assert not exif.get_ifd(ExifTags.IFD.GPSInfo) and len(exif) == 0
    for key in ("exif", "icc_profile", "comment", "xmp", "XML:com.adobe.xmp"):
        assert key not in img.info, key
    assert b"Phonemaker" not in photo.data and b"Main St" not in photo.data

    # The stored file is exactly what is served, under a random name, with its SHA-256 recorded.
    files = stored_files(app)
    assert [p.name for p in files] == sorted([row.stored_name, row.thumb_name, row.stored_name[:32] + "_print.jpg"])
    assert all(p.parent.name == str(visit.id) for p in files) and "IMG_0042" not in row.stored_name
    assert row.sha256 == hashlib.sha256(photo.data).hexdigest() and row.size_bytes == len(photo.data)
    assert row.uploaded_by_id == users["auditor"].id and (row.width, row.height) == (200, 400)

    thumb = opened(client.get(body["thumb_url"]).data)
    assert thumb.format == "JPEG" and max(thumb.size) == 320 and thumb.size == (160, 320)
    assert close_to(thumb.getpixel((80, 10)), RED)
    [log] = evidence_log("evidence.uploaded")
    assert log.object_id == str(visit.id) and log.user_id == users["auditor"].id
    assert log.details["evidence"] == row.id and log.details["sha256"] == row.sha256


def evidence_log(action: str):
    from audit.extensions import db
    from audit.models import AuditLogEntry

    return db.session.scalars(db.select(AuditLogEntry).where(AuditLogEntry.action == action)).all()


def test_png_transparency_is_flattened_on_white_and_webp_is_accepted(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    png = post_photo(client, token, visit, png_with_alpha(), filename="shelf.png", mimetype="image/png")
    assert png.status_code == 201, png.get_json()
    img = opened(client.get(png.get_json()["url"]).data)
    assert img.format == "JPEG" and img.mode == "RGB" and img.size == (300, 300)
    assert close_to(img.getpixel((10, 10)), (255, 255, 255), 3)  # was transparent
    assert close_to(img.getpixel((150, 150)), (255, 0, 0), 10)

    webp = post_photo(client, token, visit, encode(two_colour_image((640, 480)), "WEBP", quality=90),
                      filename="till.webp", mimetype="image/webp")
    assert webp.status_code == 201, webp.get_json()
    assert webp.get_json()["item_id"] is None  # no item: evidence for the visit as a whole
    img = opened(client.get(webp.get_json()["url"]).data)
    assert img.format == "JPEG" and img.size == (640, 480) and close_to(img.getpixel((10, 240)), RED)
    assert opened(client.get(webp.get_json()["thumb_url"]).data).size == (320, 240)


def test_a_retried_upload_does_not_store_the_photo_twice(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    photo = jpeg_from_phone()
    first = post_photo(client, token, visit, photo, item_id="storefront_photo")
    again = post_photo(client, token, visit, photo, item_id="storefront_photo")
    assert first.status_code == again.status_code == 201 and first.get_json() == again.get_json()
    elsewhere = post_photo(client, token, visit, photo, item_id="entrance_clean")
    assert elsewhere.get_json()["id"] != first.get_json()["id"]
    assert len(evidence_rows()) == 2 and len(stored_files(app)) == 2 * FILES
    assert len(evidence_log("evidence.uploaded")) == 2


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite lets one writer in at a time
def test_one_picture_sent_twice_at_the_same_moment_is_stored_once(app, scene):
    """Both requests looked for the photo before either had stored it, and both stored it: the
    tablet showed two thumbnails of one picture (seen in the browser tests under load)."""
    import threading

    users, visit = scene
    clients = [signed_in(app, users["auditor"]) for _ in range(2)]  # two tabs (signing in often is rate-limited)
    for round_ in range(6):
        photo = encode(two_colour_image(size=(400 + round_, 200)), "JPEG")
        start, answers = threading.Barrier(2), []

        def send(client, token):
            with app.app_context():  # each thread a context, a session and a connection of its own
                start.wait()
                answers.append(post_photo(client, token, visit, photo, item_id="storefront_photo"))
        threads = [threading.Thread(target=send, args=pair) for pair in clients]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(a.status_code for a in answers) == [201, 201]
        assert answers[0].get_json()["id"] == answers[1].get_json()["id"], f"round {round_}"
    assert len(evidence_rows()) == 6 and len(stored_files(app)) == 6 * FILES


def test_format_is_judged_by_content_not_by_name(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    # A real PNG called .jpg and sent as image/jpeg is fine: it is what it contains that counts.
    assert post_photo(client, token, visit, png_with_alpha(), filename="looks-like.jpg").status_code == 201
    refused = {
        "GIF": encode(two_colour_image(), "GIF"),
        "SVG": SVG,
        "text": b"This is not a picture at all, whatever the name says.\n" * 20,
        "PDF": b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n",
        "BMP": encode(two_colour_image(), "BMP"),
    }
    for kind, data in refused.items():
        response = post_photo(client, token, visit, data, filename="photo.jpg")
        assert response.status_code == 415, kind
        assert "JPEG, PNG or WebP" in response.get_json()["error"], kind
    half_a_jpeg = jpeg_from_phone()[:3000]
    damaged = post_photo(client, token, visit, half_a_jpeg)
    assert damaged.status_code == 415 and "damaged" in damaged.get_json()["error"]
    assert len(evidence_rows()) == 1 and len(stored_files(app)) == FILES


def test_too_many_pixels_are_refused_before_decoding(app, scene, monkeypatch):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])

    def no_decoding(self, *args, **kwargs):
        raise AssertionError("the pixels of an oversized image were decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", no_decoding)
    for name, data, limit in (("41 MP JPEG", jpeg_claiming(8000, 5200), 40), ("17 MP PNG", png_of_17_megapixels(), 16),
                              ("41 MP PNG", over_40_megapixels(), 16), ("100 MP", in_pillows_warning_zone(), 16),
                              ("900 MP bomb", decompression_bomb(), 16)):
        assert len(data) < 200_000, name  # small files, huge pictures
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            response = post_photo(client, token, visit, data, filename="big.png", mimetype="image/png")
        assert response.status_code == 413, name
        assert response.get_json()["error"] == f"The photo has more than {limit} megapixels.", name
        assert not [w for w in caught if issubclass(w.category, Image.DecompressionBombWarning)], name
    assert evidence_rows() == [] and stored_files(app) == []


def test_files_over_10_mb_are_refused(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    response = post_photo(client, token, visit, eleven_megabytes(), filename="noise.png", mimetype="image/png")
    assert response.status_code == 413
    assert response.get_json() == {"error": "The photo is larger than 10 MB.", "retry": False}
    # Over the request limit (12 MB) Werkzeug stops reading; the answer is still JSON for the page.
    huge = post_photo(client, token, visit, eleven_megabytes() + b"\0" * (2 * 1024 * 1024))
    assert huge.status_code == 413 and huge.mimetype == "application/json"
    assert huge.get_json() == {"error": "The photo is larger than 10 MB.", "retry": False}
    assert evidence_rows() == [] and stored_files(app) == []


def test_item_must_belong_to_the_checklist_and_the_visit_must_be_open(app, scene):
    from audit.extensions import db

    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    unknown = post_photo(client, token, visit, png_with_alpha(), item_id="no_such_item")
    assert unknown.status_code == 400 and "no_such_item" in unknown.get_json()["error"]
    missing = client.post(f"/visits/{visit.uuid}/photos", headers={"X-CSRFToken": token},
                          data={"item_id": ""}, content_type="multipart/form-data")
    assert missing.status_code == 400 and missing.get_json()["error"] == "Choose a photo to upload."
    empty = post_photo(client, token, visit, b"")
    assert empty.status_code == 400
    for status in ("submitted", "approved"):
        visit.status = status
        db.session.commit()
        locked = post_photo(client, token, visit, png_with_alpha())
        assert locked.status_code == 409 and "submitted" in locked.get_json()["error"]
    visit.status = "returned"  # sent back by the reviewer: the auditor may fix photos again
    db.session.commit()
    assert post_photo(client, token, visit, png_with_alpha(), item_id="storefront_photo").status_code == 201
    assert len(evidence_rows()) == 1


def test_upload_needs_csrf_and_the_visits_own_auditor(app, scene):
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    no_token = post_photo(client, None, visit, png_with_alpha())
    assert no_token.status_code == 400 and no_token.mimetype == "application/json"
    assert "expired" in no_token.get_json()["error"] and no_token.get_json()["retry"] is True
    for role in ("other_auditor", "reviewer", "manager", "other_manager"):
        other, other_token = signed_in(app, users[role])
        assert post_photo(other, other_token, visit, png_with_alpha()).status_code == 404, role
    anonymous = app.test_client()
    anonymous_token = csrf_token(anonymous.get("/login").get_data(as_text=True))
    assert post_photo(anonymous, anonymous_token, visit, png_with_alpha()).status_code == 401
    missing_visit = client.post("/visits/00000000-0000-4000-8000-999999999999/photos",
                                headers={"X-CSRFToken": token}, content_type="multipart/form-data",
                                data={"photo": (io.BytesIO(png_with_alpha()), "a.png")})
    assert missing_visit.status_code == 404
    assert evidence_rows() == [] and stored_files(app) == []


# --- serving ------------------------------------------------------------------------------------

@pytest.mark.parametrize("role, status", [
    ("auditor", 200), ("admin", 200), ("reviewer", 200),
    ("other_auditor", 404), ("other_manager", 404), ("manager", 404),  # the visit is not approved yet
])
def test_photos_are_served_only_to_who_may_see_the_visit(app, scene, role, status):
    users, visit = scene
    owner, token = signed_in(app, users["auditor"])
    body = post_photo(owner, token, visit, jpeg_from_phone()).get_json()
    client, _ = signed_in(app, users[role])
    for url in (body["url"], body["thumb_url"]):
        response = client.get(url)
        assert response.status_code == status, (role, url)
        if status == 200:
            assert response.mimetype == "image/jpeg"
            # The auditor's tablet keeps the photos of the visit in progress; anyone else's browser
            # asks again each time (a shared computer after sign-out).
            assert response.headers["Cache-Control"] == ("private, max-age=86400" if role == "auditor" else "private, no-cache")
            assert response.headers["X-Content-Type-Options"] == "nosniff"
            assert response.headers["Content-Disposition"].startswith("inline")
    assert client.get(f"/evidence/{body['id'] + 1000}").status_code == 404


def test_branch_manager_sees_photos_once_the_visit_is_approved(app, scene):
    from audit.extensions import db

    users, visit = scene
    owner, token = signed_in(app, users["auditor"])
    url = post_photo(owner, token, visit, jpeg_from_phone()).get_json()["url"]
    manager, _ = signed_in(app, users["manager"])
    other_manager, _ = signed_in(app, users["other_manager"])
    for status in ("draft", "submitted", "returned"):
        visit.status = status
        db.session.commit()
        assert manager.get(url).status_code == 404, status
    visit.status = "approved"
    db.session.commit()
    assert manager.get(url).status_code == 200
    assert other_manager.get(url).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(app, scene):
    users, visit = scene
    owner, token = signed_in(app, users["auditor"])
    body = post_photo(owner, token, visit, jpeg_from_phone()).get_json()
    anonymous = app.test_client()
    for url in (body["url"], body["thumb_url"]):
        response = anonymous.get(url)
        assert response.status_code == 302 and response.headers["Location"].startswith("/login")


def test_a_stored_name_outside_the_upload_folder_is_never_served(app, scene):
    from audit.extensions import db
    from audit.models import Evidence

    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    evidence_id = post_photo(client, token, visit, jpeg_from_phone()).get_json()["id"]
    secret = Path(app.instance_path) / "secret_file.jpg"
    secret.write_bytes(b"not for you")
    row = db.session.get(Evidence, evidence_id)
    row.stored_name = "../../secret_file.jpg"
    db.session.commit()
    assert client.get(f"/evidence/{evidence_id}").status_code == 404
    assert client.get(f"/evidence/{evidence_id}/thumb").status_code == 200


# --- deleting -----------------------------------------------------------------------------------

def test_the_auditor_deletes_a_photo_and_its_files_go(app, scene):
    from audit.extensions import db

    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    keep = post_photo(client, token, visit, png_with_alpha()).get_json()
    drop = post_photo(client, token, visit, jpeg_from_phone()).get_json()
    assert len(stored_files(app)) == 2 * FILES
    other, other_token = signed_in(app, users["other_auditor"])
    assert other.post(f"/evidence/{drop['id']}/delete", headers={"X-CSRFToken": other_token}).status_code == 404
    assert client.post(f"/evidence/{drop['id']}/delete").status_code == 400  # no CSRF token
    response = client.post(f"/evidence/{drop['id']}/delete", headers={"X-CSRFToken": token})
    assert response.status_code == 200 and response.get_json() == {"id": drop["id"], "deleted": True}
    assert [row.id for row in evidence_rows()] == [keep["id"]]
    assert len(stored_files(app)) == FILES
    assert client.get(drop["url"]).status_code == 404
    assert evidence_log("evidence.deleted")[0].details["evidence"] == drop["id"]
    visit.status = "submitted"
    db.session.commit()
    locked = client.post(f"/evidence/{keep['id']}/delete", headers={"X-CSRFToken": token})
    assert locked.status_code == 409 and len(stored_files(app)) == FILES


# --- the service and the transaction ------------------------------------------------------------

def test_files_follow_the_transaction(app, scene):
    """A photo whose transaction is rolled back leaves no file; a deletion rolled back keeps them."""
    from audit.extensions import db
    from audit.models import Visit
    from audit.services.evidence import delete_photo, store_photo

    users, visit = scene
    upload_dir = app.config["UPLOAD_DIR"]
    store_photo(visit, "storefront_photo", io.BytesIO(jpeg_from_phone()), users["auditor"], upload_dir)
    assert len(stored_files(app)) == FILES
    db.session.rollback()
    assert stored_files(app) == [] and evidence_rows() == []

    visit = db.session.get(Visit, visit.id)
    evidence = store_photo(visit, None, io.BytesIO(png_with_alpha()), users["auditor"], upload_dir)
    db.session.commit()
    delete_photo(evidence, users["auditor"], upload_dir)
    db.session.rollback()
    assert len(stored_files(app)) == FILES and len(evidence_rows()) == 1
    delete_photo(evidence_rows()[0], users["auditor"], upload_dir)
    assert len(stored_files(app)) == FILES  # not before the commit
    db.session.commit()
    assert stored_files(app) == [] and evidence_rows() == []
    assert not [p for p in Path(upload_dir).rglob("*.tmp")]


def test_upload_folder_is_configurable(tmp_path, monkeypatch):
    from audit import create_app

    base = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x",
            "INSTANCE_PATH": str(tmp_path / "instance")}
    assert create_app(base).config["UPLOAD_DIR"] == str(tmp_path / "instance" / "uploads")
    monkeypatch.setenv("AUDIT_UPLOAD_DIR", str(tmp_path / "photos"))
    assert create_app(base).config["UPLOAD_DIR"] == str(tmp_path / "photos")
    monkeypatch.setenv("AUDIT_UPLOAD_DIR", "evidence")  # relative: inside the instance folder
    assert create_app(base).config["UPLOAD_DIR"] == str(tmp_path / "instance" / "evidence")


def unusual_photos():
    """Valid photos in the less common shapes cameras and editors produce."""
    out = io.BytesIO()
    two_colour_image().save(out, "MPO", save_all=True, append_images=[Image.new("RGB", (400, 200), "green")])
    palette = Image.new("P", (50, 50), 0)
    palette.putpalette([0, 0, 0, 255, 0, 0])
    palette.paste(1, (0, 0, 25, 50))
    return {
        "multi-picture JPEG (MPO)": (out.getvalue(), (400, 200), (10, 100), RED),
        "CMYK JPEG": (encode(Image.new("CMYK", (50, 50), (0, 255, 255, 0)), "JPEG"), (50, 50), (5, 5), (255, 0, 0)),
        "palette PNG, transparent index": (encode(palette, "PNG", transparency=0), (50, 50), (45, 5), (255, 255, 255)),
        "16-bit grey PNG": (encode(Image.new("I;16", (50, 50), 40000), "PNG"), (50, 50), (5, 5), (156, 156, 156)),
        "animated WebP (first frame)": (
            encode(two_colour_image((64, 64)), "WEBP", save_all=True, append_images=[Image.new("RGB", (64, 64))],
                   lossless=True), (64, 64), (5, 30), RED),
    }


@pytest.mark.parametrize("name", list(unusual_photos()))
def test_unusual_but_valid_photos_become_plain_rgb_jpegs(name):
    from audit.services.photo_image import prepare_photo

    data, size, point, colour = unusual_photos()[name]
    photo = prepare_photo(data)
    img = opened(photo.jpeg)
    assert img.format == "JPEG" and img.mode == "RGB" and img.size == size == (photo.width, photo.height)
    assert close_to(img.getpixel(point), colour, 12), img.getpixel(point)
    assert not img.getexif() and "icc_profile" not in img.info


def test_truncated_photos_are_refused_even_after_weasyprint_was_imported(app, scene, monkeypatch):
    import weasyprint  # noqa: F401
    from PIL import ImageFile

    # WeasyPrint turns this on for the whole process; a server that rendered one PDF runs so.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", True)
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    damaged = post_photo(client, token, visit, jpeg_from_phone()[:3000])
    assert damaged.status_code == 415 and "damaged" in damaged.get_json()["error"]
    assert ImageFile.LOAD_TRUNCATED_IMAGES  # left as WeasyPrint wants it
    assert evidence_rows() == []


def test_a_large_phone_photo_is_stored_at_most_3000_pixels_wide_keeping_its_picture():
    """A 24 MP photo is decoded at half scale and stored 3000 × 2000: readable evidence at a
    fraction of the memory, time and disk of the original."""
    from audit.services.photo_image import STORED_SIDE, prepare_photo

    original = two_colour_image((6000, 4000))
    photo = prepare_photo(encode(original, "JPEG", quality=90))
    img = opened(photo.jpeg)
    assert img.size == (photo.width, photo.height) == (STORED_SIDE, 2000)
    for x, y in ((10, 1000), (2990, 1000), (750, 500), (2250, 1500)):  # the same picture, scaled
        assert close_to(img.getpixel((x, y)), original.getpixel((x * 2, y * 2)), 12), (x, y)
    upright = prepare_photo(encode(Image.new("RGB", (3400, 1000), BLUE), "PNG"))
    assert (upright.width, upright.height) == (3000, 882)  # lossless photos are scaled down too


def test_the_visit_page_counts_the_photos_of_a_photo_question(app, scene):
    """A photo question showed "–" as its answer beside its own thumbnails."""
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    for photo in (jpeg_from_phone(), encode(two_colour_image(), "JPEG")):
        assert post_photo(client, token, visit, photo, item_id="storefront_photo").status_code == 201
    html = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    row = re.search(r'<tr[^>]*data-item="storefront_photo".*?</tr>', html, re.S).group(0)
    assert '<span class="answer-text">2 photos</span>' in row


def test_photos_are_kept_readable_by_their_owner_only(app, scene):
    """A shared AUDIT_UPLOAD_DIR lies outside the private instance folder: folders were 0755 and
    photos 0644, readable by every account of the machine."""
    users, visit = scene
    client, token = signed_in(app, users["auditor"])
    assert post_photo(client, token, visit, jpeg_from_phone(), item_id="storefront_photo").status_code == 201
    root = Path(app.config["UPLOAD_DIR"])
    files = [path for path in root.rglob("*") if path.is_file()]
    assert len(files) == FILES  # the photo, its thumbnail and its print copy
    for path in [root, *root.rglob("*")]:
        assert stat.S_IMODE(path.stat().st_mode) & 0o077 == 0, path


def test_the_print_copy_is_made_once_when_the_photo_is_stored(app, scene):
    """The PDF reports print a 640-pixel copy of each photo. It was made again for every PDF (33 ms
    a photo); it is now made when the photo is stored and read back, and a photo stored before
    that still gets one, made from the stored photo."""
    from audit.extensions import db
    from audit.services.evidence import print_copy, print_path, store_photo
    from audit.services.photo_image import PRINT_SIDE

    users, visit = scene
    upload_dir = app.config["UPLOAD_DIR"]
    big = io.BytesIO()
    Image.new("RGB", (2400, 1600), RED).save(big, "JPEG")
    big.seek(0)
    evidence = store_photo(visit, "storefront_photo", big, users["auditor"], upload_dir)
    db.session.commit()
    kept = print_path(evidence, upload_dir)
    assert opened(kept.read_bytes()).size == (PRINT_SIDE, 427) and print_copy(evidence, upload_dir) == kept.read_bytes()

    kept.unlink()  # as a photo stored before print copies were kept
    made = opened(print_copy(evidence, upload_dir))
    assert made.format == "JPEG" and made.size == (PRINT_SIDE, 427) and close_to(made.getpixel((320, 200)), RED)
