"""Benchmark: engine.hac (steps consumed, and fit) against scipy's linkage(pdist(X)).

Usage: python bench/bench_hac.py [n=3000] [--big 10000 | --no-big]

Prints, for each linkage on n random 2-D points (ℓ2), the best of 5 interleaved times of
scipy (``linkage(pdist(X), method)``), of ``engine.hac.fit`` and of the full
step generator (every Step built), with ratios (target: steps / scipy <= 1.0).
Times are CPU times of this process (``time.process_time``): on a shared machine
they vary less than wall-clock times. Then runs 10,000 points in fresh
subprocesses and prints their peak resident size (VmHWM, which starts afresh at
exec; ``ru_maxrss`` may carry the parent's peak) and its ratio to the condensed
distance matrix, ``n (n - 1) / 2`` float64 (target: <= 1.3, the interpreter included).
"""
from __future__ import annotations

import pathlib
import subprocess
import sys
import time

import numpy as np

ROOT = pathlib.Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from engine import hac  # noqa: E402

REPEAT = 5
METHODS = {"min": "single", "max": "complete", "avg": "average", "centroid": "centroid", "ward": "ward"}


def best_of(fn, repeat=3):
    best = np.inf
    for _ in range(repeat):
        t0 = time.process_time()
        fn()
        best = min(best, time.process_time() - t0)
    return best


def consume(X, lk):
    last = None
    for last in hac.steps(X, norm="l2", linkage=lk):
        pass
    return last


def timing_table(n):
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    X = np.random.default_rng(0).normal(size=(n, 2))
    print(f"{n} points, 2-D, l2; best of {REPEAT} (ms)")
    print(f"{'linkage':9s} {'scipy':>8s} {'fit':>8s} {'steps':>8s} {'fit/sc':>7s} {'steps/sc':>9s}")
    worst = 0.0
    for lk, meth in METHODS.items():
        ts, tf, tg = np.inf, np.inf, np.inf
        for _ in range(REPEAT):  # interleave, so machine load hits all three alike
            ts = min(ts, best_of(lambda: linkage(pdist(X), meth), 1))
            tf = min(tf, best_of(lambda: hac.fit(X, linkage=lk), 1))
            tg = min(tg, best_of(lambda: consume(X, lk), 1))
        worst = max(worst, tg / ts)
        print(f"{lk:9s} {ts * 1e3:8.1f} {tf * 1e3:8.1f} {tg * 1e3:8.1f} {tf / ts:7.2f} {tg / ts:9.2f}")
    print(f"worst steps/scipy ratio: {worst:.2f} (target <= 1.0)")


CHILD = """
import sys, time
sys.path.insert(0, {root!r})
import numpy as np
from engine import hac
X = np.random.default_rng(1).normal(size=({n}, 2))
t0 = time.perf_counter()
k = 0
for s in hac.steps(X, linkage={lk!r}):
    k += 1
dt = time.perf_counter() - t0
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM:"))
print(k, dt, hwm / 1024)
"""


def memory_table(n):
    print(f"\n{n} points, all steps consumed, one subprocess each")
    cond = n * (n - 1) / 2 * 8 / 1e6
    print(f"{'linkage':9s} {'steps':>7s} {'time s':>8s} {'peak MB':>8s} {'/ condensed':>12s} ({cond:.0f} MB)")
    for lk in METHODS:
        code = CHILD.format(root=str(ROOT), n=n, lk=lk)
        res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=1800)
        if res.returncode:
            print(lk, "FAILED", res.stderr[-500:])
            continue
        k, dt, mb = res.stdout.split()
        mb = float(mb) * 1.024 * 1.024  # kB / 1024 -> MB
        print(f"{lk:9s} {int(k):7d} {float(dt):8.2f} {mb:8.0f} {mb / cond:12.2f}")


if __name__ == "__main__":
    args = sys.argv[1:]
    big = 10000
    if "--no-big" in args:
        args.remove("--no-big")
        big = 0
    if "--big" in args:
        i = args.index("--big")
        big = int(args[i + 1])
        del args[i:i + 2]
    timing_table(int(args[0]) if args else 3000)
    if big:
        memory_table(big)
