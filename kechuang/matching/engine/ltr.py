"""Learned fusion: a linear model over per-candidate features of one query.

Features are computed per query over the pool being ranked, from signals the engine already has
(per-field BM25, document and summary cosines, a dense pseudo-relevance-feedback pass, coverage
of the query's terms, profile size, ranks). Every raw score is rescaled within the pool
(min-max or rank), so the model sees the same ranges whatever the query length or language.

The model is a logistic regression fitted by ``bench/matching/run.py --train`` on the TUNE
halves of every benchmark set jointly, stored as a small JSON file next to this module
(``ltr_model.json``) and loaded without network. When the file is missing, unreadable or was
written for other features, ``load_model`` returns None and the engine falls back to the
deterministic min-max fusion of ``FusionConfig``.
"""

from __future__ import annotations

import json
import logging
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .fusion import minmax

log = logging.getLogger(__name__)

MODEL_PATH = Path(__file__).with_name("ltr_model.json")
FORMAT = "kechuang-ltr-linear/1"

# Order matters: it is the column order of the feature matrix and of the model's weights.
FEATURES: tuple[str, ...] = (
    "bm25",  # weighted BM25 over all fields, min-max in the pool
    "bm25_documents",  # BM25 of the documents field alone
    "bm25_keywords",  # BM25 of the keywords field alone
    "bm25_title_fields",  # BM25 of title + disciplines
    "bm25_rank",  # 10 / (10 + rank by BM25), 0 without a lexical match
    "coverage",  # share of the query's token weight found anywhere in the profile
    "keyword_coverage",  # share of the query's token weight found in the profile's keywords
    "dense_top1",  # best document cosine, min-max
    "dense_top2",  # mean of the two best document cosines, min-max
    "dense_top5",  # mean of the five best, min-max (breadth of the match)
    "dense_summary",  # summary (title, keywords, disciplines) cosine, min-max; 0 without a summary
    "dense_rank",  # 10 / (10 + rank by the default dense score)
    "dense_z",  # default dense score as a z-score in the pool, clipped to [-3, 3] / 3
    "prf",  # top-2 document cosine with the centroid of the first-stage top-3 candidates' best documents
    "prf_rank",  # 10 / (10 + rank by prf)
    "neighbours",  # profile-centroid cosine with the (score-weighted) centroid of the top-3 profiles
    "neighbours_rank",
    "log_docs",  # log(1 + documents) / log(101): profile size
    "cluster",  # first-stage score of the candidate's CLUSTER_M most similar profiles, min-max (ADR 0053)
)

PRF_DEPTH = 3
# ``cluster``: among the first-stage top CLUSTER_K of the pool, the mean first-stage score of each
# candidate's CLUSTER_M most similar profiles (profile-centroid cosine), itself left out; 0 outside
# the top CLUSTER_K. Chosen on the tune halves (ADR 0053).
CLUSTER_K = 100
CLUSTER_M = 3
RANK_K = 10.0


def _minmax(x: np.ndarray, valid: np.ndarray | None = None, sample: np.ndarray | None = None) -> np.ndarray:
    """``fusion.minmax``: between the pool's low quantile (the uniform sample's, for an approximate
    index's candidate pool) and its maximum."""
    v = np.ones(len(x), dtype=bool) if valid is None else np.asarray(valid, dtype=bool)
    return minmax(x, v, sample)


# values equal to this many decimals are ties (rank features, the final order, the cluster's cosines):
# float32 carries ~7 significant digits, and its last bits differ by CPU (BLAS kernels)
TIE_DECIMALS = 6


def _rank_feature(x: np.ndarray, valid: np.ndarray | None = None) -> np.ndarray:
    """RANK_K / (RANK_K + rank), rank 1 = best among the valid; 0 for invalid rows."""
    x = np.asarray(x, dtype=np.float64)
    v = np.ones(len(x), dtype=bool) if valid is None else valid.astype(bool)
    out = np.zeros(len(x), dtype=np.float64)
    if not v.any():
        return out
    # equal up to float32 noise = equal: twins' scores differ in the last bits by CPU (BLAS kernels),
    # and one rank apart moved the final order on one machine and not on another
    out[v] = RANK_K / (RANK_K + _min_ranks(-np.round(x[v], TIE_DECIMALS)))
    return out


