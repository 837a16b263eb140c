"""An uploaded CSV file (branches, users, scheduled visits) as text, or what to do instead.

The commonest wrong file is the Excel workbook itself rather than the table saved as CSV; it
used to be refused as "not UTF-8 text", which does not tell anyone what to do.
"""
from __future__ import annotations

from flask_babel import gettext as _

#: How files that are not text begin.
WORKBOOKS = (b"PK\x03\x04", b"\xd0\xcf\x11\xe0")  # .xlsx/.ods (zip), .xls (OLE)
UTF16 = (b"\xff\xfe", b"\xfe\xff")  # text all the same (Excel's "Unicode Text"): said to be not UTF-8
OTHER_DOCUMENTS = (b"%PDF", b"\xff\xd8\xff", b"\x89PNG", b"GIF8", b"RIFF", b"II*\x00", b"MM\x00*")


def binary_document(raw: bytes) -> bool:
    """A picture, a PDF or another document that is no text (a NUL byte early on; UTF-16 text,
    which has NULs, excepted). Workbooks are told apart by the callers, which say more of them."""
    return raw.startswith(OTHER_DOCUMENTS) or (b"\x00" in raw[:4096] and not raw.startswith(UTF16))


class CsvUploadError(ValueError):
    """The upload is not UTF-8 CSV text; ``str()`` says what to do (translated)."""


def csv_text(raw: bytes, encoding: str = "utf-8-sig") -> str:
    if raw.startswith(WORKBOOKS):
        raise CsvUploadError(_("This is a spreadsheet workbook, not a CSV file. In Excel choose File › Save As › "
                               "“CSV UTF-8”, then choose the file it saves."))
    if binary_document(raw):
        raise CsvUploadError(_("This is not a CSV file but a picture or another kind of document. Choose the "
                               "table saved as “CSV UTF-8”."))
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError:
        raise CsvUploadError(_("The file is not UTF-8 text. Save it as “CSV UTF-8”.")) from None
