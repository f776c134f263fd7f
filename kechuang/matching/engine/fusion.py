"""Fusion of the lexical and dense signals into one score in [0, 1].

Raw BM25 has no fixed scale (it grows with query length) and e5 cosines crowd into 0.7–0.9,
so adding them raw would make one signal dominate differently for every query. Both methods
here only use each signal's order (rrf) or per-query range (minmax).
"""

from __future__ import annotations

import numpy as np

from .config import FusionConfig


def ranks_desc(x: np.ndarray) -> np.ndarray:
    """1-based rank of each value, largest first; equal values share the best rank ('min')."""
    neg = -np.asarray(x, dtype=np.float64)
    return np.searchsorted(np.sort(neg), neg, side="left") + 1


# The low end of a per-query range is a low quantile, not the minimum: the minimum of a pool grows
# more extreme with its size (a 200-profile training pool, a 100k library), and an approximate
# index's candidate pool holds the best rows and a uniform sample (``sample``), so only a quantile
# can be estimated the same way on both paths (the sample's). The top is the pool's maximum: the best
# rows are in every pool. ADR 0055.
LOW_QUANTILE = 0.02
MIN_SAMPLE = 20


def pool_range(x: np.ndarray, valid: np.ndarray, sample: np.ndarray | None = None) -> tuple[float, float]:
    """(low, high) of the valid values: their LOW_QUANTILE quantile (over the valid rows of
    ``sample`` when it holds at least MIN_SAMPLE of them) and their maximum."""
    v = x[valid]
    ref = v
    if sample is not None:
        s = x[valid & sample]
        if len(s) >= MIN_SAMPLE:
            ref = s
    k = int(LOW_QUANTILE * (len(ref) - 1))
    return float(np.partition(ref, k)[k]), float(v.max())


def minmax(x: np.ndarray, valid: np.ndarray, sample: np.ndarray | None = None) -> np.ndarray:
    """Valid values scaled to [0, 1] between ``pool_range``'s low and high (clipped below); 1 for all
    when they are equal and positive; 0 for invalid rows."""
    x = np.asarray(x, dtype=np.float64)
    valid = np.asarray(valid, dtype=bool)
    out = np.zeros(len(x), dtype=np.float64)
    if not valid.any():
        return out
    lo, hi = pool_range(x, valid, sample)
    if hi > lo:
        out[valid] = np.clip((x[valid] - lo) / (hi - lo), 0.0, 1.0)
    elif hi > 0:
        out[valid] = 1.0
    return out


def fuse(
    lexical: np.ndarray,
    dense: np.ndarray | None,
    config: FusionConfig,
    dense_valid: np.ndarray | None = None,
    sample: np.ndarray | None = None,
) -> np.ndarray:
    """Fused score for each candidate of the pool (arrays are already restricted to the pool);
    ``sample``: which rows were drawn uniformly from a larger pool (``pool_range``).

    A candidate with no lexical match (score 0) or no vectors gets nothing from that signal,
    instead of a rank among the unmatched. With ``dense=None`` (model unavailable) the result
    ranks by the lexical signal alone.
    """
    lexical = np.asarray(lexical, dtype=np.float64)
    n = len(lexical)
    lex_valid = lexical > 0
    wl = config.lexical_weight
    wd = config.dense_weight if dense is not None else 0.0
    if wl + wd <= 0:  # dense-only config but no dense signal: fall back to lexical
        wl = 1.0
    if dense is not None:
        dense = np.asarray(dense, dtype=np.float64)
        dense_valid = np.ones(n, dtype=bool) if dense_valid is None else dense_valid.astype(bool)
    if config.method == "rrf":
        k = config.rrf_k
        score = np.zeros(n, dtype=np.float64)
        if wl > 0 and lex_valid.any():
            score += np.where(lex_valid, wl / (k + ranks_desc(lexical)), 0.0)
        if wd > 0 and dense is not None and dense_valid.any():
            r = ranks_desc(np.where(dense_valid, dense, -np.inf))
            score += np.where(dense_valid, wd / (k + r), 0.0)
        return score / ((wl + wd) / (k + 1.0))
    # minmax
    score = wl * minmax(lexical, lex_valid, sample)
    if wd > 0 and dense is not None:
        score += wd * minmax(dense, dense_valid, sample)
    return score / (wl + wd)
