"""Fake embedders for the matching-engine tests (imported by name: conftest modules are not
importable reliably when several test folders have one)."""

from __future__ import annotations

import hashlib

import numpy as np


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
