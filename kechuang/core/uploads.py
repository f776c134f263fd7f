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
