"""A static document encoder derived from the bundled model (issue 14, docs/adr/0047).

No transformer runs per document: a document is split by the engine's own tokenizer, each distinct
word is embedded ONCE by the full model (``passage: `` prefix, as a one-word passage) and kept in a
``WordTable`` keyed by (model_version, word), and the document vector is the weighted mean of its
words' vectors, L2-normalised. Optionally a per-index linear correction maps these vectors towards
the full model's: a small, deterministic sample of the index's own documents is embedded fully and
a ridge map (shrunk towards the identity) static → full is fitted on it (``prepare``).

Queries are always embedded by the full model. ``model_version`` names the base model, the static
method, its settings and (after ``prepare``) a digest of the fitted statistics and map, so static
vectors never mix with full ones, nor vectors of one fit with another's.

Engine code: no Django. The engine calls ``prepare(texts)`` with every passage of a build before
computing passage keys (``Engine.embed_candidates``).
"""

from __future__ import annotations

import hashlib
import math
import os
import threading
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from . import npio
from .dense import Embedder, _normalise
from .tokenize import Tokenizer


class WordTable:
    """Word vectors keyed by (model_version, word); optionally persisted to an ``.npz`` file so a
    later build (or process) reuses them. Thread-safe; ``save`` writes atomically."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path else None
        self._vecs: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.dirty = False
        if self.path is not None and self.path.exists():
            z = npio.load_all(self.path)
            self._vecs = dict(zip(z["keys"].tolist(), np.asarray(z["vecs"], np.float32)))

    @staticmethod
    def key(model_version: str, word: str) -> str:
        return f"{model_version}\x00{word}"

    def __len__(self) -> int:
        return len(self._vecs)

    def get(self, model_version: str, word: str) -> np.ndarray | None:
        return self._vecs.get(self.key(model_version, word))

    def missing(self, model_version: str, words: Iterable[str]) -> list[str]:
        return [w for w in words if self.key(model_version, w) not in self._vecs]

    def put(self, model_version: str, words: Sequence[str], vecs: np.ndarray) -> None:
        with self._lock:
            for w, v in zip(words, vecs, strict=True):
                self._vecs[self.key(model_version, w)] = np.asarray(v, np.float32)
            self.dirty = True

    def save(self) -> None:
        if self.path is None or not self.dirty:
            return
        with self._lock:
            keys = list(self._vecs)
            self.path.parent.mkdir(parents=True, exist_ok=True)
            tmp = self.path.with_name(self.path.name + ".tmp.npz")
            vecs = np.stack([self._vecs[k] for k in keys]) if keys else np.zeros((0, 0), np.float32)
            np.savez(tmp, keys=np.array(keys, dtype=str), vecs=vecs)
            os.replace(tmp, self.path)
            self.dirty = False


def _digest(*parts: bytes) -> str:
    h = hashlib.sha1(usedforsecurity=False)
    for p in parts:
        h.update(p)
    return h.hexdigest()[:10]


def _text_rank(text: str) -> str:
    """Order of a text in the correction sample: by hash, so the sample is the same whatever the
    order the texts come in."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