def _min_ranks(neg: np.ndarray) -> np.ndarray:
    """1-based rank of each value in ascending order, equal values sharing their best ('min')
    rank: ``searchsorted(sort(neg), neg, side="left") + 1`` from one argsort and a linear pass
    instead of a binary search per value (equal NaNs share a rank, as there)."""
    n = len(neg)
    order = np.argsort(neg, kind="stable")
    s = neg[order]
    start = np.ones(n, dtype=bool)
    if n > 1:
        start[1:] = (s[1:] != s[:-1]) & ~(np.isnan(s[1:]) & np.isnan(s[:-1]))
    first = np.maximum.accumulate(np.where(start, np.arange(n), 0))
    ranks = np.empty(n, dtype=np.int64)
    ranks[order] = first + 1
    return ranks


def _zscore(x: np.ndarray, valid: np.ndarray, sample: np.ndarray | None = None) -> np.ndarray:
    """Clipped z-score / 3 over the valid rows; with ``sample`` (the rows drawn uniformly from the
    whole pool, when the rows are an approximate index's candidate pool, which over-represents
    the best) the mean and spread are the sample's: estimates of the whole pool's (ADR 0039)."""
    out = np.zeros(len(x), dtype=np.float64)
    if valid.sum() < 2:
        return out
    v = np.asarray(x, dtype=np.float64)[valid]
    ref = v
    if sample is not None and int((valid & sample).sum()) >= 2:
        ref = np.asarray(x, dtype=np.float64)[valid & sample]
    sd = float(ref.std())
    if sd > 0:
        out[valid] = np.clip((v - float(ref.mean())) / sd, -3.0, 3.0) / 3.0
    return out


@dataclass
class RawSignals:
    """Per-candidate raw scores of one query over the pool (arrays of the pool's length)."""

    bm25: np.ndarray
    bm25_fields: dict[str, np.ndarray]
    coverage: np.ndarray
    keyword_coverage: np.ndarray
    dense_top1: np.ndarray | None
    dense_top2: np.ndarray | None
    dense_top5: np.ndarray | None
    dense_summary: np.ndarray | None
    dense_default: np.ndarray | None
    prf: np.ndarray | None
    neighbours: np.ndarray | None
    has_summary: np.ndarray
    has_vectors: np.ndarray
    doc_counts: np.ndarray
    # the rows are an approximate index's candidate pool: which of them were drawn uniformly
    # from the whole pool (its floor sample); None = the rows are the whole pool
    sample: np.ndarray | None = None
    # ``cluster``'s raw value and the rows it is defined for (the first-stage top CLUSTER_K with
    # vectors); None = not computed (no dense signal)
    cluster: np.ndarray | None = None
    cluster_valid: np.ndarray | None = None


def feature_matrix(raw: RawSignals) -> np.ndarray:
    """(n, len(FEATURES)) float64 matrix, every column in [0, 1] (dense_z in [-1, 1])."""
    n = len(raw.bm25)
    sample = raw.sample
    lex_valid = raw.bm25 > 0
    cols: dict[str, np.ndarray] = {}
    cols["bm25"] = _minmax(raw.bm25, lex_valid, sample)
    f = raw.bm25_fields
    zero = np.zeros(n)
    cols["bm25_documents"] = _minmax(f.get("documents", zero), f.get("documents", zero) > 0, sample)
    cols["bm25_keywords"] = _minmax(f.get("keywords", zero), f.get("keywords", zero) > 0, sample)
    tf = f.get("title", zero) + f.get("fields", zero)
    cols["bm25_title_fields"] = _minmax(tf, tf > 0, sample)
    cols["bm25_rank"] = _rank_feature(raw.bm25, lex_valid)
    cols["coverage"] = np.clip(raw.coverage, 0.0, 1.0)
    cols["keyword_coverage"] = np.clip(raw.keyword_coverage, 0.0, 1.0)
    hv = raw.has_vectors.astype(bool)
    has_docs = raw.doc_counts > 0
    for name, arr, valid in (
        ("dense_top1", raw.dense_top1, hv & has_docs),
        ("dense_top2", raw.dense_top2, hv & has_docs),
        ("dense_top5", raw.dense_top5, hv & has_docs),
        ("dense_summary", raw.dense_summary, raw.has_summary.astype(bool)),
        ("prf", raw.prf, hv & has_docs),
    ):
        cols[name] = zero.copy() if arr is None else _minmax(arr, valid, sample)
    if raw.dense_default is None:
        cols["dense_rank"] = zero.copy()
        cols["dense_z"] = zero.copy()
    else:
        cols["dense_rank"] = _rank_feature(raw.dense_default, hv)
        cols["dense_z"] = _zscore(raw.dense_default, hv, raw.sample)
    cols["prf_rank"] = zero.copy() if raw.prf is None else _rank_feature(raw.prf, hv & has_docs)
    cols["neighbours"] = zero.copy() if raw.neighbours is None else _minmax(raw.neighbours, hv, sample)
    cols["neighbours_rank"] = (
        zero.copy() if raw.neighbours is None else _rank_feature(raw.neighbours, hv)
    )
    cols["log_docs"] = np.log1p(raw.doc_counts.astype(np.float64)) / math.log(101.0)
    cols["cluster"] = zero.copy() if raw.cluster is None else _minmax(raw.cluster, raw.cluster_valid)
    if not n:
        return np.zeros((0, len(FEATURES)))
    out = np.empty((n, len(FEATURES)), dtype=np.float64)
    for j, name in enumerate(FEATURES):
        out[:, j] = cols[name]
    return out


