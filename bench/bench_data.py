"""Timings of engine.data on MNIST-sized data; prints seconds and ratios to a reference (run: python bench/bench_data.py)."""
import pathlib
import sys
import tempfile
import time

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
    t_idx = best(lambda: data.load(data.mnist_resource_dir() / data.MNIST_IMAGES), repeat=1)
    print(f"load(t10k-images-idx3-ubyte.gz) with labels: {t_idx:.3f} s")


if __name__ == "__main__":
    main()
