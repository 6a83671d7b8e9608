"""Benchmark: engine.hac (steps consumed, and fit) against scipy's linkage(pdist(X)).

Usage: python bench/bench_hac.py [n=3000] [--big 10000 | --no-big] [--no-groups] [--repeat 9]

Prints, for each linkage on n random 2-D points (ℓ2), the best of 9 interleaved times of
scipy (``linkage(pdist(X), method)``), of ``engine.hac.fit`` and of the full
step generator (every Step built), with ratios (target: steps / scipy <= 1.0), and the median over the
rounds of each round's steps / scipy (on a loaded machine the best-of ratio swings by +-0.1 run to run).
Times are CPU times of this process (``time.process_time``): on a shared machine
they vary less than wall-clock times. Then runs 10,000 points in fresh
subprocesses and prints their peak resident size (VmHWM, which starts afresh at
exec; ``ru_maxrss`` may carry the parent's peak) and its ratio to the condensed
distance matrix, ``n (n - 1) / 2`` float64 (target: <= 1.3, the interpreter included).

Then HAC from a starting partition, where the first step holds every merge of the groups (computed from
G x G cluster distances in blocks, never the n x n matrix): MNIST 6000 from its 10 digit groups (goal:
within 3 s) and 15,000 uniform points in one group (nothing to merge; goal: within 1 s), wall-clock seconds
to the first step (the time a user waits), best of 3, and their ratio to the goal (target <= 1.0).
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
from timing import best_of as wall_best_of  # noqa: E402  (this folder is on the path)

REPEAT = 9
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


def timing_table(n, repeat=REPEAT):
    from scipy.cluster.hierarchy import linkage
    from scipy.spatial.distance import pdist

    X = np.random.default_rng(0).normal(size=(n, 2))
    print(f"{n} points, 2-D, l2; best of {repeat} (ms); 'median' is the median over the rounds of each round's "
          "steps / scipy")
    print(f"{'linkage':9s} {'scipy':>8s} {'fit':>8s} {'steps':>8s} {'fit/sc':>7s} {'steps/sc':>9s} {'median':>7s}")
    worst = 0.0
    for lk, meth in METHODS.items():
        ts, tf, tg, rounds = np.inf, np.inf, np.inf, []
        for _ in range(repeat):  # interleave, so machine load hits all three alike
            s = best_of(lambda: linkage(pdist(X), meth), 1)
            tf = min(tf, best_of(lambda: hac.fit(X, linkage=lk), 1))
            g = best_of(lambda: consume(X, lk), 1)
            ts, tg = min(ts, s), min(tg, g)
            rounds.append(g / s)
        worst = max(worst, tg / ts)
        print(f"{lk:9s} {ts * 1e3:8.1f} {tf * 1e3:8.1f} {tg * 1e3:8.1f} {tf / ts:7.2f} {tg / ts:9.2f} "
              f"{np.median(rounds):7.2f}")
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


def first_step(X, lk, clusters):
    return next(iter(hac.steps(X, linkage=lk, clusters=clusters)))


def groups_table():
    """Seconds to the first step of runs from a starting partition, against their goals."""
    from engine.data import mnist

    ds = mnist(6000)
    print("\nfrom a starting partition: seconds to the first step (every merge of the groups), best of 3")
    print(f"{'data':34s} {'linkage':9s} {'seconds':>8s} {'goal':>6s} {'/ goal':>7s}")
    U = np.random.default_rng(0).random((15000, 2))
    rows = [("MNIST 6000, 10 digit groups", ds.X, ds.labels, lk, 3.0) for lk in METHODS]
    rows.append(("15,000 uniform points, one group", U, np.zeros(15000, dtype=int), "max", 1.0))
    for name, X, clusters, lk, goal in rows:
        (t, step), = wall_best_of(lambda: first_step(X, lk, clusters), repeats=3)
        assert step.kind == "start"
        print(f"{name:34s} {lk:9s} {t:8.2f} {goal:6.1f} {t / goal:7.2f}")


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
    groups = "--no-groups" not in args
    if not groups:
        args.remove("--no-groups")
    repeat = REPEAT
    if "--repeat" in args:
        i = args.index("--repeat")
        repeat = int(args[i + 1])
        del args[i:i + 2]
    timing_table(int(args[0]) if args else 3000, repeat)
    if big:
        memory_table(big)
    if groups:
        groups_table()
