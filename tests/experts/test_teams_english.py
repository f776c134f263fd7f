"""Service teams in English: the liaison's home page says "1 expert", the teams page lists societies and
experts with ", " (Chinese keeps "、")."""

from __future__ import annotations

import re

import pytest


def _text(client, url, lang):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", client.get(url, HTTP_ACCEPT_LANGUAGE=lang).content.decode()))


@pytest.fixture
def team(world):
    from kechuang.experts.models import ServiceTeam

    t = ServiceTeam.objects.create(name="石墨服务团", theme="石墨烯涂层")
    t.societies.set([world.orgs["soc"], world.orgs["soc2"]])
    t.experts.set([world.experts["own"]])
    return t


def test_liaison_home_counts_the_team_s_experts_in_english(world, team, client_for):
    client = client_for("liaison")
    assert "石墨烯涂层 · 1 expert " in _text(client, "/home/", "en")
    assert "石墨烯涂层 · 1 位专家" in _text(client, "/home/", "zh-hans")


def test_teams_page_joins_societies_as_the_reader_s_language_lists(world, team, client_for):
    from kechuang.experts.models import ServiceTeam

    team.experts.add(world.experts["other"])
    names = [s.name for s in ServiceTeam.objects.get(pk=team.pk).societies.all()]
    client = client_for("coordinator")
    assert ", ".join(names) in _text(client, "/experts/teams/", "en")
    assert "、".join(names) in _text(client, "/experts/teams/", "zh-hans")
