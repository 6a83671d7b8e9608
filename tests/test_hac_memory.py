"""HAC's peak memory: every linkage within 1.3x the condensed distance matrix (n (n - 1) / 2 float64).

Measured in a fresh Python process: its peak resident size (VmHWM, which starts afresh at exec; ru_maxrss
may carry the parent's peak, so a test could not fail) after consuming every step, minus its resident size
just before the run (the interpreter, numpy, the engine and the points). ALLOWANCE covers what is not the
matrix: the O(n) arrays of the run (linkage, dendrogram, labels, witnesses), the temporary blocks
(:data:`engine.hac.condensed.CHUNK`, a few MB) and the allocator's slack.
"""
import pathlib
import subprocess
import sys
import textwrap

import pytest

from engine.hac import memory

ROOT = str(pathlib.Path(__file__).resolve().parents[1])
N = 4000
CONDENSED = N * (N - 1) / 2 * 8
ALLOWANCE = 16e6  # bytes

CHILD = textwrap.dedent("""
    import sys
    sys.path.insert(0, {root!r})
    import numpy as np
    from engine import hac

    def status(key):
        return next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith(key)) * 1024

    rng = np.random.default_rng(0)
    X = rng.integers(0, 60, size=({n}, 2)).astype(float) if {grid} else rng.normal(size=({n}, 2))
    before = status("VmRSS:")
    k = 0
    for step in hac.steps(X, linkage={lk!r}):
        k += 1
    print(k, status("VmHWM:") - before)
""")


def peak_of(lk, grid=False):
    """``(steps, bytes)``: the steps of a run on N points and its peak above the resident size before it."""
    code = CHILD.format(root=ROOT, n=N, lk=lk, grid=grid)
    res = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert res.returncode == 0, res.stderr[-2000:]
    k, extra = res.stdout.split()
    return int(k), float(extra)


# min on a grid: exact ties in the spanning tree, so single linkage falls back on the condensed matrix
@pytest.mark.parametrize("lk,grid", [("max", False), ("avg", False), ("min", True), ("ward", False),
                                     ("centroid", False)])
def test_peak_within_1_3_times_the_condensed_matrix(lk, grid):
    k, extra = peak_of(lk, grid)
    assert k == N
    assert extra <= 1.3 * CONDENSED + ALLOWANCE, f"{extra / 1e6:.0f} MB above the start"
    # the guard's estimate covers the run
    assert extra <= memory.estimate(N, lk, d=2, matrix=grid) + ALLOWANCE


def test_estimate_is_the_condensed_matrix_not_the_square():
    n = 20000
    cond = n * (n - 1) / 2 * 8
    for lk in ("max", "avg"):
        assert cond <= memory.estimate(n, lk) <= 1.05 * cond  # 20,000 points fit in 2.1 GB
    assert memory.estimate(n, "min", matrix=True) <= 1.05 * cond
