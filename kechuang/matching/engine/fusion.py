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


def _minmax(x: np.ndarray, valid: np.ndarray) -> np.ndarray:
    out = np.zeros(len(x), dtype=np.float64)
    if not valid.any():
        return out
    v = x[valid].astype(np.float64)
    lo, hi = float(v.min()), float(v.max())
    if hi > lo:
        out[valid] = (v - lo) / (hi - lo)
    elif hi > 0:
        out[valid] = 1.0
    return out


def fuse(
    lexical: np.ndarray, dense: np.ndarray | None, config: FusionConfig, dense_valid: np.ndarray | None = None
) -> np.ndarray:
    """Fused score for each candidate of the pool (arrays are already restricted to the pool).

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
    score = wl * _minmax(lexical, lex_valid)
    if wd > 0 and dense is not None:
        score += wd * _minmax(dense, dense_valid)
    return score / (wl + wd)
