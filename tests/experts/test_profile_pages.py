"""Profile pages outside the admin: an expert's own profile, liaisons' experts / achievements / teams,
coordinators' organisations and taxonomy. Services write and audit; unchanged forms change nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.experts import profile_services as ps
from kechuang.experts.models import Achievement, Expert, ServiceTeam
from kechuang.orgs.models import IndustryChain


def audit_count(action):
    return AuditEntry.objects.filter(action=action).count()


def profile_post(expert, **over):
    d = {
        "title": expert.title,
        "availability": expert.availability,
        "fields_text": "、".join(expert.fields),
        "keywords_text": "、".join(expert.keywords),
        "phone": expert.phone,
        "email": expert.email,
        "region": expert.region,
        "bio": expert.bio,
    }
    return d | over


def test_expert_edits_own_profile_with_history(client_for, world):
    c = client_for("expert")
    expert = world.experts["own"]
    assert c.get(reverse("experts:my_profile")).url == reverse("experts:profile_edit", args=[expert.pk])
    url = reverse("experts:profile_edit", args=[expert.pk])
    resp = c.post(
        url, profile_post(expert, availability="unavailable", keywords_text="石墨烯、散热膜"), follow=True
    )
    assert "档案已保存" in resp.content.decode()
    expert.refresh_from_db()
    assert expert.availability == "unavailable" and expert.keywords == ["石墨烯", "散热膜"]
    entry = AuditEntry.objects.get(action="expert.profile_update")
    assert set(entry.changes) == {"availability", "keywords"}
    # the history on the page, in words
    assert "修改档案" in resp.content.decode() and "可对接状态：可对接 → 暂不可对接" in resp.content.decode()


def test_unchanged_profile_form_changes_nothing(client_for, world):
    c = client_for("expert")
    expert = world.experts["own"]
    before = Expert.objects.get(pk=expert.pk).updated_at
    resp = c.post(reverse("experts:profile_edit", args=[expert.pk]), profile_post(expert), follow=True)
    assert "没有修改" in resp.content.decode()
    assert Expert.objects.get(pk=expert.pk).updated_at == before
    assert audit_count("expert.profile_update") == 0


def test_bad_profile_input_is_refused_in_chinese(client_for, world):
    c = client_for("expert")
    expert = world.experts["own"]
    resp = c.post(
        reverse("experts:profile_edit", args=[expert.pk]),
        profile_post(expert, title="", email="not-mail", phone="abc", availability="sometimes"),
    )
    body = resp.content.decode()
    assert "请填写职称" in body and "请填写有效的电子邮箱" in body and "联系电话只能包含数字" in body
    assert Expert.objects.get(pk=expert.pk).title == expert.title


def test_publications_and_patents(client_for, world):
    c = client_for("expert")
    expert = world.experts["own"]
    add = reverse("experts:publication_add", args=[expert.pk])
    c.post(add, {"pub-title": "石墨烯导热膜的制备", "pub-year": "2024", "pub-venue": "材料导报"})
    resp = c.post(add, {"pub-title": "石墨烯导热膜的制备"}, follow=True)
    assert "已有同名论文" in resp.content.decode()
    assert expert.publications.count() == 1
    resp = c.post(add, {"pub-title": "", "pub-year": "20x4"}, follow=True)
    assert "年份应为四位数字" in resp.content.decode()
    c.post(
        reverse("experts:patent_add", args=[expert.pk]),
        {"pat-title": "一种散热膜", "pat-number": "ZL2024100001"},
    )
    pat = expert.patents.get()
    c.post(reverse("experts:patent_remove", args=[expert.pk, pat.pk]))
    assert not expert.patents.exists()
    assert audit_count("publication.create") == 1 and audit_count("patent.delete") == 1


def test_who_may_edit_a_profile(client_for, world):
    own, other = world.experts["own"], world.experts["other"]
    assert client_for("liaison").get(reverse("experts:profile_edit", args=[own.pk])).status_code == 200
    assert client_for("liaison").get(reverse("experts:profile_edit", args=[other.pk])).status_code == 404
    assert client_for("expert").get(reverse("experts:profile_edit", args=[other.pk])).status_code == 404
    # district staff and enterprises may read the profile but not edit it
    assert client_for("district").get(reverse("experts:profile_edit", args=[own.pk])).status_code == 404
    with pytest.raises(ApplicationError):
        ps.expert_profile_update(user=world.users["enterprise"], expert=own, data={"title": "院士"})


def test_liaison_creates_edits_and_retires_an_expert(client_for, world):
    c = client_for("liaison")
    resp = c.post(
        reverse("experts:create"),
        {
            "name": "钱 新",
            "title": "研究员",
            "societies": [world.orgs["soc"].pk],
            "availability": "available",
            "fields_text": "复合材料",
            "affiliation_name": "某材料大学",
        },
    )
    expert = Expert.objects.get(name="钱新")
    assert resp.url == reverse("experts:detail", args=[expert.pk])
    resp = c.post(
        reverse("experts:create"),
        {"name": "孙", "title": "教授", "societies": [world.orgs["soc2"].pk], "availability": "available"},
    )
    body = resp.content.decode()
    assert "姓名太短" in body and "只能选择您所在的学会" in body
    c.post(reverse("experts:retire", args=[expert.pk]), {"retire": "1"})
    expert.refresh_from_db()
    assert expert.retired_at is not None and expert.availability == "unavailable"
    assert Expert.objects.filter(pk=expert.pk).exists()  # soft: the row and its history stay
    assert audit_count("expert.retire") == 1
    # another society's expert: 404 for the page, refused by the service
    assert c.post(reverse("experts:retire", args=[world.experts["other"].pk])).status_code == 404
    with pytest.raises(ApplicationError):
        ps.expert_retire(user=world.users["liaison"], expert=world.experts["other"])


def test_saving_an_expert_marks_the_matching_index_stale(world):
    from kechuang.matching.index import state

    before = state("expert").version
    ps.expert_profile_update(
        user=world.users["expert"], expert=world.experts["own"], data={"keywords": ["导热"]}
    )
    assert state("expert").version > before


def test_achievement_pages(client_for, world):
    c = client_for("liaison")
    a = world.achievements["own"]
    url = reverse("experts:achievement_edit", args=[a.pk])
    assert c.get(url).status_code == 200
    other = Achievement.objects.exclude(owner_society=world.orgs["soc"]).first()
    assert c.get(reverse("experts:achievement_edit", args=[other.pk])).status_code == 404
    c.post(reverse("experts:achievement_retire", args=[a.pk]))
    a.refresh_from_db()
    assert a.retired_at is not None and audit_count("achievement.retire") == 1


def test_service_teams(client_for, world):
    c = client_for("liaison")
    resp = c.post(
        reverse("experts:team_create"),
        {
            "name": "新材料服务团",
            "societies": [world.orgs["soc"].pk],
            "experts": [world.experts["own"].pk],
            "theme": "散热",
        },
    )
    assert resp.status_code == 302
    team = ServiceTeam.objects.get(name="新材料服务团")
    assert list(team.experts.all()) == [world.experts["own"]]
    # another society's expert is not offered (Chinese message), nothing changes
    resp = c.post(
        reverse("experts:team_edit", args=[team.pk]),
        {"name": "新材料服务团", "societies": [world.orgs["soc"].pk], "experts": [world.experts["other"].pk]},
    )
    assert "请选择所选学会的专家" in resp.content.decode()
    _t, changes = ps.service_team_save(
        user=world.users["liaison"],
        team=team,
        data={
            "name": "新材料服务团",
            "theme": "散热",
            "target_city": "",
            "societies": [world.orgs["soc"]],
            "experts": [world.experts["own"]],
            "chains": [],
        },
    )
    assert changes == {}
    c.post(reverse("experts:team_retire", args=[team.pk]))
    team.refresh_from_db()
    assert team.retired_at is not None
    assert client_for("expert").get(reverse("experts:teams")).status_code == 404


def test_coordinator_keeps_organisations_and_chains(client_for, world):
    c = client_for("coordinator")
    resp = c.post(
        reverse("orgs:chain_create"),
        {
            "name": "海洋装备",
            "code": "marine",
            "task_force": "海洋专班",
            "order": "5",
            "active": "on",
            "keywords_text": "船舶、海工",
        },
    )
    assert resp.status_code == 302
    chain = IndustryChain.objects.get(code="marine")
    assert chain.keywords == ["船舶", "海工"] and audit_count("chain.create") == 1
    resp = c.post(
        reverse("orgs:chain_edit", args=[chain.pk]),
        {
            "name": "海洋装备",
            "code": "marine",
            "task_force": "海洋专班",
            "order": "5",
            "active": "on",
            "keywords_text": "船舶、海工",
        },
        follow=True,
    )
    assert "没有修改" in resp.content.decode() and audit_count("chain.update") == 0
    resp = c.post(reverse("orgs:chain_create"), {"name": "海洋装备", "code": "bad code!", "order": "x"})
    body = resp.content.decode()
    assert "代码只能包含" in body and "排序应为整数" in body
    org = world.orgs["ent"]
    resp = c.post(
        reverse("orgs:edit", args=[org.pk]),
        {
            "name": org.name,
            "kind": "enterprise",
            "credit_code": "123",
            "district": org.district_id,
            "chain": org.chain_id,
        },
    )
    assert "统一社会信用代码应为 18 位" in resp.content.decode()
    assert client_for("liaison").get(reverse("orgs:chains")).status_code == 404
    assert client_for("district").get(reverse("orgs:edit", args=[world.orgs["ent2"].pk])).status_code == 404


def test_unchanged_expert_and_org_forms_change_nothing(client_for, world):
    from django.test import Client

    expert = world.experts["own"]
    c = client_for("liaison")
    page = c.get(reverse("experts:edit", args=[expert.pk])).content.decode()
    assert "编辑专家" in page
    data = {
        "name": expert.name,
        "gender": expert.gender,
        "title": expert.title,
        "affiliation_name": expert.affiliation.name if expert.affiliation else "",
        "societies": [s.pk for s in expert.societies.all()],
        "fields_text": "、".join(expert.fields),
        "keywords_text": "、".join(expert.keywords),
        "phone": expert.phone,
        "email": expert.email,
        "region": expert.region,
        "availability": expert.availability,
        "bio": expert.bio,
    }
    resp = c.post(reverse("experts:edit", args=[expert.pk]), data, follow=True)
    assert "没有修改" in resp.content.decode()
    assert audit_count("expert.update") == 0
    org = world.orgs["ent"]
    coord = Client()
    coord.force_login(world.users["coordinator"])
    org_data = {
        "name": org.name,
        "short_name": org.short_name,
        "kind": org.kind,
        "credit_code": org.credit_code,
        "district": org.district_id,
        "chain": org.chain_id or "",
        "description": org.description,
    }
    resp = coord.post(reverse("orgs:edit", args=[org.pk]), org_data, follow=True)
    assert "没有修改" in resp.content.decode()
    assert audit_count("organisation.update") == 0
