"""A fake embedder for the matching app tests (imported by name: conftest modules are not importable
reliably when several test folders have one)."""

from __future__ import annotations

import hashlib

import numpy as np


class FakeEmbedder:
    """Deterministic character-bigram vectors: cheap, similar texts get similar vectors."""

    model_name = "fake-bigram"
    model_version = "test-1"
    dim = 32

    def _vec(self, text):
        v = np.zeros(self.dim, dtype=np.float32)
        for i in range(len(text) - 1):
            v[int(hashlib.md5(text[i : i + 2].encode()).hexdigest()[:6], 16) % self.dim] += 1
        n = np.linalg.norm(v)
        return v / n if n else v

    def embed_queries(self, texts):
        return np.stack([self._vec(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)

    embed_passages = embed_queries
