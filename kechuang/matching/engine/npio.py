"""numpy file reads under one process-wide lock.

numpy parses every ``.npy`` header (also each array of an ``.npz``) with ``ast.literal_eval``.
CPython 3.11 keeps the AST constructor's recursion counter per interpreter, not per thread, so
two threads parsing at once can fail with "SystemError: AST constructor recursion depth
mismatch" (CPython gh-106905). CI hit it when threads loaded the same saved index at once — as
web threads and the task worker's threads do. Every read in the engine goes through here; the
lock is held only while a file is opened and its headers parsed (microseconds; the data of a
memory-mapped file is read later, outside it)."""

from __future__ import annotations

import os
import threading

import numpy as np

# reentrant: a finalizer run by the garbage collector inside a read may itself read a file
_LOCK = threading.RLock()


def load(path: str | os.PathLike, mmap_mode: str | None = None) -> np.ndarray:
    """One ``.npy`` array (memory-mapped with ``mmap_mode``); never unpickles."""
    with _LOCK:
        return np.load(path, mmap_mode=mmap_mode, allow_pickle=False)


def load_all(path: str | os.PathLike) -> dict[str, np.ndarray]:
    """Every array of an ``.npz`` file, read at once (numpy would parse each header lazily, on
    first access, outside any lock); never unpickles."""
    with _LOCK, np.load(path, allow_pickle=False) as z:
        return {name: z[name] for name in z.files}
