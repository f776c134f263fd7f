"""One click: selection → solver → stored meetings that pass the validator; forced/forbidden pairs."""

from __future__ import annotations

import pytest
from events_fixtures import pairs

from kechuang.core.errors import ApplicationError
from kechuang.core.models import AuditEntry
from kechuang.events import affinity, planning, services
from kechuang.events.models import Meeting, MeetingSeat, PairRule, ScheduleRun


def test_generate_stores_a_valid_optimal_schedule(world, mm):
    coord = world.users["coordinator"]
    run = services.schedule_generate(user=coord, event=mm.event)
    assert run.status == "optimal" and run.violations == []
    meetings = list(Meeting.objects.filter(event=mm.event, status="scheduled"))
    # every accepted request is met (capacity is ample), and every representative has a meeting
    assert {
        ("钱一", "王石墨"),
        ("钱一", "赵腐蚀"),
        ("孙二", "王石墨"),
        ("李三", "李农机"),
        ("孙二", "赵腐蚀"),
    } <= pairs(mm.event)
    assert run.n_meetings == len(meetings) >= 5
    assert {m.enterprise_id for m in meetings} == {p.pk for p in mm.reps.values()}
    assert run.breaks == 0 and run.bound == 0 and run.selection_status == "optimal"
    assert run.selection_bound is not None and run.selection_total <= run.selection_bound + 1e-6
    # the stored rows obey the rules the validator knows, and the seats mirror the meetings
    assert planning.check_stored(mm.event) == []
    assert MeetingSeat.objects.filter(event=mm.event).count() == 2 * len(meetings)
    li = next(m for m in meetings if m.enterprise.name == "李三")
    assert li.slot != 1  # 李三 cannot attend slot 1
    assert AuditEntry.objects.filter(action="event.schedule_generate", object_id=str(mm.event.pk)).exists()


def test_forced_and_forbidden_pairs_are_respected(world, mm):
    coord = world.users["coordinator"]
    a, c = mm.reps["a"], mm.reps["c"]
    services.pair_rule_set(
        user=coord, event=mm.event, enterprise=a, expert=mm.experts["own"], action="forbid"
    )
    services.pair_rule_set(
        user=coord, event=mm.event, enterprise=c, expert=mm.experts["third"], action="force"
    )
    run = services.schedule_generate(user=coord, event=mm.event)
    got = pairs(mm.event)
    assert ("钱一", "王石墨") not in got  # accepted request, but forbidden
    assert ("李三", "赵腐蚀") in got  # nobody asked, but forced
    assert run.violations == []
    assert PairRule.objects.filter(event=mm.event).count() == 2


def test_forbidden_pair_cannot_be_requested(world, mm):
    coord = world.users["coordinator"]
    services.pair_rule_set(
        user=coord, event=mm.event, enterprise=mm.reps["c"], expert=mm.experts["own"], action="forbid"
    )
    with pytest.raises(ApplicationError, match="不安排"):
        services.meeting_request_create(
            user=coord, event=mm.event, enterprise=mm.reps["c"], expert=mm.experts["own"]
        )


def test_only_coordinators_generate(world, mm):
    for role in ("district", "enterprise", "liaison", "expert", "leadership"):
        with pytest.raises(ApplicationError, match="协调员"):
            services.schedule_generate(user=world.users[role], event=mm.event)
    assert not ScheduleRun.objects.exists()


def test_infeasible_selection_names_the_rule_and_stores_nothing(world, mm):
    coord = world.users["coordinator"]
    # 李三 is forced to meet all three experts but can attend only the afternoon (2 slots)
    mm.reps["c"].unavailable_slots = [1, 2, 3, 4]
    mm.reps["c"].save()
    for ex in mm.experts.values():
        services.pair_rule_set(user=coord, event=mm.event, enterprise=mm.reps["c"], expert=ex, action="force")
    run = services.schedule_generate(user=coord, event=mm.event)
    assert run.status == "infeasible" and run.rule == "selection"
    assert "capacity" in run.message
    assert not Meeting.objects.filter(event=mm.event).exists()


def test_regenerate_replaces_until_something_happened(world, mm):
    coord = world.users["coordinator"]
    services.schedule_generate(user=coord, event=mm.event)
    first = set(Meeting.objects.values_list("pk", flat=True))
    services.schedule_generate(user=coord, event=mm.event)
    assert not first & set(Meeting.objects.values_list("pk", flat=True))
    m = Meeting.objects.filter(event=mm.event).first()
    services.meeting_record_outcome(user=coord, meeting=m, outcome="interested")
    with pytest.raises(ApplicationError, match="调整排期"):
        services.schedule_generate(user=coord, event=mm.event)


def test_proposals_fill_in_for_representatives_without_requests(world, mm):
    """A representative nobody asked gets the best-fitting experts proposed by affinity."""
    from kechuang.events.models import MeetingRequest

    MeetingRequest.objects.filter(enterprise=mm.reps["b"]).delete()
    cs = affinity.candidates(mm.event)
    proposed = [c for c in cs.candidates if c.enterprise == mm.reps["b"]]
    assert proposed and all(c.source == "proposal" for c in proposed)
    # 孙二 brings a graphite need; the graphene expert fits better than the farm-machinery one
    assert proposed[0].expert == mm.experts["own"] or proposed[0].affinity >= affinity.affinity(
        mm.reps["b"], mm.experts["other"]
    )
    run = services.schedule_generate(user=world.users["coordinator"], event=mm.event)
    assert any(e == "孙二" for e, _x in pairs(mm.event)) and run.violations == []
