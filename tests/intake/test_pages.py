"""The import pages: upload → report → preview → commit, through the browser's requests."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from xlsx_books import fill_template

from kechuang.intake.models import ImportBatch
from kechuang.needs.models import Need

pytestmark = pytest.mark.django_db

GOOD = {
    "需求企业": "山东领军科技集团",
    "项目名称": "高镍正极材料稳定性提升",
    "需求类型": "技术攻关",
    "行业领域/产业链": "新能源新材料",
    "地区": "莱西市",
    "需求背景": "扩产高镍三元正极",
    "需解决的主要技术难题": "需要解决高镍正极材料在循环过程中的结构稳定性和产气问题，提升循环寿命",
    "期望实现的技术目标": "循环 1000 次容量保持率 90% 以上",
    "保密级别": "公开",
}


def upload(client, path, kind="needs"):
    f = SimpleUploadedFile(path.name, path.read_bytes(), content_type="application/octet-stream")
    return client.post(reverse("intake:home"), {"kind": kind, "file": f})


@pytest.fixture
def template_bytes(world, client_for):
    r = client_for("coordinator").get(reverse("intake:template", args=["needs"]))
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    return b"".join(r.streaming_content) if r.streaming else r.content


def test_upload_preview_commit(world, client_for, template_bytes, tmp_path):
    client = client_for("coordinator")
    path = fill_template(
        template_bytes, [GOOD, dict(GOOD, 项目名称="盐碱地智能播种装备研制")], tmp_path / "n.xlsx"
    )
    before = Need.objects.count()
    r = upload(client, path)
    batch = ImportBatch.objects.get()
    assert r.status_code == 302 and r["Location"] == reverse("intake:batch", args=[batch.pk])
    assert batch.status == "checked" and Need.objects.count() == before
    page = client.get(r["Location"]).content.decode()
    assert "将新建 2 条" in page and "确认导入" in page and "高镍正极材料稳定性提升" in page
    r = client.post(reverse("intake:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed" and Need.objects.count() == before + 2
    page = client.get(r["Location"]).content.decode()
    assert "已新建 2 条" in page and "确认导入" not in page
    r = client.post(reverse("intake:commit", args=[batch.pk]))  # a second click writes nothing
    assert Need.objects.count() == before + 2


def test_errors_are_listed_with_row_and_column_and_nothing_can_be_committed(
    world, client_for, template_bytes, tmp_path
):
    client = client_for("coordinator")
    path = fill_template(
        template_bytes, [GOOD, dict(GOOD, 项目名称="第二个", 地区="火星")], tmp_path / "b.xlsx"
    )
    r = upload(client, path)
    batch = ImportBatch.objects.get()
    assert batch.status == "invalid"
    page = client.get(r["Location"]).content.decode()
    assert "第4行" in page and "E列 地区" in page and "火星" in page and "确认导入" not in page
    client.post(reverse("intake:commit", args=[batch.pk]))
    assert not Need.objects.filter(title="第二个").exists()
    assert not Need.objects.filter(title=GOOD["项目名称"]).exists()


def test_a_hostile_file_is_refused_with_its_reason(world, client_for, tmp_path):
    client = client_for("coordinator")
    path = tmp_path / "old.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    r = upload(client, path)
    page = client.get(r["Location"]).content.decode()
    assert "另存为" in page and ImportBatch.objects.get().status == "invalid"


@override_settings(KECHUANG_IMPORT_SYNC_BYTES=0)
def test_large_files_go_through_the_background_task(world, client_for, template_bytes, tmp_path):
    """Tests run tasks immediately; the page and the statuses are the same as with a worker."""
    client = client_for("coordinator")
    path = fill_template(template_bytes, [GOOD], tmp_path / "n.xlsx")
    upload(client, path)
    batch = ImportBatch.objects.get()
    assert batch.status == "checked"
    client.post(reverse("intake:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "committed" and Need.objects.filter(title=GOOD["项目名称"]).exists()


def test_a_busy_batch_page_polls_and_shows_progress(world, client_for):
    from django.core.files.base import ContentFile

    user = world.users["coordinator"]
    b = ImportBatch(user=user, kind="needs", filename="big.xlsx", size=10, status="checking")
    b.file.save("big.xlsx", ContentFile(b"x"), save=False)
    b.save()
    from kechuang.intake.services import progress_path

    progress_path(b).write_text('{"rows": 1200}')
    page = client_for("coordinator").get(reverse("intake:batch", args=[b.pk])).content.decode()
    assert "已处理 1200 行" in page and 'hx-trigger="every 1s"' in page


def test_only_the_uploader_commits(world, client_for, template_bytes, tmp_path):
    path = fill_template(template_bytes, [GOOD], tmp_path / "n.xlsx")
    upload(client_for("district"), path)
    batch = ImportBatch.objects.get()
    assert batch.status == "checked"
    client_for("coordinator").post(reverse("intake:commit", args=[batch.pk]))
    batch.refresh_from_db()
    assert batch.status == "checked" and not Need.objects.filter(title=GOOD["项目名称"]).exists()
