"""Uploaded files, refused cleanly: too big, or not UTF-8 text.

Every file Hustings accepts is a CSV (a roll, a paper batch, endorsements). Two guards:

* ``LimitedTextUploadHandler`` (first in ``FILE_UPLOAD_HANDLERS``) watches every upload
  as it arrives: a file over its size limit (``HUSTINGS_ROLL_MAX_BYTES`` for the roll,
  ``HUSTINGS_UPLOAD_MAX_BYTES`` for anything else) or that is not UTF-8 is skipped, the
  rest of it is never kept, and the page gets a message saying why. A view whose upload
  was skipped sees no file, so nothing downstream can fail on it.
* ``read_text(upload)`` is what a view calls to turn an accepted upload into text: the same
  checks, as an ``UploadError`` with one clear line, and the byte-order mark removed.

``UploadError`` is a ``PlatformError`` (``hustings.web.errors``), so the pages that report
those as messages report it too.
"""

from __future__ import annotations

import codecs

from django.conf import settings
from django.contrib import messages
from django.core.files.uploadhandler import FileUploadHandler, SkipFile

from hustings.web.errors import PlatformError

MIB = 1024 * 1024


class UploadError(PlatformError):
    """An uploaded file is too big or is not UTF-8 text."""


def limit_for(field_name: str) -> int:
    if field_name == "roll":  # a party's roll: ~100 bytes a voter, 550,000 voters in 2015
        return int(getattr(settings, "HUSTINGS_ROLL_MAX_BYTES", 128 * MIB))
    return int(getattr(settings, "HUSTINGS_UPLOAD_MAX_BYTES", 4 * MIB))


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB" if n >= MIB else f"{n:,} bytes"


def too_big(name: str, limit: int) -> str:
    return (f"{name}: the file is over {_size(limit)}, the limit for this upload; "
            "nothing was imported")


def not_utf8(name: str, error: UnicodeDecodeError, *, whole: bool) -> str:
    """``whole``: the error is from decoding the whole file (its line can be told), else
    from one chunk of it as it arrived."""
    data = bytes(error.object)
    line = data[: error.start].count(b"\n") + 1
    where = f"line {line}" if whole else "past the first 64 KiB"
    return (f"{name}, {where}: byte 0x{data[error.start]:02x} is not UTF-8 text; save the "
            "file as \"CSV UTF-8\" and upload it again; nothing was imported")


def read_text(upload, *, limit: int | None = None) -> str:
    """The text of an uploaded file, or UploadError (too big, not UTF-8)."""
    limit = limit_for(getattr(upload, "field_name", "") or "") if limit is None else limit
    name = getattr(upload, "name", None) or "the upload"
    if upload.size is not None and upload.size > limit:
        raise UploadError(too_big(name, limit))
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise UploadError(too_big(name, limit))
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise UploadError(not_utf8(name, e, whole=True)) from None


def posted_csv(request, limit: int) -> tuple[str | None, list[str]]:
    """The text of the form's ``file`` field, or None and the one line saying why not
    (no file, too big, not UTF-8): the set-up and endorsement imports show it by the form."""
    upload = request.FILES.get("file")
    if upload is None:
        return None, ["no file chosen; expected a CSV file"]
    if upload.size > limit:
        return None, [f"the file is {upload.size:,} bytes; expected at most {limit:,}"]
    try:
        return upload.read().decode("utf-8"), []
    except UnicodeDecodeError:
        return None, ["the file is not UTF-8 text; expected a CSV file saved as UTF-8"]


class LimitedTextUploadHandler(FileUploadHandler):
    """Skips an upload that grows past its limit or stops being UTF-8, with a message."""

    def new_file(self, field_name, file_name, *args, **kwargs):
        super().new_file(field_name, file_name, *args, **kwargs)
        self.limit = limit_for(field_name)
        self.seen = 0
        self.decoder = codecs.getincrementaldecoder("utf-8")()

    def _refuse(self, message: str) -> None:
        if self.request is not None and hasattr(self.request, "_messages"):
            messages.error(self.request, message)
        raise SkipFile(message)

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes:
        self.seen += len(raw_data)
        if self.seen > self.limit:
            self._refuse(too_big(self.file_name, self.limit))
        try:
            self.decoder.decode(raw_data)
        except UnicodeDecodeError as e:
            self._refuse(not_utf8(self.file_name, e, whole=start == 0))
        return raw_data  # the next handler keeps it

    def file_complete(self, file_size: int):
        # A character cut off at the very end cannot be skipped from here (Django does not
        # expect SkipFile now); ``read_text`` refuses it.
        return None  # the next handler makes the file
