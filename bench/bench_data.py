"""Timings of engine.data on MNIST-sized data, big CSVs, files refused while reading and a wide CSV; prints seconds and ratios to a reference (run: python bench/bench_data.py)."""
import json
import pathlib
import subprocess
import sys
import tempfile
import time
import zlib

import numpy as np

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parents[1]))
from engine import data  # noqa: E402


def best(f, repeat=3):
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        out.append(time.perf_counter() - t)
    return min(out)


_CHILD = """
import json, sys, time
import numpy as np
sys.path.insert(0, sys.argv[1])
from engine import data
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
path, how = sys.argv[2], sys.argv[3]
before, t = peak(), time.perf_counter()
if how == "load":
    X = data.load(path).X
else:
    X = np.loadtxt(path, delimiter=",", skiprows=1, usecols=eval(how))
print(json.dumps({"s": time.perf_counter() - t, "mb": peak() - before, "final": X.nbytes / 2 ** 20}))
"""


def child(path, how):
    """Seconds and peak-memory growth (MB, VmHWM of a fresh process) of ``data.load`` or ``numpy.loadtxt``."""
    root = str(pathlib.Path(__file__).resolve().parents[1])
    out = subprocess.run([sys.executable, "-c", _CHILD, root, str(path), how], capture_output=True, text=True,
                         check=True)
    return json.loads(out.stdout)


def big_csv(path, lines, d, label=False):
    rng = np.random.default_rng(0)
    rows = [",".join(repr(v) for v in r) for r in rng.normal(size=(10_000, d)).round(6).tolist()]
    if label:
        rows = [f"{r},{'abc'[i % 3]}" for i, r in enumerate(rows)]
    block = "\n".join(rows) + "\n"
    with open(path, "w") as f:
        f.write(",".join(f"x{j}" for j in range(d)) + (",label" if label else "") + "\n")
        for _ in range(lines // 10_000):
            f.write(block)


def bench_big_csv(folder):
    """Big text tables: data.load against numpy.loadtxt, time and peak memory (each in a fresh process)."""
    for lines, d, label in ((1_000_000, 3, False), (4_000_000, 3, False), (1_000_000, 2, True)):
        path = pathlib.Path(folder) / f"big-{lines}-{d}-{label}.csv"
        big_csv(path, lines, d, label)
        ours = child(path, "load")
        ref = child(path, repr(list(range(d))))
        what = f"CSV {lines:,} x {d}" + (" + text label" if label else "")
        print(f"{what}: load {ours['s']:.2f} s, peak +{ours['mb']:.0f} MB ({ours['mb'] / ours['final']:.1f}x the "
              f"{ours['final']:.0f} MB matrix); numpy.loadtxt {ref['s']:.2f} s, +{ref['mb']:.0f} MB "
              f"(time ratio {ours['s'] / ref['s']:.2f})")
        path.unlink()


_REFUSE = """
import json, sys, time
sys.path.insert(0, sys.argv[1])
from engine.data import DataError, load
def peak():
    return next(int(l.split()[1]) for l in open("/proc/self/status") if l.startswith("VmHWM:")) / 1024
before, t = peak(), time.perf_counter()
try:
    load(sys.argv[2])
    message = None
except DataError as exc:
    message = str(exc)
print(json.dumps({"s": time.perf_counter() - t, "mb": peak() - before, "message": message}))
"""


def _gzip_members(path, piece: bytes, count: int):
    """A gzip file of ``count`` members holding ``piece`` each (one member compressed once, written ``count`` times)."""
    c = zlib.compressobj(9, zlib.DEFLATED, 31)
    member = c.compress(piece) + c.flush()
    with open(path, "wb") as f:
        for _ in range(count):
            f.write(member)
    return path


def bench_refusals(folder):
    """Files the loaders refuse while reading (goal: within 2 s and 200 MB each), and a 20 x 50,000 CSV (goal:
    loaded within 2 s); each in a fresh process."""
    folder = pathlib.Path(folder)
    lines = folder / "ten-million-lines.csv"
    with open(lines, "wb") as f:
        for _ in range(10):
            f.write(b"1\n" * 1_000_000)
    cases = {"10,000,000 short lines": lines,
             "gzip of 100,000,000 lines (195 KB)": _gzip_members(folder / "many.csv.gz", b"1\n" * 1_000_000, 100),
             "gzip bomb, 640 MB of 2 MB lines": _gzip_members(
                 folder / "bomb.csv.gz", b",".join([b"0"] * 1_000_000) + b"\n", 320)}
    root = str(pathlib.Path(__file__).resolve().parents[1])
    for what, path in cases.items():
        out = json.loads(subprocess.run([sys.executable, "-c", _REFUSE, root, str(path)], capture_output=True,
                                        text=True, check=True).stdout)
        verdict = "refused" if out["message"] else "LOADED"
        print(f"{what}: {verdict} in {out['s']:.2f} s, peak +{out['mb']:.0f} MB (goal <= 2 s, 200 MB)")
        path.unlink()
    wide = folder / "wide.csv"
    X = np.random.default_rng(1).integers(0, 100, size=(20, 50_000))
    wide.write_text("\n".join(",".join(map(str, row)) for row in X.tolist()) + "\n")
    t = best(lambda: data.load(wide), repeat=3)
    t_ref = best(lambda: np.loadtxt(wide, delimiter=","), repeat=3)
    print(f"CSV 20 x 50,000: load {t:.2f} s (goal <= 2 s), numpy.loadtxt {t_ref:.2f} s (ratio {t / t_ref:.2f})")


def main():
    data.mnist_arrays.cache_clear()
    t_first = best(lambda: data.mnist(6000), repeat=1)
    t_cached = best(lambda: data.mnist(6000))
    print(f"mnist(6000): first call {t_first:.3f} s (decode), cached {t_cached:.3f} s")
    X = data.mnist(10000).X
    Xc = X - X.mean(0)
    t_pca = best(lambda: data.pca_2d(X))
    t_gemm = best(lambda: Xc.T @ Xc)
    t_svd = best(lambda: np.linalg.svd(Xc[:, :], full_matrices=False), repeat=1)
    print(f"pca_2d(10000 x 784): {t_pca:.3f} s; one X^T X product {t_gemm:.3f} s (ratio {t_pca / t_gemm:.2f}); "
          f"full SVD {t_svd:.3f} s (pca is {t_svd / t_pca:.1f}x faster)")
    t_std = best(lambda: data.standardize(X))
    print(f"standardize(10000 x 784): {t_std:.3f} s")
    with tempfile.TemporaryDirectory() as d:
        p = pathlib.Path(d) / "mnist.csv"
        sub = data.mnist(2000)
        t_save = best(lambda: data.save_csv(p, sub.X, labels=sub.labels), repeat=1)
        t_load = best(lambda: data.load(p), repeat=1)
        t_ref = best(lambda: np.loadtxt(p, delimiter=",", skiprows=1), repeat=1)
        print(f"CSV 2000 x 784 (+label): save {t_save:.2f} s, load {t_load:.2f} s, "
              f"numpy.loadtxt {t_ref:.2f} s (ratio {t_load / t_ref:.2f})")
        bench_big_csv(d)
        bench_refusals(d)
    t_idx = best(lambda: data.load(data.mnist_resource_dir() / data.MNIST_IMAGES), repeat=1)
    print(f"load(t10k-images-idx3-ubyte.gz) with labels: {t_idx:.3f} s")


if __name__ == "__main__":
    main()
