"""``kechuang select --npz FILE``: choose pairs under capacities and write them as JSON."""

from __future__ import annotations

import argparse
import sys
import zipfile

EXIT_BAD_INPUT = 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--npz", required=True, help="file with similarity_matrix and mask_matrix")
    parser.add_argument("--demand", type=int, required=True, help="K: pairs per column (exactly)")
    parser.add_argument("--capacity", type=int, required=True, help="L: pairs per row (at most)")
    parser.add_argument("--out", required=True, help="output JSON file")
    parser.add_argument("--no-bound", action="store_true", help="skip the HiGHS LP bound")


def _load(path: str):
    import numpy as np

    try:
        data = np.load(path, allow_pickle=False)
    except FileNotFoundError:
        raise ValueError(f"file not found: {path}") from None
    except (OSError, ValueError, zipfile.BadZipFile) as exc:
        raise ValueError(f"{path}: not a readable .npz file ({exc})") from None
    if not hasattr(data, "files"):
        raise ValueError(f"{path}: expected an .npz archive, found a single array")
    if "similarity_matrix" not in data.files:
        raise ValueError(
            f"{path}: missing array 'similarity_matrix' (has: {', '.join(data.files) or 'nothing'})"
        )
    sim = data["similarity_matrix"]
    mask = data["mask_matrix"] if "mask_matrix" in data.files else None
    if sim.ndim != 2 or sim.dtype.kind not in "fiu":
        raise ValueError(
            f"{path}: 'similarity_matrix' must be a 2-D numeric array, got {sim.dtype} {sim.shape}"
        )
    if mask is not None and mask.shape != sim.shape:
        raise ValueError(
            f"{path}: 'mask_matrix' shape {mask.shape} differs from 'similarity_matrix' {sim.shape}"
        )
    if mask is not None and not np.isin(mask, (0, 1)).all():
        raise ValueError(f"{path}: 'mask_matrix' must contain only 0 (allowed) and 1 (forbidden)")
    if not np.isfinite(sim).all():
        raise ValueError(f"{path}: 'similarity_matrix' contains NaN or infinite values")
    return sim, mask


def run(args: argparse.Namespace) -> int:
    if args.demand < 0 or args.capacity < 0:
        print("error: --demand and --capacity must be non-negative", file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        sim, mask = _load(args.npz)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    from ._io import write_json_atomic
    from .selection import select_pairs

    res = select_pairs(sim, mask, args.demand, args.capacity, with_bound=not args.no_bound)
    try:
        write_json_atomic(args.out, res.to_json())
    except OSError as exc:
        print(f"error: cannot write {args.out}: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    msg = f" — {res.message}" if res.message else ""
    print(
        f"{res.status}: {len(res.pairs)} pairs, total={res.total:.4f}, bound={res.bound}, {res.seconds:.2f}s{msg}"
    )
    return 0
