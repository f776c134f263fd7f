"""match_suggest / match_accept / match_decline / match_respond: who may, what is required, and that a
refusal writes nothing."""

from __future__ import annotations

import pytest

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.matching import services
from kechuang.matching.models import Match


def accept(world, need="pub_laixi", expert="own", user="coordinator", **kw):
    return services.match_accept(
        user=world.users[user],
        need=world.needs[need],
        kind="expert",
        candidate_id=world.experts[expert].pk,
        **kw,
    )


def test_accept_routes_to_the_experts_account_and_moves_the_need_to_matched(mworld):
    m = accept(mworld)
    assert m.status == "accepted" and m.decided_by == mworld.users["coordinator"]
    assert m.routed_to_user == mworld.users["expert"] and m.routed_to_org is None
    assert m.explanation["matched_terms"], "the accepted match keeps its explanation"
    need = mworld.needs["pub_laixi"]
    need.refresh_from_db()
    assert need.status == "matched"
    assert AuditEntry.objects.filter(action="match.accept", object_id=str(m.pk)).exists()
    assert need.history.filter(to_status="matched").exists()


def test_an_expert_without_an_account_is_routed_to_the_society_liaisons(mworld):
    m = services.match_accept(
        user=mworld.users["coordinator"],
        need=mworld.needs["pub_laixi"],
        kind="expert",
        candidate_id=mworld.experts["other"].pk,
    )
    assert m.routed_to_user is None and m.routed_to_org == mworld.orgs["soc2"]


def test_a_society_match_is_routed_to_the_society(mworld):
    m = services.match_accept(
        user=mworld.users["coordinator"],
        need=mworld.needs["pub_laixi"],
        kind="society",
        candidate_id=mworld.orgs["soc"].pk,
    )
    assert m.routed_to_org == mworld.orgs["soc"]


def test_a_coordinators_only_need_is_accepted_but_never_routed(mworld):
    m = services.match_accept(
        user=mworld.users["coordinator"],
        need=mworld.needs["secret_ent2"],
        kind="expert",
        candidate_id=mworld.experts["own"].pk,
    )
    assert m.status == "accepted" and m.routed_to_user is None and m.routed_to_org is None


@pytest.mark.parametrize("role", ["district", "enterprise", "liaison", "expert", "leadership"])
def test_only_coordinators_decide(mworld, role):
    with pytest.raises(ApplicationError, match="只有协调员"):
        accept(mworld, user=role)
    with pytest.raises(ApplicationError, match="只有协调员"):
        services.match_decline(
            user=mworld.users[role],
            need=mworld.needs["pub_laixi"],
            kind="expert",
            candidate_id=mworld.experts["own"].pk,
            reason="too_early",
        )
    assert not Match.objects.exists()


def test_a_need_not_yet_reviewed_cannot_be_matched(mworld):
    with pytest.raises(ApplicationError, match="审核通过后"):
        accept(mworld, need="new_ent2")
    assert not Match.objects.exists()


def test_a_conflicted_expert_cannot_be_accepted(mworld):
    for key, text in (("insider", "工作单位即需求企业"), ("partner", "既往合作关系")):
        with pytest.raises(ApplicationError, match=text):
            accept(mworld, expert=key)
    assert not Match.objects.exists()


def test_decline_needs_a_reason_and_other_needs_a_comment(mworld):
    kw = {"user": mworld.users["coordinator"], "need": mworld.needs["pub_laixi"], "kind": "expert"}
    with pytest.raises(ApplicationError, match="请选择不采纳的原因"):
        services.match_decline(**kw, candidate_id=mworld.experts["own"].pk, reason="")
    with pytest.raises(ApplicationError, match="请选择不采纳的原因"):
        services.match_decline(**kw, candidate_id=mworld.experts["own"].pk, reason="bored")
    with pytest.raises(ApplicationError, match="其他"):
        services.match_decline(**kw, candidate_id=mworld.experts["own"].pk, reason="other", comment="  ")
    assert not Match.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="match.").exists()
    m = services.match_decline(
        **kw, candidate_id=mworld.experts["own"].pk, reason="other", comment="企业已有合作方"
    )
    assert (m.status, m.reason, m.comment) == ("declined", "other", "企业已有合作方")
    m2 = services.match_decline(**kw, candidate_id=mworld.experts["other"].pk, reason="out_of_scope")
    assert m2.get_reason_display() == "不在范围"


