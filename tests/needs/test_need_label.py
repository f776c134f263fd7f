"""The one way to name a need to a reader: title if the reader may see it, else "（保密需求）"."""

from __future__ import annotations

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from kechuang.core.models import AuditEntry
from kechuang.needs.models import Need
from kechuang.needs.selectors import (
    HIDDEN_LABEL,
    need_label,
    need_labels,
    need_list,
    need_prefetch,
    visible_need_ids,
    visible_needs,
)

ALL = ("pub_laixi", "conf_ent", "pub_laoshan", "secret_ent2", "pub_zone", "new_ent2")
# who may see what in the shared world (tests/conftest.py; the permission matrix holds the rules)
SEES = {
    "coordinator": set(ALL),
    "enterprise": {"pub_laixi", "conf_ent", "pub_zone"},
    "leadership": {"pub_laixi", "pub_laoshan", "pub_zone", "new_ent2"},
    "liaison": {"pub_laixi", "pub_laoshan", "pub_zone"},
    "expert": {"pub_laixi", "pub_laoshan", "pub_zone"},
    "district": {"pub_laixi", "pub_zone"},
}


@pytest.mark.parametrize("role", list(SEES))
def test_label_and_batch_agree_with_restrict(world, role):
    user = world.users[role]
    ids = [world.needs[k].pk for k in ALL]
    with CaptureQueriesContext(connection) as one:
        visible_need_ids(user, ids[:1])
    with CaptureQueriesContext(connection) as many:
        visible = visible_need_ids(user, [*ids, None])
    # the first call may read the district's area subtree (then cached on the user); then one query
    assert len(one) <= 3 and len(many) == 1
    assert visible == {world.needs[k].pk for k in SEES[role]}
    fresh = list(Need.objects.filter(pk__in=ids))
    labels = need_labels(user, fresh)
    for k in ALL:
        n = world.needs[k]
        expected = n.title if k in SEES[role] else HIDDEN_LABEL
        assert labels[n.pk] == expected
        assert need_label(user, Need.objects.get(pk=n.pk)) == expected
    assert need_label(user, None) == ""


def test_a_list_is_decided_in_one_query_and_printing_costs_none(world, django_assert_num_queries):
    user = world.users["leadership"]  # one query whatever the number of needs
    needs = list(Need.objects.all())
    with django_assert_num_queries(1):
        shown = visible_needs(user, needs)
    with django_assert_num_queries(0):
        assert [need_label(user, n) for n in needs].count(HIDDEN_LABEL) == len(needs) - len(shown)
    # need_list's rows are visible by construction: marked without a query
    rows = list(need_list(user=user))
    with django_assert_num_queries(0):
        assert HIDDEN_LABEL not in [need_label(user, n) for n in rows]


def test_prefetch_marks_related_needs_for_the_reader(world, django_assert_num_queries):
    from kechuang.orgs.models import Organisation

    user = world.users["liaison"]
    orgs = list(Organisation.objects.filter(kind="enterprise").prefetch_related(need_prefetch(user, "needs")))
    with django_assert_num_queries(0):
        counts = {o.name: len(visible_needs(user, o.needs.all())) for o in orgs}
        titles = {need_label(user, n) for o in orgs for n in o.needs.all()}
    assert counts["山东领军科技集团"] == 2  # pub_laixi, pub_zone; conf_ent is hidden from the liaison
    assert HIDDEN_LABEL in titles and "保密的石墨烯配方" not in titles and "石墨烯规模化制备" in titles


def test_template_filter(world):
    t = Template("{% load needs_tags %}[{{ n|need_title:user }}][{{ none|need_title:user|default:'—' }}]")
    conf = world.needs["conf_ent"]
    assert (
        t.render(Context({"n": conf, "user": world.users["liaison"], "none": None})) == f"[{HIDDEN_LABEL}][—]"
    )
    conf = Need.objects.get(pk=conf.pk)
    assert t.render(Context({"n": conf, "user": world.users["enterprise"]})) == "[保密的石墨烯配方][—]"


def test_printing_a_confidential_need_to_an_allowed_reader_is_audited_once(world):
    entries = AuditEntry.objects.filter(action="need.view_confidential")
    coord = world.users["coordinator"]
    conf, secret = world.needs["conf_ent"], world.needs["secret_ent2"]
    need_labels(coord, [conf, secret, world.needs["pub_laixi"]])
    need_label(coord, conf)  # the same reader in the same request: no second entry
    assert sorted(entries.values_list("object_id", flat=True)) == sorted([str(conf.pk), str(secret.pk)])
    assert set(entries.values_list("changes__via", flat=True)) == {"list"}
    need_label(world.users["liaison"], Need.objects.get(pk=conf.pk))  # hidden: nothing was read
    need_label(world.users["enterprise"], Need.objects.get(pk=conf.pk))  # its own need
    assert entries.count() == 2
