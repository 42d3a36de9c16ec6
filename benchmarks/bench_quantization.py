"""Throughput of ``hp.quantization.cast`` against ``ml_dtypes`` casts, in one process.

The reference is the round trip a user would write with ml_dtypes,
``x.astype(ml_dtypes.float8_e4m3fn).astype(np.float32)`` (C++ casts). Our cast is plain
vectorised numpy on the float32 bit pattern. The script first checks both agree bit for bit
on the benchmark input, then prints the throughput of each and the ratio
ours / ml_dtypes (goal: >= 0.3x while bit-exact). Usage::

    .venv/bin/python benchmarks/bench_quantization.py            # 4M values, 5 repeats
    .venv/bin/python benchmarks/bench_quantization.py --n 1000000
"""

from __future__ import annotations

import argparse
import time

import ml_dtypes
import numpy as np

from helpers import quantization as Q

REFERENCE = {
    "e2m1": ml_dtypes.float4_e2m1fn,
    "e2m3": ml_dtypes.float6_e2m3fn,
    "e3m2": ml_dtypes.float6_e3m2fn,
    "e4m3fn": ml_dtypes.float8_e4m3fn,
    "e5m2": ml_dtypes.float8_e5m2,
}


def best_time(fn, repeats: int) -> float:
    """Best wall time of ``repeats`` calls (seconds)."""
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=4_000_000, help="values per cast")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    print(f"{'format':8s} {'ml_dtypes Mval/s':>17s} {'ours Mval/s':>12s} {'ratio':>7s}  bit-exact")
    for name, dtype in REFERENCE.items():
        f = Q.get_format(name)
        scale = np.exp2(rng.uniform(f.emin - f.man_bits - 2, f.emax + 2, args.n))
        x = (rng.standard_normal(args.n) * scale).astype(np.float32)
        ref = x.astype(dtype).astype(np.float32)
        ours = Q.cast(x, name)
        exact = bool(
            np.all((ref.view(np.uint32) == ours.view(np.uint32)) | (np.isnan(ref) & np.isnan(ours)))
        )
        t_ref = best_time(lambda x=x, dtype=dtype: x.astype(dtype).astype(np.float32), args.repeats)
        t_ours = best_time(lambda x=x, name=name: Q.cast(x, name), args.repeats)
        print(
            f"{name:8s} {args.n / t_ref / 1e6:17.1f} {args.n / t_ours / 1e6:12.1f} "
            f"{t_ref / t_ours:6.2f}x  {exact}"
        )


if __name__ == "__main__":
    main()
