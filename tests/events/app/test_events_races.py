"""Two people at the same moment on the meeting day (threads, own connections; SQLite file DB and
PostgreSQL): a double click registers or asks once, an outcome and a cancellation never both land,
a check-in never lands on a cancelled participant. Every loser gets a clear Chinese message."""

from __future__ import annotations

from race import in_thread, race

from kechuang.core.errors import ApplicationError


def _setup():
    from events_fixtures import build_matchmaking, shared_build_world

    from kechuang.events import services

    w = shared_build_world()
    mm = build_matchmaking(w, morning=4, afternoon=2, tables=4)
    services.schedule_generate(user=w.users["coordinator"], event=mm.event)
    return {
        "event": mm.event.pk,
        "users": {k: u.pk for k, u in w.users.items()},
        "ent": w.orgs["ent"].pk,
        "need": w.needs["pub_laixi"].pk,
        "reps": {k: p.pk for k, p in mm.reps.items()},
        "experts": {k: p.pk for k, p in mm.experts.items()},
    }


def _user(ids, role):
    from kechuang.accounts.models import User

    return User.objects.get(pk=ids["users"][role])


def _one_winner(results, *phrases):
    kinds = sorted(k for k, _ in results)
    assert kinds == ["error", "ok"], results
    err = next(v for k, v in results if k == "error")
    assert isinstance(err, ApplicationError), repr(err)
    assert any(p in err.message for p in phrases), err.message


def test_a_double_clicked_enterprise_registration_registers_once(db_conf):
    ids = in_thread(_setup, db_conf)

    def register():
        from kechuang.events import services
        from kechuang.events.models import Event
        from kechuang.needs.models import Need
        from kechuang.orgs.models import Organisation

        return services.event_register_enterprise(
            user=_user(ids, "enterprise"),
            event=Event.objects.get(pk=ids["event"]),
            organisation=Organisation.objects.get(pk=ids["ent"]),
            name="周四",
            position="总工程师",
            needs=[Need.objects.get(pk=ids["need"])],
        ).pk

    _one_winner(race([register, register], db_conf), "已报名")

    def count():
        from kechuang.events.models import Participant

        return Participant.objects.filter(event_id=ids["event"], name="周四").count()

    assert in_thread(count, db_conf) == 1


def test_a_double_clicked_meeting_request_is_made_once(db_conf):
    ids = in_thread(_setup, db_conf)

    def ask():
        from kechuang.events import services
        from kechuang.events.models import Event, Participant

        return services.meeting_request_create(
            user=_user(ids, "enterprise"),
            event=Event.objects.get(pk=ids["event"]),
            enterprise=Participant.objects.get(pk=ids["reps"]["b"]),
            expert=Participant.objects.get(pk=ids["experts"]["other"]),
        ).pk

    _one_winner(race([ask, ask], db_conf), "已有待回复或已接受的洽谈请求")


def _a_meeting(ids):
    from kechuang.events.models import Meeting

    return Meeting.objects.filter(event_id=ids["event"], status="scheduled").order_by("pk").first().pk


def test_an_outcome_and_a_cancellation_never_both_land(db_conf):
    ids = in_thread(_setup, db_conf)
    meeting_pk = in_thread(lambda: _a_meeting(ids), db_conf)

    def record():
        from kechuang.events import services
        from kechuang.events.models import Meeting

        m = Meeting.objects.get(pk=meeting_pk)
        return services.meeting_record_outcome(user=_user(ids, "coordinator"), meeting=m, outcome="interested").pk

    def cancel():
        from kechuang.events import services
        from kechuang.events.models import Meeting

        m = Meeting.objects.get(pk=meeting_pk)
        return services.meeting_cancel(user=_user(ids, "coordinator"), meeting=m, reason="专家临时有事").pk

    _one_winner(race([record, cancel], db_conf), "已取消", "已记录结果")

    def state():
        from kechuang.events.models import Meeting

        m = Meeting.objects.get(pk=meeting_pk)
        return m.status, m.outcome

    status, outcome = in_thread(state, db_conf)
    assert (status, outcome) in {("scheduled", "interested"), ("cancelled", "")}


def test_a_check_in_never_lands_on_a_cancelled_participant(db_conf):
    ids = in_thread(_setup, db_conf)

    def check_in():
        from kechuang.events import services
        from kechuang.events.models import Participant

        p = Participant.objects.get(pk=ids["reps"]["c"])
        return services.participant_check_in(user=_user(ids, "coordinator"), participant=p).pk

    def cancel():
        from kechuang.events import services
        from kechuang.events.models import Participant

        p = Participant.objects.get(pk=ids["reps"]["c"])
        return services.participant_cancel(user=_user(ids, "coordinator"), participant=p, reason="临时出差").pk

    results = race([check_in, cancel], db_conf)
    kinds = [k for k, _ in results]

    def state():
        from kechuang.events.models import Participant

        p = Participant.objects.get(pk=ids["reps"]["c"])
        return p.status, p.arrived_at is not None

    status, arrived = in_thread(state, db_conf)
    assert kinds[1] == "ok", results  # the cancellation always stands
    if kinds[0] == "error":  # the check-in came second: refused with the reason
        assert "已取消参会" in results[0][1].message
        assert (status, arrived) == ("cancelled", False)
    else:  # it came first: they had arrived, then cancelled the rest of their day
        assert status == "cancelled" and arrived
