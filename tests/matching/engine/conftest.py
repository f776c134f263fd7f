"""Fixtures for the matching-engine tests: small corpora and fake embedders (no database)."""

from __future__ import annotations

import pytest
from engine_fakes import FakeEmbedder, RaisingEmbedder  # noqa: F401  (re-exported for fixtures)

from kechuang.matching.engine import Candidate, Document


@pytest.fixture
def fake_embedder():
    return FakeEmbedder()


def make_candidates() -> list[Candidate]:
    return [
        Candidate(
            "graphene",
            name="王石",
            title="石墨烯材料",
            keywords=["石墨烯", "规模化制备", "二维材料"],
            fields=["材料科学与工程"],
            documents=[
                Document(
                    "publication",
                    "石墨烯薄膜的化学气相沉积",
                    "研究了铜箔上的生长机理。大面积石墨烯薄膜可以规模化制备。",
                ),
                Document(
                    "patent",
                    "一种石墨烯导热膜的产业化生产方法",
                    "本发明涉及导热膜。该方法成本低，适合产业化。",
                ),
            ],
        ),
        Candidate(
            "rice",
            name="李禾",
            title="水稻育种",
            keywords=["水稻", "育种", "高产栽培"],
            fields=["作物学"],
            documents=[
                Document(
                    "publication", "杂交水稻高产栽培技术", "分析了氮肥对水稻产量的影响。提出了高产栽培模式。"
                )
            ],
        ),
        Candidate(
            "battery",
            name="赵电",
            title="锂离子电池",
            keywords=["锂电池", "正极材料", "储能"],
            fields=["化学/化学工程与技术"],
            documents=[
                Document("publication", "高镍正极材料的合成", "研究了锂离子电池正极材料的循环稳定性。")
            ],
        ),
        Candidate(
            "comm",
            name="Alice Chen",
            title="5G wireless communication",
            keywords=["5G", "MIMO", "antenna"],
            fields=["信息与通信工程"],
            documents=[
                Document(
                    "publication",
                    "Massive MIMO for 5G networks",
                    "We study beamforming for 5G base stations. Antenna arrays improve capacity.",
                ),
            ],
        ),
        Candidate(
            "carbon",
            name="周碳",
            title="CO2捕集",
            keywords=["CO2捕集", "碳中和"],
            fields=["环境科学与工程"],
            documents=[Document("achievement", "燃煤电厂CO2捕集示范工程", "实现了每年十万吨CO2捕集与封存。")],
        ),
    ]


@pytest.fixture
def candidates():
    return make_candidates()
