"""Oversized uploads are refused (413, Chinese message) before the body is read or spooled to disk."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http.multipartparser import MultiPartParser
from django.urls import reverse

from kechuang.core.uploads import max_request_bytes


@pytest.fixture
def agreement(world):
    from datetime import date

    from kechuang.followup.models import Agreement

    a = Agreement.objects.create(title="协议", kind="tech_service", amount=10, signed=date(2026, 3, 20))
    a.parties.set([world.orgs["soc"], world.orgs["ent"]])
    return a


@pytest.fixture
def no_body_reading(monkeypatch):
    """Fail loudly if anything starts parsing a multipart body (and so spooling its files)."""
    calls = []

    def parse(self):
        calls.append(self)
        raise AssertionError("the oversized body was parsed")

    monkeypatch.setattr(MultiPartParser, "parse", parse)
    return calls


def _multipart(size: int) -> tuple[bytes, str]:
    boundary = "LimitBoundary"
    head = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n"
    ).encode()
    tail = f"\r\n--{boundary}--\r\n".encode()
    return head + b"%PDF-" + b"0" * (size - 5) + tail, f"multipart/form-data; boundary={boundary}"


def test_oversized_upload_is_refused_before_the_body_is_read(world, agreement, client_for, no_body_reading):
    from kechuang.followup.models import AgreementAttachment

    c = client_for("coordinator")
    body, ctype = _multipart(settings.KECHUANG_MAX_UPLOAD_BYTES + 2 * 1024 * 1024)
    assert len(body) > max_request_bytes()
    resp = c.post(reverse("followup:attachment_add", args=[agreement.pk]), data=body, content_type=ctype)
    assert resp.status_code == 413
    text = resp.content.decode()
    assert "上传内容过大" in text and "20 MB" in text
    assert not no_body_reading and AgreementAttachment.objects.count() == 0


def test_a_lying_content_length_is_judged_by_the_header(world, agreement, client_for, no_body_reading):
    """The check reads only the header: a client announcing 2 GB is refused without a byte being read."""
    c = client_for("coordinator")
    body, ctype = _multipart(1000)
    resp = c.post(
        reverse("followup:attachment_add", args=[agreement.pk]),
        data=body,
        content_type=ctype,
        CONTENT_LENGTH=str(2 * 1024**3),
    )
    assert resp.status_code == 413 and not no_body_reading


def test_api_gets_json(world, client_for):
    c = client_for("coordinator")
    resp = c.generic(
        "POST", reverse("api:list_needs"), b"{}", content_type="application/json", CONTENT_LENGTH=str(10**9)
    )
    assert resp.status_code == 413
    assert "上传内容过大" in resp.json()["detail"]


def test_a_file_just_over_the_limit_inside_the_allowance_is_refused_by_the_service(
    world, agreement, client_for
):
    """Between the file limit and the request limit, the service's own size check speaks."""
    from kechuang.followup.models import AgreementAttachment

    c = client_for("coordinator")
    big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * settings.KECHUANG_MAX_UPLOAD_BYTES)
    resp = c.post(reverse("followup:attachment_add", args=[agreement.pk]), {"file": big})
    assert resp.status_code == 302
    msgs = [str(m) for m in resp.wsgi_request._messages]
    assert any("20 MB" in m for m in msgs), msgs
    assert AgreementAttachment.objects.count() == 0


def test_a_normal_upload_still_works(world, agreement, client_for):
    from kechuang.followup.models import AgreementAttachment

    c = client_for("coordinator")
    f = SimpleUploadedFile("协议.pdf", b"%PDF-1.4 scan", content_type="application/pdf")
    resp = c.post(reverse("followup:attachment_add", args=[agreement.pk]), {"file": f})
    assert resp.status_code == 302 and AgreementAttachment.objects.count() == 1


@pytest.mark.parametrize(
    ("filename", "content"),
    [("合同.pdf", b"MZ\x90\x00" + b"\x00" * 60), ("表.xlsx", b"%PDF-1.4"), ("图.png", b"GIF89a")],
)
def test_content_must_match_the_extension(world, agreement, client_for, filename, content):
    from kechuang.followup.models import AgreementAttachment

    c = client_for("coordinator")
    resp = c.post(
        reverse("followup:attachment_add", args=[agreement.pk]), {"file": SimpleUploadedFile(filename, content)}
    )
    msgs = [str(m) for m in resp.wsgi_request._messages]
    assert any("文件内容与扩展名不符" in m for m in msgs), msgs
    assert AgreementAttachment.objects.count() == 0
