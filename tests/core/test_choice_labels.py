"""Choice labels are translated once per language, not once per choice per row (ADR 0048)."""

from __future__ import annotations

from unittest import mock

import pytest
from django.apps import apps
from django.utils import translation

from kechuang.core.choices import ChoiceLabels
from kechuang.needs.models import Need


def test_every_project_model_with_choices_reads_cached_labels():
    """Django binds get_FOO_display when a class is created: the mixin must be among its bases."""
    missing = [
        m.__name__
        for m in apps.get_models()
        if m.__module__.startswith("kechuang.")
        and any(f.choices for f in m._meta.get_fields() if hasattr(f, "choices"))
        and not issubclass(m, ChoiceLabels)
    ]
    assert missing == []


def test_labels_follow_the_active_language():
    need = Need(status="submitted", confidentiality="public")
    with translation.override("zh-hans"):
        zh = need.get_status_display()
    with translation.override("en"):
        en = need.get_status_display()
    with translation.override("zh-hans"):
        assert need.get_status_display() == zh
    assert zh == "已提交" and en != zh and en.isascii()


def test_a_value_outside_the_choices_prints_as_itself():
    assert Need(status="no-such-status").get_status_display() == "no-such-status"


@pytest.mark.parametrize("lang", ["zh-hans", "en"])
def test_printing_many_rows_translates_each_label_once(lang):
    needs = [Need(status=s) for s in ["submitted", "reviewed", "matched"] * 50]
    with translation.override(lang):
        needs[0].get_status_display()  # the labels of this language, once
        with mock.patch("django.utils.translation._trans.gettext", wraps=translation._trans.gettext) as gettext:
            labels = [n.get_status_display() for n in needs]
    assert gettext.call_count == 0
    assert len(set(labels)) == 3