def test_a_decision_is_made_once(mworld):
    accept(mworld)
    with pytest.raises(ApplicationError, match="已处理"):
        accept(mworld)
    with pytest.raises(ApplicationError, match="已处理"):
        services.match_decline(
            user=mworld.users["coordinator"],
            need=mworld.needs["pub_laixi"],
            kind="expert",
            candidate_id=mworld.experts["own"].pk,
            reason="too_early",
        )
    assert Match.objects.get().status == "accepted"


def test_nothing_is_half_written_when_the_audit_fails(mworld, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("audit store down")

    monkeypatch.setattr(services, "audit", broken)
    with pytest.raises(RuntimeError):
        accept(mworld)
    assert not Match.objects.exists()
    need = mworld.needs["pub_laixi"]
    need.refresh_from_db()
    assert need.status == "reviewed"


def test_respond_only_by_whom_it_was_routed_to(mworld):
    m = accept(mworld)
    for role in ("coordinator", "liaison", "enterprise", "partner"):
        with pytest.raises(ApplicationError, match="不能回复"):
            services.match_respond(user=mworld.users[role], match=m, response="interested")
    with pytest.raises(ApplicationError, match="初步方案"):
        services.match_respond(user=mworld.users["expert"], match=m, response="proposal", text="可以")
    with pytest.raises(ApplicationError, match="回复方式"):
        services.match_respond(user=mworld.users["expert"], match=m, response="maybe")
    m.refresh_from_db()
    assert m.response == ""
    m = services.match_respond(
        user=mworld.users["expert"],
        match=m,
        response="proposal",
        text="建议先做三个月的分散工艺小试，再放大到中试线。",
    )
    assert m.response == "proposal" and m.responded_by == mworld.users["expert"]
    assert AuditEntry.objects.filter(action="match.respond", object_id=str(m.pk)).exists()
    with pytest.raises(ApplicationError, match="已回复过"):
        services.match_respond(user=mworld.users["expert"], match=m, response="interested")


def test_the_liaison_responds_for_a_society_match(mworld):
    m = services.match_accept(
        user=mworld.users["coordinator"],
        need=mworld.needs["pub_laixi"],
        kind="society",
        candidate_id=mworld.orgs["soc"].pk,
    )
    m = services.match_respond(user=mworld.users["liaison"], match=m, response="interested")
    assert m.response == "interested"


def test_a_declined_match_cannot_be_answered(mworld):
    m = services.match_decline(
        user=mworld.users["coordinator"],
        need=mworld.needs["pub_laixi"],
        kind="expert",
        candidate_id=mworld.experts["own"].pk,
        reason="too_early",
    )
    with pytest.raises(ApplicationError):
        services.match_respond(user=mworld.users["expert"], match=m, response="interested")


def test_suggest_records_the_top_suggestions_and_keeps_decisions(mworld):
    accept(mworld)
    saved = services.match_suggest(user=mworld.users["coordinator"], need=mworld.needs["pub_laixi"])
    kinds = {m.kind for m in saved}
    assert kinds == {"expert", "achievement", "society"}
    own = Match.objects.get(kind="expert", expert=mworld.experts["own"])
    assert own.status == "accepted"
    assert not Match.objects.filter(
        expert__in=[mworld.experts["insider"], mworld.experts["partner"]]
    ).exists()
    assert AuditEntry.objects.filter(action="match.suggest").count() == 1
    with pytest.raises(ApplicationError):
        services.match_suggest(user=mworld.users["enterprise"], need=mworld.needs["pub_laixi"])
