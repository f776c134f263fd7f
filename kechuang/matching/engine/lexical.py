"""BM25 per candidate field (bm25s), combined with per-field and per-query-token weights.

bm25s precomputes every (token, document) score into a sparse matrix; scoring a query is then
slicing the query's columns and one sparse-matrix × weight-vector product, which keeps 100k
candidates in the low milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import bm25s
import numpy as np
from scipy import sparse


class FieldBM25:
    """BM25 (Lucene variant) over one field of every candidate."""

    def __init__(self, corpus_tokens: Sequence[list[str]], k1: float = 1.2, b: float = 0.75):
        self.num_docs = len(corpus_tokens)
        self.bm25: bm25s.BM25 | None = None
        self.vocab: dict[str, int] = {}
        self.matrix: sparse.csc_matrix | None = None
        if not any(corpus_tokens):
            return  # a field nobody filled in contributes nothing
        self.bm25 = bm25s.BM25(k1=k1, b=b, method="lucene")
        self.bm25.index([list(t) for t in corpus_tokens], show_progress=False)
        s = self.bm25.scores
        self.vocab = self.bm25.vocab_dict
        n_tokens = len(s["indptr"]) - 1
        self.matrix = sparse.csc_matrix(
            (s["data"], s["indices"], s["indptr"]), shape=(s["num_docs"], n_tokens), copy=False
        )
        if not self.matrix.has_sorted_indices:  # matched_terms binary-searches each column
            self.matrix.sort_indices()

    @classmethod
    def from_counts(
        cls, counts: sparse.spmatrix, vocab: Mapping[str, int], k1: float = 1.2, b: float = 0.75
    ) -> FieldBM25:
        """The same index from a (documents × vocabulary) term-count matrix: bm25s's Lucene
        scores (idf · tf / (tf + k1·(1 − b + b·len/avg len))) without its per-document token
        lists — for pools too large to tokenise document by document (the 1M-profile bench
        composes profiles from per-paper counts). Equal to ``FieldBM25(tokens)`` (tested)."""
        self = cls.__new__(cls)
        tf = sparse.csr_matrix(counts, dtype=np.float32)
        tf.sum_duplicates()
        tf.eliminate_zeros()
        self.num_docs = tf.shape[0]
        self.bm25 = None
        self.vocab = dict(vocab)
        self.matrix = None
        if tf.nnz == 0:
            return self
        lengths = np.asarray(tf.sum(axis=1), dtype=np.float64).ravel()
        avg = float(lengths.mean())
        norm = (k1 * ((1 - b) + b * lengths / avg)).astype(np.float32)
        tc = tf.tocsc()
        del tf
        tc.sort_indices()
        df = np.diff(tc.indptr)
        idf = np.log(1.0 + (self.num_docs - df + 0.5) / (df + 0.5)).astype(np.float32)
        rows = tc.indices
        data = tc.data
        data /= data + norm[rows]
        data *= np.repeat(idf, df)
        self.matrix = tc
        return self

    def doc_freq(self, token: str) -> int:
        tid = self.vocab.get(token)
        if tid is None or self.matrix is None:
            return 0
        return int(self.matrix.indptr[tid + 1] - self.matrix.indptr[tid])

    def get_scores(self, tokens: Sequence[str]) -> np.ndarray:
        """Plain BM25 of a token list (each distinct token once), as bm25s would score it."""
        weights = dict.fromkeys(tokens, 1.0)
        scores, _ = self.weighted_scores(weights)
        return scores

    def weighted_scores(
        self, token_weights: Mapping[str, float]
    ) -> tuple[np.ndarray, sparse.csc_matrix | None]:
        """sum_t w_t * BM25(t, d) for every document d, and the (docs × known tokens) sub-matrix."""
        if self.matrix is None:
            return np.zeros(self.num_docs, dtype=np.float32), None
        known = [(self.vocab[t], w) for t, w in token_weights.items() if t in self.vocab and t != ""]
        if not known:
            return np.zeros(self.num_docs, dtype=np.float32), None
        ids = np.fromiter((i for i, _ in known), dtype=np.int64, count=len(known))
        w = np.fromiter((x for _, x in known), dtype=np.float32, count=len(known))
        sub = self.matrix[:, ids]
        return np.asarray(sub @ w, dtype=np.float32).ravel(), sub


class LexicalIndex:
    """One ``FieldBM25`` per candidate field; the weighted sum is the lexical signal."""

    def __init__(
        self,
        field_tokens: Mapping[str, Sequence[list[str]]],
        field_weights: Mapping[str, float],
        k1: float = 1.2,
        b: float = 0.75,
    ):
        self.field_weights = {f: float(w) for f, w in field_weights.items() if w > 0}
        self.fields = {
            name: FieldBM25(tokens, k1=k1, b=b)
            for name, tokens in field_tokens.items()
            if name in self.field_weights
        }
        self.num_docs = len(next(iter(field_tokens.values()))) if field_tokens else 0

    @classmethod
    def from_fields(cls, fields: Mapping[str, FieldBM25], field_weights: Mapping[str, float]) -> LexicalIndex:
        """From ready ``FieldBM25`` indexes (e.g. ``FieldBM25.from_counts``)."""
        self = cls.__new__(cls)
        self.field_weights = {f: float(w) for f, w in field_weights.items() if w > 0}
        self.fields = {name: f for name, f in fields.items() if name in self.field_weights}
        self.num_docs = next(iter(fields.values())).num_docs if fields else 0
        return self

    def idf(self, token: str) -> float:
        """IDF from the field where the token is most common (a lower bound of the union's df)."""
        n = self.num_docs
        df = max((f.doc_freq(token) for f in self.fields.values()), default=0)
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def score(self, token_weights: Mapping[str, float]) -> tuple[np.ndarray, list[str], list]:
        """Raw weighted lexical scores (n,), plus what ``matched_terms`` needs later."""
        total, subs, _ = self.score_fields(token_weights)
        return total, list(token_weights), subs

    def score_fields(
        self, token_weights: Mapping[str, float]
    ) -> tuple[np.ndarray, list, dict[str, tuple[np.ndarray, sparse.csc_matrix | None, list[str]]]]:
        """``score`` plus each field's own (scores, sub-matrix, known tokens), so the learned
        fusion's per-field features reuse them instead of slicing every field a second time."""
        total = np.zeros(self.num_docs, dtype=np.float32)
        subs = []
        per_field: dict[str, tuple[np.ndarray, sparse.csc_matrix | None, list[str]]] = {}
        for name, index in self.fields.items():
            scores, sub = index.weighted_scores(token_weights)
            if sub is None:
                per_field[name] = (scores, None, [])
                continue
            total += self.field_weights[name] * scores
            known = [t for t in token_weights if t in index.vocab and t != ""]
            subs.append((known, sub))
            per_field[name] = (scores, sub, known)
        return total, subs, per_field

    @staticmethod
    def matched_terms(rows: np.ndarray, subs: list) -> list[set[str]]:
        """For each row (candidate index), the query tokens it contains in any field."""
        out: list[set[str]] = [set() for _ in range(len(rows))]
        if len(rows) == 0:
            return out
        rows = np.asarray(rows)
        for known, sub in subs:
            if not sub.has_sorted_indices:
                sub.sort_indices()
            for j, tok in enumerate(known):
                col = sub.indices[sub.indptr[j] : sub.indptr[j + 1]]  # sorted rows containing tok
                if col.size == 0:
                    continue
                # binary search of the few result rows, not np.isin over the whole column
                pos = np.minimum(np.searchsorted(col, rows), col.size - 1)
                for r in np.flatnonzero(col[pos] == rows):
                    out[r].add(tok)
        return out
