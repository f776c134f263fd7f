"""The need form's contact (联系人, 联系电话) and a need's files: upload, download, delete with the need's
own access rules (404 outside scope), each write audited, each download of a confidential need's file too."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile

from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need, NeedAttachment

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _upload(client, need, name="总装图.pdf", content=PDF, label=""):
    return client.post(
        f"/needs/{need.pk}/attachments/", {"file": SimpleUploadedFile(name, content), "name": label}
    )


def test_enterprise_attaches_a_drawing_to_its_confidential_need(world, client_for):
    need = world.needs["conf_ent"]
    c = client_for("enterprise")
    resp = _upload(c, need, label="总装图")
    assert resp.status_code == 302
    att = NeedAttachment.objects.get(need=need)
    assert att.name == "总装图" and att.uploaded_by == world.users["enterprise"]
    entry = AuditEntry.objects.get(action="need.attachment_add")
    assert entry.object_id == str(need.pk) and entry.changes["name"] == "总装图"
    assert "总装图" in c.get(f"/needs/{need.pk}/").content.decode()
    # the coordinator downloads it: the bytes, and a view of a confidential need in the audit trail
    views = AuditEntry.objects.filter(action="need.view_confidential").count()
    resp = client_for("coordinator").get(f"/needs/attachments/{att.pk}/")
    assert resp.status_code == 200 and b"".join(resp.streaming_content) == PDF
    seen = AuditEntry.objects.filter(action="need.view_confidential").order_by("-pk").first()
    assert AuditEntry.objects.filter(action="need.view_confidential").count() == views + 1
    assert seen.changes["via"] == "attachment" and seen.changes["attachment"] == att.pk


def test_outside_the_needs_scope_a_file_is_404(world, client_for):
    need = world.needs["conf_ent"]
    att = NeedAttachment.objects.create(need=need, name="规格书.pdf", file=SimpleUploadedFile("s.pdf", PDF))
    for role in ("liaison", "expert", "leadership"):
        c = client_for(role)
        assert c.get(f"/needs/attachments/{att.pk}/").status_code == 404, role
        assert c.post(f"/needs/attachments/{att.pk}/delete/", {"confirmed": "yes"}).status_code == 404, role
        assert _upload(c, need).status_code == 404, role
    assert NeedAttachment.objects.filter(need=need).count() == 1


def test_someone_who_sees_the_need_but_does_not_handle_it_cannot_attach(world, client_for):
    need = world.needs["pub_laixi"]
    resp = _upload(client_for("liaison"), need)
    assert resp.status_code == 302
    assert not NeedAttachment.objects.exists()
    assert not AuditEntry.objects.filter(action="need.attachment_add").exists()


def test_a_renamed_executable_is_refused(world, client_for):
    resp = _upload(client_for("enterprise"), world.needs["conf_ent"], name="图纸.pdf", content=b"MZ\x90\x00rest")
    assert resp.status_code == 302
    assert not NeedAttachment.objects.exists()


def test_deleting_a_file_asks_then_deletes_and_audits(world, client_for):
    need = world.needs["conf_ent"]
    att = NeedAttachment.objects.create(need=need, name="规格书.pdf", file=SimpleUploadedFile("s.pdf", PDF))
    c = client_for("enterprise")
    resp = c.post(f"/needs/attachments/{att.pk}/delete/")
    assert resp.status_code == 200 and "确认删除附件" in resp.content.decode()
    assert NeedAttachment.objects.filter(pk=att.pk).exists()
    resp = c.post(f"/needs/attachments/{att.pk}/delete/", {"confirmed": "yes"})
    assert resp.status_code == 302
    assert not NeedAttachment.objects.filter(pk=att.pk).exists()
    assert AuditEntry.objects.get(action="need.attachment_delete").changes["name"] == "规格书.pdf"


def test_contact_is_saved_shown_to_handlers_and_hidden_from_others(world, client_for):
    need = world.needs["pub_laixi"]
    Need.objects.filter(pk=need.pk).update(status="submitted")
    c = client_for("enterprise")
    from html_forms import form_data

    data = form_data(c.get(f"/needs/{need.pk}/edit/").content.decode(), with_field="title")
    data["contact_name"], data["contact_phone"] = ["王建国"], ["0532-88886666"]
    assert c.post(f"/needs/{need.pk}/edit/", data).status_code == 302
    need.refresh_from_db()
    assert (need.contact_name, need.contact_phone) == ("王建国", "0532-88886666")
    update = AuditEntry.objects.get(action="need.update")
    assert set(update.changes) == {"contact_name", "contact_phone"}
    assert "0532-88886666" in c.get(f"/needs/{need.pk}/").content.decode()
    assert "0532-88886666" in client_for("coordinator").get(f"/needs/{need.pk}/").content.decode()
    Need.objects.filter(pk=need.pk).update(status="reviewed")
    page = client_for("liaison").get(f"/needs/{need.pk}/")
    assert page.status_code == 200 and "0532-88886666" not in page.content.decode()
    api = client_for("liaison").get(f"/api/needs/{need.pk}").json()
    assert api["contact_phone"] == "" and api["contact_name"] == ""
    assert client_for("coordinator").get(f"/api/needs/{need.pk}").json()["contact_phone"] == "0532-88886666"


def test_a_phone_number_must_look_like_one(world, client_for):
    need = world.needs["pub_laixi"]
    Need.objects.filter(pk=need.pk).update(status="submitted")
    c = client_for("enterprise")
    from html_forms import form_data

    data = form_data(c.get(f"/needs/{need.pk}/edit/").content.decode(), with_field="title")
    data["contact_phone"] = ["请打电话"]
    resp = c.post(f"/needs/{need.pk}/edit/", data)
    assert resp.status_code == 200 and "请填写有效的电话号码" in resp.content.decode()
