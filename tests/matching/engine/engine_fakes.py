"""Fake embedders for the matching-engine tests (imported by name: conftest modules are not
importable reliably when several test folders have one)."""

from __future__ import annotations

import hashlib

import numpy as np

from kechuang.matching.engine import Candidate, Document


class FakeEmbedder:
    """Deterministic bag-of-character-bigrams vectors: similar texts get similar vectors, fast."""

    model_name = "fake-bigram"
    model_version = "1"
    dim = 64

    def __init__(self):
        self.calls = 0

    def _vec(self, text: str) -> np.ndarray:
        v = np.zeros(self.dim, dtype=np.float32)
        t = text.lower()
        for i in range(len(t) - 1):
            h = int(hashlib.md5(t[i : i + 2].encode()).hexdigest()[:8], 16)
            v[h % self.dim] += 1.0
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts):
        self.calls += 1
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    def embed_passages(self, texts):
        self.calls += 1
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)


class RaisingEmbedder(FakeEmbedder):
    """Embeds passages but fails on queries (or on everything with ``fail_passages``)."""

    def __init__(self, fail_passages: bool = False):
        super().__init__()
        self.fail_passages = fail_passages

    def embed_queries(self, texts):
        raise RuntimeError("model crashed")

    def embed_passages(self, texts):
        if self.fail_passages:
            raise RuntimeError("model crashed")
        return super().embed_passages(texts)


def pool(n: int) -> list[Candidate]:
    """n synthetic profiles over six subjects (some without title, keywords or documents)."""
    subjects = ["石墨烯薄膜", "水稻育种", "锂电池正极", "桥梁健康监测", "疫苗佐剂", "工业机器人"]
    out = []
    for i in range(n):
        s = subjects[i % len(subjects)]
        t = subjects[(i * 7 + 3) % len(subjects)]
        docs = [Document("publication", f"{s}研究{i % 7}", f"{s}的方法与应用{i % 11}，兼顾{t}")]
        if i % 3 == 0:
            docs.append(Document("patent", f"{t}装置{i % 5}", f"一种{t}与{s}结合的系统{i % 13}"))
        out.append(
            Candidate(
                f"c{i:04d}",
                title=s if i % 4 else "",
                keywords=[s, t] if i % 5 else [],
                documents=docs if i % 17 else [],
            )
        )
    return out