@dataclass
class LinearRanker:
    """score = sigmoid(bias + weights · features); monotone in the linear part, in (0, 1)."""

    weights: np.ndarray
    bias: float
    features: tuple[str, ...]
    meta: dict

    def score(self, x: np.ndarray) -> np.ndarray:
        z = self.bias + np.asarray(x, dtype=np.float64) @ self.weights
        return 1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))

    def to_json(self) -> str:
        return json.dumps(
            {
                "format": FORMAT,
                "features": list(self.features),
                "weights": [round(float(w), 6) for w in self.weights],
                "bias": round(float(self.bias), 6),
                "meta": self.meta,
            },
            ensure_ascii=False,
            indent=1,
        )


def load_model(path: str | Path | None = None) -> LinearRanker | None:
    """The shipped (or given) model; None (logged) if missing, unreadable or for other features."""
    p = Path(path) if path else MODEL_PATH
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("learned fusion model %s unavailable (%s); using min-max fusion", p, exc)
        return None
    try:
        if data.get("format") != FORMAT or tuple(data["features"]) != FEATURES:
            raise ValueError("written for other features")
        w = np.asarray(data["weights"], dtype=np.float64)
        if w.shape != (len(FEATURES),) or not np.all(np.isfinite(w)):
            raise ValueError("bad weights")
        bias = float(data.get("bias", 0.0))
        if not math.isfinite(bias):
            raise ValueError("bad bias")
    except (KeyError, TypeError, ValueError) as exc:
        log.warning("learned fusion model %s rejected (%s); using min-max fusion", p, exc)
        return None
    return LinearRanker(w, bias, FEATURES, dict(data.get("meta") or {}))


_cache: dict[str, tuple[float, LinearRanker | None]] = {}


def cached_model(path: str | Path | None = None) -> LinearRanker | None:
    """``load_model`` memoised per path and file modification time."""
    p = Path(path) if path else MODEL_PATH
    try:
        mtime = p.stat().st_mtime
    except OSError:
        mtime = -1.0
    hit = _cache.get(str(p))
    if hit is None or hit[0] != mtime:
        hit = (mtime, load_model(p) if mtime >= 0 else None)
        if mtime < 0:
            log.warning("learned fusion model %s missing; using min-max fusion", p)
        _cache[str(p)] = hit
    return hit[1]


# ------------------------------------------------------------------------------------ training
def fit_logistic(
    x: np.ndarray,
    y: np.ndarray,
    sample_weight: np.ndarray | None = None,
    l2: float = 1.0,
    iterations: int = 50,
) -> tuple[np.ndarray, float]:
    """Weighted L2-regularised logistic regression by Newton's method (deterministic, numpy only).

    ``l2`` is the penalty on the weights (not the bias) relative to the total sample weight 1.
    """
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    n, d = x.shape
    sw = np.ones(n) if sample_weight is None else np.asarray(sample_weight, dtype=np.float64)
    sw = sw / sw.sum()
    xa = np.column_stack([np.ones(n), x])
    beta = np.zeros(d + 1)
    reg = np.full(d + 1, l2)
    reg[0] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(xa @ beta, -60, 60)))
        grad = xa.T @ (sw * (p - y)) + reg * beta
        h = (xa * (sw * p * (1 - p))[:, None]).T @ xa + np.diag(reg) + 1e-9 * np.eye(d + 1)
        step = np.linalg.solve(h, grad)
        beta -= step
        if float(np.abs(step).max()) < 1e-8:
            break
    return beta[1:], float(beta[0])
