"""Approximate dense index for large pools: faiss IVF over 8-bit scalar-quantised vectors, with
exact rescoring of every candidate it (or the lexical side) brings up.

Same interface as ``DenseIndex`` (``similarities``/``aggregate``/``has_vectors``/``doc_offsets``/
``doc_counts``/``nbytes``), so ``Index`` does not care which one it holds. Below
``ANN_MIN_PROFILES`` profiles ``build_dense_index`` keeps the exact float32 ``DenseIndex`` (the
measured crossover is in ``docs/benchmarks.md``, "Matching at scale"); above it this index.

How a query is answered:

1. the IVF index returns the ``k_vectors`` nearest vectors (documents and profile summaries in
   one index) probing ``nprobe`` of its lists; their owners are the dense candidates;
2. ``hint`` rows from the caller are added (``Index.signals`` passes the lexical top rows and a
   small restricted pool), and a fixed deterministic sample of profiles (``floor_sample``) that
   estimates the pool's lowest dense score, which min-max fusion needs;
3. every document and the summary of those candidates is rescored against the query from the
   stored 8-bit codes (decoded, ~1e-3 from float32) — a candidate's score is the mean of its
   best documents blended with the summary exactly as in ``DenseIndex``, so one near document
   is enough to bring an expert in and the rest of its documents still count;
4. everyone else gets that estimated lowest score (0 after min-max), i.e. no dense signal.

With learned fusion (``ltr.py``) ``Index`` computes the features over the rescored rows only
(``Index.rescored``; ``project``/``centroid_norms`` serve its PRF pass) and ranks the other rows
below them (ADR 0034).

``summary_sims`` is NaN for rows not rescored (``aggregate`` uses it as the marker);
``doc_sims`` of those rows is -1. Results are deterministic: k-means runs with a fixed seed,
search is single-threaded and ties are broken by the caller.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np

from . import npio
from .dense import DenseIndex, _count_groups, grouped_top_n_means

# exact up to where it stops being as fast (docs/benchmarks.md, "Matching at scale")
ANN_MIN_PROFILES = 50_000
# profiles rescored for every query whatever it asks (min-max lower ends, the dense z-score's mean
# and spread), and how many of a query's best 8-bit similarities are recomputed from the float16
# copy. 4096 and 8000 since session 13 (ADR 0039 amended): at 1M, 8192 / 2000 gave recall@20 0.924,
# 4096 / 8000 0.972 for the same engine CPU; at 100k 0.992 either way, 3 ms less CPU
FLOOR_SAMPLE = 4096
FINE_TOP = 8000
# ... scaled with the index (session 14): at 100k profiles (350k vectors) the best 2000 give the same
# recall as 8000 (0.984 / 0.989 against 0.984 / 0.990 @10 / @20) for 7 ms less engine CPU at p95; 1M
# (3.5M vectors) keeps the 8000 it was measured with
FINE_TOP_MIN = 2000
FINE_TOP_VECTORS_PER = 425


def default_fine_top(vectors: int) -> int:
    """How many of a query's best 8-bit similarities are recomputed from the float16 copy, for an
    index of ``vectors`` vectors: one per FINE_TOP_VECTORS_PER, between FINE_TOP_MIN and FINE_TOP."""
    return int(min(FINE_TOP, max(FINE_TOP_MIN, vectors // FINE_TOP_VECTORS_PER)))

FORMAT = 1


def _faiss():
    import faiss  # imported lazily: small pools never need it

    return faiss


class _Rows:
    """``index.summary[i]`` / ``index.docs[j]``-style access to decoded vectors."""

    def __init__(self, owner: AnnDenseIndex, base: int, count: int):
        self.owner, self.base, self.count = owner, base, count

    @property
    def shape(self) -> tuple[int, int]:
        return (self.count, self.owner.dim)

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i) -> np.ndarray:
        if isinstance(i, slice):
            return self.owner.reconstruct(self.base + np.arange(*i.indices(self.count)))
        i = int(i)
        if not 0 <= i < self.count:
            raise IndexError(i)
        return self.owner.reconstruct(np.array([self.base + i]))[0]


class AnnDenseIndex:
    """IVF + SQ8 (faiss) over documents then summaries: vector id ``j < m`` is document ``j``,
    ``m + i`` the summary of profile ``i``."""

    kind = "ivf-sq8"

    def __init__(
        self,
        n: int,
        dim: int,
        has_summary: np.ndarray,
        doc_counts: np.ndarray,
        faiss_index,
        codes: np.ndarray,
        vmin: np.ndarray,
        vdiff: np.ndarray,
        *,
        nprobe: int = 32,
        k_vectors: int = 1000,
        floor_sample: int = FLOOR_SAMPLE,
        fine: np.ndarray | None = None,
        fine_top: int | None = None,
        centroid_norms: np.ndarray | None = None,
    ):
        self.n, self.dim = int(n), int(dim)
        self.has_summary = np.asarray(has_summary, dtype=bool)
        self.doc_counts = np.asarray(doc_counts, dtype=np.int64)
        self.doc_offsets = np.concatenate([[0], np.cumsum(self.doc_counts)]).astype(np.int64)
        self.m = int(self.doc_offsets[-1])
        self.has_vectors = self.has_summary | (self.doc_counts > 0)
        self.with_docs = np.flatnonzero(self.doc_counts > 0)
        self.index = faiss_index
        # optional float16 copy of every vector (a memory map of the saved file after ``load``):
        # the ``fine_top`` best 8-bit similarities of a query are recomputed from it, since near
        # ties at rank 20 are of the order of the 8-bit error (docs/benchmarks.md)
        self.fine = fine
        self.fine_top = int(fine_top) if fine_top is not None else default_fine_top(self.m + self.n)
        # our own 8-bit codes by vector id (faiss keeps its residual codes per list): rescoring
        # gathers rows here, x ≈ vmin + (code + 0.5) · vdiff / 255 per dimension
        self.codes = codes
        self.vmin = np.asarray(vmin, dtype=np.float32)
        self.vdiff = np.asarray(vdiff, dtype=np.float32)
        self._step = self.vdiff / 255.0
        self._zero = self.vmin + 0.5 * self._step
        self.nprobe, self.k_vectors = int(nprobe), int(k_vectors)
        # owner profile of each vector id (documents, then summaries)
        self._owner = np.concatenate(
            [np.repeat(np.arange(self.n, dtype=np.int32), self.doc_counts), np.arange(self.n, dtype=np.int32)]
        )
        self.set_floor_sample(floor_sample)
        self.summary = _Rows(self, self.m, self.n)
        self.docs = _Rows(self, 0, self.m)
        # profile-centroid norms (they depend on the vectors only): computed by ``build`` and
        # saved with the index; an index saved without them computes each the first time its
        # profile is in a query's candidate pool and keeps it (NaN = not computed yet)
        self._cnorms = np.full(self.n, np.nan, dtype=np.float32)
        if centroid_norms is not None and len(centroid_norms) == self.n:
            self._cnorms[:] = centroid_norms

    def set_floor_sample(self, size: int) -> None:
        """The fixed deterministic sample of profiles (with vectors) rescored for every query."""
        rng = np.random.default_rng(0)
        pool = np.flatnonzero(self.has_vectors)
        size = min(int(size), len(pool))
        self._floor_rows = np.sort(rng.choice(pool, size=size, replace=False)) if size else pool
        # the sample is rescored by every query: its codes are kept as float32 (exact small
        # integers), so that part is one matrix product instead of a gather + conversion (sorted
        # vector ids: documents, then summaries)
        rows = self._floor_rows
        self._floor_ids = np.concatenate([self._doc_ids(rows), self.m + rows[self.has_summary[rows]]])
        # transposed (dim × vectors): OpenBLAS reads this layout faster, ~1.7× for the PRF pass's
        # two pseudo-queries (ADR 0052) and ~2× for the query's own column (4.1 → 1.9 ms at 8192
        # profiles; that product sums in another order than the row-major one, so scores move in
        # the last float32 bits; ADR 0039 amended)
        self._floor_codes_t = np.ascontiguousarray(self.codes[self._floor_ids].T, dtype=np.float32)

    @property
    def floor_rows(self) -> np.ndarray:
        return self._floor_rows

    # -- build / persist ----------------------------------------------------------------------
    @classmethod
    def build(
        cls,
        n: int,
        dim: int,
        summary: np.ndarray,
        has_summary: np.ndarray,
        docs: np.ndarray,
        doc_counts: np.ndarray,
        nlist: int | None = None,
        fine: bool = False,
        **search_params,
    ) -> AnnDenseIndex:
        faiss = _faiss()
        total = len(docs) + n
        if nlist is None:  # ~√N lists, a power of two, 64..1024: assigning every vector to its
            # list costs N·nlist dot products, the build's largest part (~2 min at 3.5M on 2 cores)
            nlist = int(min(1024, max(64, 2 ** round(np.log2(np.sqrt(total))))))
        quantizer = faiss.IndexFlatIP(dim)
        index = faiss.IndexIVFScalarQuantizer(
            quantizer, dim, nlist, faiss.ScalarQuantizer.QT_8bit, faiss.METRIC_INNER_PRODUCT
        )
        index.cp.niter = 10
        index.cp.seed = 1234
        index.cp.max_points_per_centroid = 64  # training sample ≤ 64·nlist vectors
        summary = np.asarray(summary, dtype=np.float32)
        docs = np.asarray(docs, dtype=np.float32)
        rng = np.random.default_rng(1)
        n_train = min(total, 64 * nlist)
        pick = np.sort(rng.choice(total, size=n_train, replace=False))
        train = np.vstack([docs[pick[pick < len(docs)]], summary[pick[pick >= len(docs)] - len(docs)]])
        index.train(np.ascontiguousarray(train))
        del train
        # per-dimension range over every vector (not a sample: nothing is clipped)
        step = 200_000
        vmin = np.full(dim, np.inf, dtype=np.float32)
        vmax = np.full(dim, -np.inf, dtype=np.float32)
        for part in (docs, summary):
            for i in range(0, len(part), step):
                vmin = np.minimum(vmin, part[i : i + step].min(axis=0))
                vmax = np.maximum(vmax, part[i : i + step].max(axis=0))
        vdiff = np.maximum(vmax - vmin, 1e-6).astype(np.float32)
        codes = np.empty((total, dim), dtype=np.uint8)
        at = 0
        for part in (docs, summary):
            for i in range(0, len(part), step):
                chunk = np.ascontiguousarray(part[i : i + step])
                index.add(chunk)
                codes[at : at + len(chunk)] = np.clip(np.floor((chunk - vmin) / vdiff * 255.0), 0, 255)
                at += len(chunk)
        # more vectors, more near-duplicates of any hit: keep ~1 in 800 of them (1000 at most
        # 800k vectors; measured at 1M profiles / 3.5M vectors, docs/benchmarks.md)
        search_params.setdefault("k_vectors", max(1000, total // 800))
        search_params.setdefault("nprobe", 64 if nlist >= 1024 else 32)
        if fine:
            search_params["fine"] = np.concatenate([docs.astype(np.float16), summary.astype(np.float16)])
        out = cls(n, dim, has_summary, doc_counts, index, codes, vmin, vdiff, **search_params)
        out.fill_centroid_norms()
        return out

    def fill_centroid_norms(self, step: int = 20_000) -> None:
        """Every profile's centroid norm, ``step`` profiles at a time (the same numbers as the
        per-query ``centroid_norms``, which otherwise decodes each new candidate's vectors: ~10 ms
        per query at 1M profiles, ADR 0052)."""
        todo = np.flatnonzero(np.isnan(self._cnorms))
        for i in range(0, len(todo), step):
            rows = todo[i : i + step]
            self._cnorms[rows] = self._centroid_norms(rows)

    def save(self, directory: str | os.PathLike, fingerprint: str = "") -> None:
        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        _faiss().write_index(self.index, str(d / "ivf-sq8.faiss"))
        np.savez(
            d / "ann-meta.npz",
            has_summary=self.has_summary,
            doc_counts=self.doc_counts,
            vmin=self.vmin,
            vdiff=self.vdiff,
            centroid_norms=self._cnorms,
        )
        np.save(d / "codes.npy", self.codes)
        if self.fine is not None:
            np.save(d / "fine-f16.npy", np.asarray(self.fine))
        meta = {
            "format": FORMAT,
            "kind": self.kind,
            "n": self.n,
            "dim": self.dim,
            "nprobe": self.nprobe,
            "k_vectors": self.k_vectors,
            "floor_sample": len(self._floor_rows),
            "fingerprint": fingerprint,
        }
        (d / "ann-meta.json").write_text(json.dumps(meta, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, directory: str | os.PathLike, fingerprint: str | None = None) -> AnnDenseIndex | None:
        """The saved index, or None if missing, of another format or (with ``fingerprint``) built
        from other vectors."""
        d = Path(directory)
        try:
            meta = json.loads((d / "ann-meta.json").read_text(encoding="utf-8"))
            if meta.get("format") != FORMAT or (
                fingerprint is not None and meta.get("fingerprint") != fingerprint
            ):
                return None
            arrays = npio.load_all(d / "ann-meta.npz")
            index = _faiss().read_index(str(d / "ivf-sq8.faiss"))
            codes = npio.load(d / "codes.npy")
            vmin, vdiff = arrays["vmin"], arrays["vdiff"]
            has_summary, doc_counts = arrays["has_summary"], arrays["doc_counts"]
            fine = npio.load(d / "fine-f16.npy", mmap_mode="r") if (d / "fine-f16.npy").exists() else None
            # saved since ADR 0052 (older saves compute them query by query, as before)
            cnorms = arrays.get("centroid_norms")
        except (OSError, ValueError, KeyError, RuntimeError):
            return None
        return cls(
            meta["n"],
            meta["dim"],
            has_summary,
            doc_counts,
            index,
            codes,
            vmin,
            vdiff,
            nprobe=meta["nprobe"],
            k_vectors=meta["k_vectors"],
            floor_sample=meta["floor_sample"],
            fine=fine,
            centroid_norms=cnorms,
        )

    @property
    def nbytes(self) -> int:
        """faiss's lists (codes + ids) and centroids, plus our codes and arrays."""
        total = self.index.ntotal
        lists = total * self.index.code_size + total * 8
        centroids = self.index.nlist * self.dim * 4
        ours = (
            self.codes.nbytes
            + self._owner.nbytes
            + self.doc_offsets.nbytes
            + self.doc_counts.nbytes
            + 3 * self.n
            + self._floor_codes_t.nbytes
            + self._floor_ids.nbytes
            + self._cnorms.nbytes
        )
        return int(lists + centroids + ours)

    # -- query --------------------------------------------------------------------------------
    def reconstruct(self, ids: np.ndarray) -> np.ndarray:
        """Decoded vectors of these ids (within ~vdiff/510 of the originals per dimension)."""
        return self._zero + self.codes[np.asarray(ids, dtype=np.int64)].astype(np.float32) * self._step

    def precise(self, ids: np.ndarray) -> np.ndarray:
        """The most precise copy of these vectors kept: the float16 copy when the index has it,
        else the decoded 8-bit codes. For features that compare profiles with each other (the
        cluster feature's centroid cosines), where the 8-bit error of both sides adds up: with
        decoded codes, recall@10 against the exact index fell from 0.982 to 0.970 at 100k."""
        if self.fine is None:
            return self.reconstruct(ids)
        return np.asarray(self.fine[np.asarray(ids, dtype=np.int64)], dtype=np.float32)

    def _dots(self, ids: np.ndarray, q: np.ndarray, keep: dict | None = None) -> np.ndarray:
        """Decoded vectors · q (q: (dim,) or (dim, k)) without materialising the decoded vectors;
        the floor sample's rows from its kept float32 codes. ``keep``: a dict that carries the
        gathered float32 codes of the other ids (and where the floor's are) from one call to the
        next with the same ``ids`` — the query's rescoring, then its PRF pass (ADR 0052): the
        same matrix, so the same products, without gathering and converting it twice."""
        qs = q * (self._step if q.ndim == 1 else self._step[:, None])
        off = self._zero @ q
        fids = self._floor_ids
        if not len(fids):
            return self.codes[ids].astype(np.float32) @ qs + off
        if keep is not None and "hit" in keep:
            pos, hit, codes = keep["pos"], keep["hit"], keep["codes"]
        else:
            pos = np.minimum(np.searchsorted(fids, ids), len(fids) - 1)
            hit = fids[pos] == ids
            codes = self.codes[ids[~hit]].astype(np.float32) if not hit.all() else None
            if keep is not None:
                keep.update(pos=pos, hit=hit, codes=codes)
        out = np.empty((len(ids),) + q.shape[1:], dtype=np.float32)
        if hit.any():
            floor = qs @ self._floor_codes_t if q.ndim == 1 else (qs.T @ self._floor_codes_t).T
            out[hit] = floor[pos[hit]] + off
        if codes is not None:
            out[~hit] = codes @ qs + off
        return out

    def _doc_ids(self, rows: np.ndarray) -> np.ndarray:
        """Document vector ids of these profiles, profile by profile."""
        counts = self.doc_counts[rows]
        starts = self.doc_offsets[rows]
        return np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))

    def project(self, qm: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Cosines of the columns of ``qm`` (dim × k pseudo-queries) with the summaries (n × k) and
        documents (m × k) of ``rows`` only, from the 8-bit codes; NaN (summaries) / -1 (documents)
        elsewhere, as ``similarities`` — ``aggregate`` then scores those rows alone."""
        rows = np.asarray(rows, dtype=np.int64)
        qm = np.asarray(qm, dtype=np.float32).reshape(self.dim, -1)
        k = qm.shape[1]
        doc_ids = self._doc_ids(rows)
        srows = rows[self.has_summary[rows]]
        ids = np.concatenate([doc_ids, self.m + srows])
        sims = self.codes[ids].astype(np.float32) @ (qm * self._step[:, None]) + self._zero @ qm
        summ = np.full((self.n, k), np.nan, dtype=np.float32)
        summ[rows] = 0.0
        summ[srows] = sims[len(doc_ids) :]
        docs = np.full((self.m, k), -1.0, dtype=np.float32)
        docs[doc_ids] = sims[: len(doc_ids)]
        return summ, docs

    def project_rows(
        self, qm: np.ndarray, rows: np.ndarray, keep: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """``project`` restricted to ``rows``, without the full-size arrays: (summary cosines
        (len(rows) × k), 0 without a summary; document cosines of those rows, profile by profile
        (documents × k); each row's document count). ``keep``: what ``similarities(keep=…)``
        kept of this query's rescoring, reused when ``rows`` are the rows it rescored."""
        rows = np.asarray(rows, dtype=np.int64)
        qm = np.asarray(qm, dtype=np.float32).reshape(self.dim, -1)
        k = qm.shape[1]
        doc_ids = self._doc_ids(rows)
        has = self.has_summary[rows]
        if keep is not None and "rows" in keep and np.array_equal(keep["rows"], rows):
            ids = keep["ids"]  # the same vector ids, in the same order
        else:
            ids, keep = np.concatenate([doc_ids, self.m + rows[has]]), None
        sims = self._dots(ids, qm, keep)
        if keep is not None and "fine_pos" in keep:
            # the query's best vectors from the float16 copy, as its rescoring read them: their
            # pseudo-query cosines decide the PRF features of the candidates that make the top
            sims[keep["fine_pos"]] = keep["fine_vecs"] @ qm
        summ = np.zeros((len(rows), k), dtype=np.float32)
        summ[has] = sims[len(doc_ids) :]
        return summ, sims[: len(doc_ids)], self.doc_counts[rows]

    def centroid_norms(self, rows: np.ndarray) -> np.ndarray:
        """Norm of each row's profile centroid (mean document vector + half the summary vector, as
        ``Index._centroid``) from the decoded vectors; 0 without vectors. Kept per profile, so a
        query only decodes the profiles no earlier query brought into its pool."""
        rows = np.asarray(rows, dtype=np.int64)
        todo = np.unique(rows[np.isnan(self._cnorms[rows])])
        if len(todo):
            self._cnorms[todo] = self._centroid_norms(todo)
        return self._cnorms[rows].copy()

    def _centroid_norms(self, rows: np.ndarray) -> np.ndarray:
        sums = np.zeros((len(rows), self.dim), dtype=np.float32)
        counts = self.doc_counts[rows]
        has = np.flatnonzero(counts > 0)
        if len(has):
            vecs = self.reconstruct(self._doc_ids(rows[has]))
            starts = np.concatenate([[0], np.cumsum(counts[has])[:-1]])
            sums[has] = np.add.reduceat(vecs, starts, axis=0) / counts[has].astype(np.float32)[:, None]
        summ = self.has_summary[rows]
        if summ.any():
            sums[summ] += 0.5 * self.reconstruct(self.m + rows[summ])
        return np.linalg.norm(sums, axis=1).astype(np.float32)

    def _search(self, q: np.ndarray) -> np.ndarray:
        faiss = _faiss()
        before = faiss.omp_get_max_threads()
        faiss.omp_set_num_threads(1)  # one query: threads only wait for each other on a busy box
        try:
            self.index.nprobe = self.nprobe
            _, ids = self.index.search(q[None, :], min(self.k_vectors, self.index.ntotal))
        finally:
            faiss.omp_set_num_threads(before)
        ids = ids[0]
        return ids[ids >= 0]

    def similarities(
        self, qvec: np.ndarray, hint: np.ndarray | None = None, keep: dict | None = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """(n,) summary and (m,) document cosines — exact (from the 8-bit codes) for the rescored
        candidates, NaN (summaries) / -1 (documents) for everyone else. ``keep`` (a dict): filled
        with the rescored rows, their vector ids and gathered codes, for ``project_rows``."""
        q = np.ascontiguousarray(np.asarray(qvec, dtype=np.float32).ravel())
        # the ANN hits' profiles ∪ the floor sample ∪ the hint, ascending: a mark per profile
        # (the same rows as sorting them, ~5× cheaper even at 1M profiles, ADR 0052)
        mark = np.zeros(self.n, dtype=bool)
        mark[self._owner[self._search(q)]] = True
        mark[self._floor_rows] = True
        if hint is not None and len(hint):
            mark[np.asarray(hint, dtype=np.int64)] = True
        rows = np.flatnonzero(mark)
        counts = self.doc_counts[rows]
        starts = self.doc_offsets[rows]
        doc_ids = np.repeat(starts - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
        srows = rows[self.has_summary[rows]]
        ids = np.concatenate([doc_ids, self.m + srows])
        sims = self._dots(ids, q, keep)
        if keep is not None:
            keep.update(rows=rows, ids=ids)
        if self.fine is not None and len(ids):
            top = np.argpartition(-sims, min(self.fine_top, len(ids)) - 1)[: self.fine_top]
            top = top[np.argsort(ids[top])]  # in file order (memory map)
            fine = np.asarray(self.fine[ids[top]], dtype=np.float32)
            sims[top] = fine @ q
            if keep is not None:  # the PRF pass projects the same best vectors from this copy too
                keep.update(fine_pos=top, fine_vecs=fine)
        summ = np.full(self.n, np.nan, dtype=np.float32)
        summ[rows] = 0.0
        summ[srows] = sims[len(doc_ids) :]
        docs = np.full(self.m, -1.0, dtype=np.float32)
        docs[doc_ids] = sims[: len(doc_ids)]
        return summ, docs

    def aggregate(
        self, summary_sims: np.ndarray, doc_sims: np.ndarray, top_docs: int = 2, summary_weight: float = 0.3
    ) -> np.ndarray:
        """As ``DenseIndex.aggregate`` for the rescored rows; the others get the lowest rescored
        score (the floor sample makes that an estimate of the pool's minimum)."""
        return self.aggregate_many(summary_sims, doc_sims, [(top_docs, summary_weight)])[0]

    def aggregate_many(
        self, summary_sims: np.ndarray, doc_sims: np.ndarray, specs
    ) -> list[np.ndarray]:
        """``aggregate`` for several (top_docs, summary_weight): one series of max passes."""
        known = np.flatnonzero(~np.isnan(summary_sims))
        if len(known) == 0:
            return [np.zeros(self.n, dtype=np.float32) for _ in specs]
        ssum = summary_sims[known]
        with_docs = known[self.doc_counts[known] > 0]
        bests: dict[int, np.ndarray] = {}
        if len(with_docs):
            # the candidates' documents grouped by count, each group sorted once: the same sums
            # as top_n_means's max passes (bit-identical, tests), ~3× faster (ADR 0052)
            groups = _count_groups(self.doc_counts[with_docs], self.doc_offsets[with_docs])
            bests = grouped_top_n_means(doc_sims, groups, len(with_docs), [t for t, _ in specs])
            pos = np.searchsorted(known, with_docs)
            both = self.has_summary[with_docs]
        valid = self.has_vectors[known]
        out = []
        for top_docs, summary_weight in specs:
            part = np.where(self.has_summary[known], ssum, 0.0).astype(np.float32)
            if len(with_docs):
                best = bests[top_docs]
                part[pos] = np.where(
                    both, (1.0 - summary_weight) * best + summary_weight * summary_sims[with_docs], best
                )
            floor = float(part[valid].min()) if valid.any() else 0.0
            score = np.full(self.n, floor, dtype=np.float32)
            score[known] = part
            out.append(score)
        return out


def fingerprint(
    summary: np.ndarray, has_summary: np.ndarray, docs: np.ndarray, doc_counts: np.ndarray
) -> str:
    """What the saved index was built from (every vector and the segment layout)."""
    h = hashlib.sha1(usedforsecurity=False)
    for a in (has_summary.astype(bool), doc_counts.astype(np.int64)):
        h.update(np.ascontiguousarray(a).tobytes())
    for a in (summary, docs):
        a = np.ascontiguousarray(a, dtype=np.float32)
        step = 100_000
        for i in range(0, len(a), step):
            h.update(a[i : i + step].tobytes())
    return h.hexdigest()[:24]


def build_dense_index(
    n: int,
    dim: int,
    summary: np.ndarray,
    has_summary: np.ndarray,
    docs: np.ndarray,
    doc_counts: np.ndarray,
    min_profiles: int | None = None,
    cache_dir: str | os.PathLike | None = None,
    **params,
) -> DenseIndex | AnnDenseIndex:
    """Exact ``DenseIndex`` below ``min_profiles`` (default ``ANN_MIN_PROFILES``) profiles, the
    approximate ``AnnDenseIndex`` from there on. With ``cache_dir`` the approximate index is
    loaded from ``cache_dir/<fingerprint of the vectors>`` when it was saved there, else built
    and saved there (then with float16 rescoring from the memory-mapped file)."""
    limit = ANN_MIN_PROFILES if min_profiles is None else int(min_profiles)
    if n < limit:
        return DenseIndex(n, dim, summary, has_summary, docs, doc_counts)
    if cache_dir is None:
        return AnnDenseIndex.build(n, dim, summary, has_summary, docs, doc_counts, **params)
    # saved under <cache_dir>/<fingerprint>/: several processes (web workers, the task worker) may
    # build the same index at once, and one may be memory-mapping a saved copy while another
    # saves; a directory is only ever complete (written aside, then renamed in place) and never
    # rewritten, so a reader never sees half a file.
    fp = fingerprint(summary, has_summary, docs, doc_counts)
    root = Path(cache_dir)
    final = root / fp
    loaded = AnnDenseIndex.load(final, fingerprint=fp)
    if loaded is not None:
        return loaded
    # with the float16 copy for rescoring, used from the file (memory map), not from RAM
    params.setdefault("fine", True)
    index = AnnDenseIndex.build(n, dim, summary, has_summary, docs, doc_counts, **params)
    root.mkdir(parents=True, exist_ok=True)
    aside = Path(tempfile.mkdtemp(prefix=".saving-", dir=root))
    try:
        index.save(aside, fingerprint=fp)
        with contextlib.suppress(OSError):  # another process saved the same vectors first: as good
            os.rename(aside, final)
    finally:
        shutil.rmtree(aside, ignore_errors=True)
    _drop_older(root, final)
    return AnnDenseIndex.load(final, fingerprint=fp) or index


def _drop_older(root: Path, keep: Path) -> None:
    """Saved indexes of earlier vectors (older than ``keep``) are removed; a process still
    memory-mapping one keeps its open files (POSIX), and a newer one is left alone."""
    try:
        newest = keep.stat().st_mtime
    except OSError:
        return
    for d in root.iterdir():
        if d != keep and d.is_dir() and not d.name.startswith(".saving-"):
            try:
                if d.stat().st_mtime < newest:
                    shutil.rmtree(d, ignore_errors=True)
            except OSError:
                pass
