"""The notification pages: the bell's count, the list rendered for the reader, opening marks read and
follows the link, mark all read, and the e-mail choices."""

from __future__ import annotations

from django.urls import reverse

from kechuang.needs.selectors import HIDDEN_LABEL
from kechuang.notifications import services
from kechuang.notifications.kinds import Kind
from kechuang.notifications.models import EmailPreference, Notification


def test_bell_list_open_and_read(nworld, client_for):
    w = nworld
    need = w.needs["pub_laixi"]
    [n] = services.notify(Kind.NEED_REVIEWED, [w.users["enterprise"]], need=need, link=f"/needs/{need.pk}/")
    client = client_for("enterprise")
    home = client.get(reverse("home:home")).content.decode()
    assert 'data-testid="bell-count">1<' in home
    page = client.get(reverse("notifications:list")).content.decode()
    assert "石墨烯规模化制备" in page and "notif-unread" in page
    resp = client.get(reverse("notifications:open", args=[n.pk]))
    assert resp.status_code == 302 and resp["Location"] == f"/needs/{need.pk}/"
    assert Notification.objects.get(pk=n.pk).read_at is not None
    assert 'data-testid="bell-count"' not in client.get(reverse("home:home")).content.decode()


def test_list_hides_a_confidential_title_from_a_reader_who_may_not_see_it(nworld, client_for):
    w = nworld
    services.notify(Kind.INVITATION_ROUTED, [w.users["liaison"]], need=w.needs["secret_ent2"],
                    params={"candidate": "某学会"})
    page = client_for("liaison").get(reverse("notifications:list")).content.decode()
    assert "绝密农机方案" not in page and HIDDEN_LABEL in page


def test_a_link_outside_the_site_is_never_followed(nworld, client_for):
    [n] = services.notify(Kind.NEED_REVIEWED, [nworld.users["expert"]], link="//evil.example.org/x")
    resp = client_for("expert").get(reverse("notifications:open", args=[n.pk]))
    assert resp["Location"] == reverse("notifications:list")


def test_mark_one_and_all_read(nworld, client_for):
    w = nworld
    made = services.notify(Kind.NEED_REVIEWED, [w.users["district"]]) + services.notify(
        Kind.NEED_MATCHED, [w.users["district"]]
    )
    client = client_for("district")
    client.post(reverse("notifications:read", args=[made[0].pk]))
    assert Notification.objects.filter(recipient=w.users["district"], read_at__isnull=True).count() == 1
    resp = client.post(reverse("notifications:read_all"), follow=True)
    assert "已将 1 条通知标为已读" in resp.content.decode()
    assert not Notification.objects.filter(recipient=w.users["district"], read_at__isnull=True).exists()
    assert "没有未读通知" in client.get(reverse("notifications:list") + "?unread=1").content.decode()


def test_email_settings_page_saves_the_choice(nworld, client_for):
    w = nworld
    client = client_for("expert")
    page = client.get(reverse("notifications:settings")).content.decode()
    assert "收到对接邀请" in page and "expert@example.org" in page
    resp = client.post(reverse("notifications:settings"), {"email": [Kind.INVITATION_ROUTED, Kind.AGENDA_CHANGED]})
    assert resp.status_code == 302
    chosen = dict(EmailPreference.objects.filter(user=w.users["expert"]).values_list("kind", "email"))
    assert chosen[Kind.INVITATION_ROUTED] and chosen[Kind.AGENDA_CHANGED] and not chosen[Kind.NEED_REVIEWED]
    page = client.get(reverse("notifications:settings")).content.decode()
    assert 'value="invitation_routed" id="email-invitation_routed" checked' in page
    assert 'value="need_reviewed" id="email-need_reviewed">' in page
    bad = client.post(reverse("notifications:settings"), {"email": ["nonsense"]}, follow=True)
    assert EmailPreference.objects.get(user=w.users["expert"], kind=Kind.INVITATION_ROUTED).email  # unchanged
    assert bad.status_code == 200