class StaticEncoder:
    """Embedder whose passages are weighted means of word vectors (see module docstring). The
    defaults (mean weights, a 10 % correction sample mapped like the rest, ridge 1) are the best
    variant measured on the tune halves (ADR 0047); it is not the engine's default encoder.

    ``weighting``: "sif" (a / (a + p(w)), p from the corpus given to ``prepare``), "idf"
    (log((1 + N) / (1 + df)) + 1) or "mean". Before ``prepare`` every word weighs 1.
    ``min_df``: words seen in fewer documents of the prepared corpus are left out (not embedded,
    not averaged); they still count for BM25. ``max_words``: only the prepared corpus's
    ``max_words`` most frequent words (by document frequency) count — bounds the words to embed
    whatever the corpus size. ``sample_share`` / ``sample_cap`` /
    ``sample_min``: the correction sample (0 = no correction); ``ridge``: its shrinkage towards
    the identity map; ``sample_exact``: the sampled documents keep their full vectors instead of
    being mapped like the rest (measured worse: two vector spaces in one index, ADR 0047).
    """

    METHOD = "static1"

    def __init__(
        self,
        base: Embedder,
        tokenizer: Tokenizer | None = None,
        table: WordTable | None = None,
        weighting: str = "mean",
        sif_a: float = 1e-3,
        min_df: int = 1,
        max_words: int | None = None,
        sample_share: float = 0.10,
        sample_cap: int = 2000,
        sample_min: int = 16,
        ridge: float = 1.0,
        sample_exact: bool = False,
        word_batch: int = 256,
    ):
        if weighting not in ("sif", "idf", "mean"):
            raise ValueError(f"unknown weighting {weighting!r} (expected 'sif', 'idf' or 'mean')")
        self.base = base
        self.model_name = base.model_name
        self.dim = int(base.dim)
        self.tokenizer = tokenizer or Tokenizer()
        self.table = table if table is not None else WordTable()
        self.weighting = weighting
        self.sif_a = float(sif_a)
        self.min_df = int(min_df)
        self.max_words = int(max_words) if max_words else None
        self._kept: set[str] | None = None
        self.sample_share = float(sample_share)
        self.sample_cap = int(sample_cap)
        self.sample_min = int(sample_min)
        self.ridge = float(ridge)
        self.sample_exact = bool(sample_exact)
        self.word_batch = int(word_batch)
        self._weights: dict[str, float] = {}
        self._map: np.ndarray | None = None  # (dim + 1, dim): [W; b]
        self._full: dict[str, np.ndarray] = {}  # the sample's full vectors, by text
        self._fit = ""
        self._df: dict[str, int] = {}
        self._unseen_weight = 1.0
        self.stats: dict[str, float] = {}

    # -- identity -----------------------------------------------------------------------------
    @property
    def word_version(self) -> str:
        """Key of the word table's vectors: the base model's version (words are full embeddings)."""
        return self.base.model_version

    @property
    def model_version(self) -> str:
        v = f"{self.base.model_version}-{self.METHOD}-{self.weighting}-df{self.min_df}"
        v += f"-w{self.max_words}" if self.max_words else ""
        return v + (f"-fit{self._fit}" if self._fit else "")

    # -- words --------------------------------------------------------------------------------
    def words(self, text: str) -> list[str]:
        return self.tokenizer.tokenize(text)

    def ensure_words(self, words: Iterable[str]) -> int:
        """Embed (once) the words the table lacks; returns how many were embedded."""
        todo = sorted(set(self.table.missing(self.word_version, set(words))), key=lambda w: (len(w), w))
        for i in range(0, len(todo), self.word_batch):
            chunk = todo[i : i + self.word_batch]
            self.table.put(self.word_version, chunk, self.base.embed_passages(chunk))
        return len(todo)

    def _static(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), np.float32)
        toks = [self.words(t) for t in texts]
        self.ensure_words(w for ws in toks for w in ws if self._embeddable(w))
        for i, ws in enumerate(toks):
            acc = np.zeros(self.dim, np.float64)
            for w, c in Counter(ws).items():
                if not self._embeddable(w):
                    continue
                v = self.table.get(self.word_version, w)
                if v is not None:
                    acc += c * self._weights.get(w, self._unseen_weight) * v
            out[i] = acc
        return _normalise(out)

    def _embeddable(self, word: str) -> bool:
        """With ``min_df`` > 1, only words in at least ``min_df`` documents of the prepared corpus
        count (the same whether the table already holds the others or not)."""
        if self._kept is not None:
            return word in self._kept
        if self.min_df <= 1 or not self._df:
            return True
        return self._df.get(word, 0) >= self.min_df

    # -- fitting ------------------------------------------------------------------------------
    def prepare(self, texts: Iterable[str], user_words: Iterable[str] = ()) -> None:
        """Fit on an index's passages: word statistics (weights, ``min_df``), the word vectors,
        and — when ``sample_share`` > 0 — the ridge correction on a deterministic sample.
        ``user_words``: the index's taxonomy terms and keywords, kept whole as the engine does."""
        user_words = list(user_words)
        if user_words:
            self.tokenizer = Tokenizer(user_words=user_words)
        distinct = sorted({t for t in texts if t})
        df: Counter[str] = Counter()
        tf: Counter[str] = Counter()
        for t in distinct:
            ws = self.words(t)
            tf.update(ws)
            df.update(set(ws))
        self._df = dict(df)
        self._kept = None
        if self.max_words:
            ranked = sorted(df, key=lambda w: (-df[w], w))
            self._kept = {w for w in ranked[: self.max_words] if df[w] >= self.min_df}
        n = max(len(distinct), 1)
        total = max(sum(tf.values()), 1)
        if self.weighting == "sif":
            self._weights = {w: self.sif_a / (self.sif_a + c / total) for w, c in tf.items()}
            self._unseen_weight = 1.0  # a word never seen is as rare as it gets
        elif self.weighting == "idf":
            self._weights = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
            self._unseen_weight = math.log(1 + n) + 1.0
        else:
            self._weights = dict.fromkeys(tf, 1.0)
            self._unseen_weight = 1.0
        self._map, self._full = None, {}
        self.stats = {"documents": len(distinct), "vocabulary": len(df), "sample": 0}
        self.stats["words_embedded"] = self.ensure_words(w for w in df if self._embeddable(w))
        k = 0
        if self.sample_share > 0 and distinct:
            k = min(self.sample_cap, max(self.sample_min, math.ceil(self.sample_share * len(distinct))))
            k = min(k, len(distinct))
        parts = [
            repr(sorted(self._weights.items())).encode(),
            repr(
                (self.weighting, self.sif_a, self.min_df, self.max_words, self.ridge, self.sample_exact)
            ).encode(),
        ]
        if k:
            sample = sorted(distinct, key=_text_rank)[:k]
            full = np.asarray(self.base.embed_passages(sample), np.float32)
            stat = self._static(sample)
            self._map = self._fit_map(stat, full)
            self._full = dict(zip(sample, full)) if self.sample_exact else {}
            parts.append(self._map.tobytes())
            self.stats["sample"] = k
        self._fit = _digest(*parts)

    def _fit_map(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """[W; b] minimising ||x W + b - y||² + ridge · ||W - I||² (the bias is not shrunk)."""
        n, d = x.shape
        xa = np.hstack([x.astype(np.float64), np.ones((n, 1))])
        target = y.astype(np.float64) - x.astype(np.float64)  # fit the residual: W = I + Δ
        reg = np.sqrt(self.ridge) * np.eye(d + 1)
        reg[d, d] = 0.0
        a = np.vstack([xa, reg])
        b = np.vstack([target, np.zeros((d + 1, y.shape[1]))])
        delta, *_ = np.linalg.lstsq(a, b, rcond=None)
        delta[:d] += np.eye(d)
        return delta.astype(np.float32)

    # -- Embedder -----------------------------------------------------------------------------
    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self.base.embed_queries(texts)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        texts = list(texts)
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        out = self._static(texts)
        if self._map is not None:
            # row by row (a matrix-vector product each), so a text's vector does not depend on the
            # batch it came in (a matrix product's blocking changes the last bits with the batch size)
            w, bias = self._map[:-1], self._map[-1]
            out = _normalise(np.stack([row @ w + bias for row in out]))
            for i, t in enumerate(texts):
                v = self._full.get(t)
                if v is not None:
                    out[i] = v
        return out
