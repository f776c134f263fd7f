"""manage.py demo: loads the whole scenario in one go, once, and the six demo logins work."""

from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import authenticate
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import RequestFactory

from kechuang.accounts.models import User
from kechuang.experts.models import Expert
from kechuang.needs.models import Need, NeedStatus
from kechuang.orgs.models import Organisation

LOGINS = {
    "coordinator": "demo-coord-2026",
    "district": "demo-district-2026",
    "enterprise": "demo-ent-2026",
    "liaison": "demo-liaison-2026",
    "expert": "demo-expert-2026",
    "leadership": "demo-lead-2026",
}


@pytest.mark.django_db
def test_demo_loads_the_source_story_at_size():
    out = StringIO()
    call_command("demo", stdout=out)
    assert "演示场景已载入" in out.getvalue() and "demo-coord-2026" in out.getvalue()
    societies = Organisation.objects.filter(kind="society")
    assert societies.count() >= 10
    for soc in societies.filter(name__in=["中国材料研究学会", "中国农业机械学会", "中国自动化学会"]):
        assert Expert.objects.filter(societies=soc).count() >= 30, soc.name
        assert soc.service_teams.exists()
    assert Organisation.objects.filter(kind="enterprise").count() >= 40
    assert Need.objects.count() >= 120
    assert set(Need.objects.values_list("status", flat=True)) == set(NeedStatus.values)
    assert Need.objects.filter(title__contains="石墨烯").exists()
    assert Need.objects.exclude(confidentiality="public").exists()
    for need in Need.objects.all()[:50]:  # history ends in the current status
        assert need.history.last().to_status == need.status
    for username, password in LOGINS.items():
        request = RequestFactory().post("/accounts/login/")  # django-axes needs the request
        user = authenticate(request, username=username, password=password)
        assert user is not None and user.role == username, username
    assert User.objects.get(username="district").area.name == "莱西市"
    assert User.objects.get(username="enterprise").organisation.name == "山东领军科技集团"
    assert User.objects.get(username="liaison").organisation.name == "中国材料研究学会"


@pytest.mark.django_db
def test_demo_refuses_a_non_empty_database_and_if_empty_skips():
    call_command("demo", stdout=StringIO())
    n = Need.objects.count()
    with pytest.raises(CommandError, match="数据库不为空"):
        call_command("demo", stdout=StringIO())
    out = StringIO()
    call_command("demo", "--if-empty", stdout=out)
    assert "跳过" in out.getvalue() and Need.objects.count() == n


@pytest.mark.django_db
def test_demo_is_deterministic():
    from kechuang.demo.scenario import build_scenario

    a, b = build_scenario(), build_scenario()
    assert a == b
