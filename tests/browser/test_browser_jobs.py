"""Long files as background jobs, as a coordinator meets them: the button, a page with progress that
updates by itself, then the download (or a readable error)."""

from __future__ import annotations

import uuid

from browser_helpers import login, shot
from pdf_glyphs import missing_glyphs
from pdf_text import pdf_text
from playwright.sync_api import expect

TITLE = "全国学会与青岛企业精准对接洽谈会"


def test_all_agendas_pdf_is_made_in_the_background_and_downloaded(page, demo, tmp_path):
    from kechuang.events.models import Event
    from kechuang.ops.models import Job

    event = Event.objects.get(title=TITLE)
    login(page, "coordinator")
    page.goto(f"/events/{event.pk}/schedule/")
    # the test settings run tasks in the request (immediate backend), so the click waits for the PDF
    page.get_by_test_id("agendas-pdf").click(timeout=300_000)
    page.wait_for_url("**/jobs/*/", timeout=300_000)
    expect(page.get_by_role("heading", level=1)).to_have_text("全部个人议程（PDF）")
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=120_000)
    shot(page, "job-agendas-done")
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_test_id("job-download").click()
    pdf = (tmp_path / "agendas.pdf")
    dl.value.save_as(pdf)
    body = pdf.read_bytes()
    assert body.startswith(b"%PDF-") and event.title in pdf_text(body)
    assert missing_glyphs(body, event.title) == set()
    assert Job.objects.get().status == "done"


def test_the_job_page_shows_progress_and_then_the_file_by_itself(page, demo):
    from django.core.files.base import ContentFile

    from kechuang.accounts.models import User
    from kechuang.ops.models import Job

    job = Job.objects.create(id=uuid.uuid4(), kind=Job.Kind.BRIEFING_PDF, user=User.objects.get(username="leadership"),
                             status=Job.Status.RUNNING, progress=40, stage="汇总数据")
    login(page, "leadership")
    page.goto(f"/jobs/{job.pk}/")
    expect(page.get_by_test_id("job-progress")).to_have_attribute("value", "40")
    expect(page.get_by_test_id("job-status")).to_contain_text("汇总数据")
    shot(page, "job-briefing-running")

    job.file.save("briefing.pdf", ContentFile(b"%PDF-1.7 done"), save=False)
    job.status, job.progress, job.filename, job.content_type = "done", 100, "briefing.pdf", "application/pdf"
    job.save()
    expect(page.get_by_test_id("job-download")).to_be_visible(timeout=10_000)  # no reload: the page polls

    failed = Job.objects.create(id=uuid.uuid4(), kind=Job.Kind.GRID_PDF, user=job.user, status=Job.Status.FAILED,
                                error="您已无权访问该对象，或它已被删除。")
    page.goto(f"/jobs/{failed.pk}/")
    expect(page.get_by_test_id("job-error")).to_have_text("您已无权访问该对象，或它已被删除。")
    shot(page, "job-grid-failed")
