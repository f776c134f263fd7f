"""The planner never makes a confidential need the topic of a meeting with an expert who may not see it."""

from __future__ import annotations

from kechuang.core.access import can_see
from kechuang.events import services
from kechuang.events.affinity import AffinityCache, best_need, walk_in_topic
from kechuang.events.models import Meeting, MeetingRequest


def _expert_sees(meeting, world) -> bool:
    users = {u.expert_id: u for u in world.users.values() if u.expert_id}
    user = users.get(meeting.expert.expert_id)
    if meeting.need.confidentiality == "public":
        return True
    return user is not None and can_see(user, meeting.need)


def test_a_request_naming_a_confidential_need_gets_a_shareable_topic(world, mm):
    rep_a, own = mm.reps["a"], mm.experts["own"]
    MeetingRequest.objects.filter(enterprise=rep_a, expert=own).update(need=world.needs["conf_ent"])
    services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    meetings = list(Meeting.objects.filter(event=mm.event, status="scheduled").exclude(need=None))
    assert meetings
    assert all(_expert_sees(m, world) for m in meetings)
    talk = Meeting.objects.get(event=mm.event, enterprise=rep_a, expert=own)
    assert talk.need == world.needs["pub_laixi"]  # the public need instead of the confidential one


def test_best_need_offers_only_what_the_expert_may_see(world, mm):
    rep_a = mm.reps["a"]
    rep_a.needs.set([world.needs["conf_ent"]])  # only a "matched experts only" need
    cache = AffinityCache([rep_a], list(mm.experts.values()))
    assert all(best_need(rep_a, ex, cache) is None for ex in mm.experts.values())
    assert walk_in_topic(rep_a, mm.experts["own"]) is None


def test_an_accepted_match_opens_the_need_as_a_topic(world, mm):
    from kechuang.matching.models import Match

    rep_a, own = mm.reps["a"], mm.experts["own"]
    rep_a.needs.set([world.needs["conf_ent"]])
    Match.objects.create(
        need=world.needs["conf_ent"],
        kind="expert",
        expert=world.experts["own"],
        score=1.0,
        status="accepted",
        routed_to_user=world.users["expert"],
    )
    assert walk_in_topic(rep_a, own) == world.needs["conf_ent"]
    assert walk_in_topic(rep_a, mm.experts["other"]) is None
