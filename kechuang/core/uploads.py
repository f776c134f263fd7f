"""The upload size limit, enforced before Django reads the request body.

``DATA_UPLOAD_MAX_MEMORY_SIZE`` only bounds the non-file part of a form, and
``FILE_UPLOAD_MAX_MEMORY_SIZE`` only decides when an upload is spooled to a temporary file: neither
stops a 2 GB "attachment" from being written to disk before any view sees it. This middleware
looks at ``Content-Length`` first and answers 413 with a Chinese message; services still check the
size of each file against ``KECHUANG_MAX_UPLOAD_BYTES``.
"""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext


def max_request_bytes() -> int:
    """The largest body accepted: one file at the limit plus room for the form's other fields."""
    return settings.KECHUANG_MAX_UPLOAD_BYTES + settings.KECHUANG_FORM_OVERHEAD_BYTES


def too_large_message() -> str:
    mb = settings.KECHUANG_MAX_UPLOAD_BYTES // (1024 * 1024)
    return gettext("上传内容过大：文件不能超过 %(mb)s MB，请压缩或拆分后重新上传。") % {"mb": mb}


class UploadLimitMiddleware:
    """Refuse a body larger than ``max_request_bytes()`` (413) without reading it."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        try:
            length = int(request.META.get("CONTENT_LENGTH") or 0)
        except ValueError:
            length = 0  # Django reads an unparsable length as an empty body too
        if length > max_request_bytes():
            return self.refuse(request)
        return self.get_response(request)

    @staticmethod
    def refuse(request) -> HttpResponse:
        text = too_large_message()
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": text}, status=413)
        html = (
            gettext('<!doctype html><html lang="zh-hans"><meta charset="utf-8"><title>上传内容过大</title><p role="alert">%(text)s</p><p><a href="javascript:history.back()">返回</a></p></html>') % {"text": text}
        )
        return HttpResponse(html, status=413, content_type="text/html; charset=utf-8")


# --------------------------------------------------------------------------- attached files
# Shared by every attachment (agreements, needs): the accepted types, the size, and that the content
# is what the extension says (an .exe renamed .pdf starts with "MZ", not "%PDF-").
_ZIP = (b"PK\x03\x04", b"PK\x05\x06")  # OFD, DOCX and XLSX are ZIP containers
_OLE = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",)  # legacy DOC and XLS
ATTACHMENT_MAGIC = {
    ".pdf": (b"%PDF-",),
    ".ofd": _ZIP,
    ".zip": _ZIP,
    ".docx": _ZIP,
    ".xlsx": _ZIP,
    ".doc": _OLE,
    ".xls": _OLE,
    ".jpg": (b"\xff\xd8\xff",),
    ".jpeg": (b"\xff\xd8\xff",),
    ".png": (b"\x89PNG\r\n\x1a\n",),
}
ATTACHMENT_SUFFIXES = set(ATTACHMENT_MAGIC)


def check_attachment(file) -> None:
    """Refuse (``ApplicationError``, Chinese message on the ``file`` field) a missing file, an unknown
    type, a file over the size limit, or content that does not match its extension."""
    from pathlib import PurePath

    from kechuang.core.errors import ApplicationError

    if file is None:
        raise ApplicationError(gettext("请选择要上传的文件。"), field_errors={"file": [gettext("请选择文件。")]})
    suffix = PurePath(file.name).suffix.lower()
    if suffix not in ATTACHMENT_SUFFIXES:
        raise ApplicationError(
            gettext("不支持该文件类型。"), field_errors={"file": [gettext("支持 PDF、OFD、Word、Excel、图片和 ZIP。")]}
        )
    limit = settings.KECHUANG_MAX_UPLOAD_BYTES
    if file.size > limit:
        mb = limit // (1024 * 1024)
        raise ApplicationError(gettext("文件不能超过 %(mb)s MB。") % {"mb": mb}, field_errors={"file": [gettext("文件不能超过 %(mb)s MB。") % {"mb": mb}]})
    if not content_matches(file, ATTACHMENT_MAGIC[suffix]):
        raise ApplicationError(
            gettext("文件内容与扩展名不符。"),
            field_errors={"file": [gettext("该文件不是真正的 %(upper)s 文件，请上传原始文件。") % {"upper": suffix[1:].upper()}]},
        )


def content_matches(file, signatures: tuple[bytes, ...]) -> bool:
    """Whether the upload starts with one of ``signatures`` (magic bytes), read without consuming it."""
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    return any(head.startswith(sig) for sig in signatures)
