"""``clusterlab render`` against the same computation done directly through the engine (run: python bench/bench_render.py).

Both are fresh processes (interpreter start-up and imports count), several rounds, alternating:

* ``render``: ``python main.py render example:ex4-mnist-kmeans --out DIR`` (offscreen), wall time;
* ``engine``: a child that only computes what that render shows, with the engine and no Qt:
  the session's data (6,000 MNIST digits), the sweep K = 5, 10, 20 x 3 restarts
  (``engine.kmeans.sweep`` with the options the window uses: float32 on data this large),
  the run to the session's step (``engine.session.run``), the 2-D view
  (``engine.data.pca_2d``) and the Scores figure's silhouettes of the drawn step (on the sample of points
  render uses, ``engine.scores.sample_rows``); it also prints the seconds of each part.

Prints the medians and their ratio (goal: at most 1.3). The machine may be shared: the
minimum over the rounds is printed too, and both commands are timed in the same run so the
load falls on both.

Options: ``--rounds N`` (default 3), ``--session NAME`` (default ex4-mnist-kmeans), ``--python PATH``,
``--blas-threads N`` (OPENBLAS/OMP/MKL_NUM_THREADS of both children; on a loaded machine 1 makes the
figures steadier, since OpenBLAS threads that wait for a busy core spin).
"""
from __future__ import annotations

import argparse
import json
import os
import pathlib
import resource
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = pathlib.Path(__file__).resolve().parents[1]

ENGINE = r"""
import json, sys, time
t0 = time.perf_counter()
import numpy as np
from engine import data as edata, kmeans as ekm, scores as escores, session as es
parts = {}
t = time.perf_counter()
session = es.load_session(es.find_session(sys.argv[1]))
ds = es.make_dataset(session)
X, kwargs = es.run_input(session, ds)
parts["data"] = time.perf_counter() - t
t = time.perf_counter()
sweep = session.extra.get("sweep")
if sweep is not None:
    options = {k: kwargs[k] for k in ("variant", "init", "max_iter", "metric") if k in kwargs}
    if options.get("variant", "means") == "means" and X.size >= 1_000_000:  # as the window does
        options["dtype"] = "float32"
    ekm.sweep(X, sweep["ks"], sweep["restarts"], seed=sweep["seed"], **options)
parts["sweep"] = time.perf_counter() - t
t = time.perf_counter()
steps = es.run(session, ds, until=None if session.step == "last" else int(session.step))
parts["run"] = time.perf_counter() - t
t = time.perf_counter()
edata.pca_2d(ds.X)
parts["pca"] = time.perf_counter() - t
t = time.perf_counter()
labels = steps[-1].labels
if labels is not None:  # the Scores figure and result.json: silhouettes of the drawn step (on render's sample)
    metric = escores.run_metric(session.params)
    rows = escores.sample_rows(X.shape[0], X.shape[1], metric)
    escores.silhouette_samples(np.asarray(X, dtype=float), labels, metric, rows=rows)
parts["scores"] = time.perf_counter() - t
parts["in-process"] = time.perf_counter() - t0
print(json.dumps(parts))
"""


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


ENV: dict[str, str] = {}


def _run(args: list[str], env=None) -> tuple[float, float, str]:
    """Wall and CPU seconds (user + system, every thread of the child) of one command, and its output."""
    env = dict(os.environ if env is None else env, **ENV)
    if not env.get("PYTHONDONTWRITEBYTECODE"):
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    cpu, t = _cpu(), time.perf_counter()
    proc = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    wall, cpu = time.perf_counter() - t, _cpu() - cpu
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(args[:3])}... failed ({proc.returncode}):\n{proc.stderr}")
    return wall, cpu, proc.stdout


def _render(python: str, session: str, out: str) -> tuple[float, float]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    wall, cpu, _ = _run([python, str(ROOT / "main.py"), "render", f"example:{session}", "--out", out], env)
    return wall, cpu


def _engine(python: str, session: str) -> tuple[float, float, dict]:
    wall, cpu, out = _run([python, "-c", ENGINE, f"example:{session}"])
    return wall, cpu, json.loads(out.strip().splitlines()[-1])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--session", default="ex4-mnist-kmeans")
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--blas-threads", type=int, default=None)
    a = parser.parse_args(argv)
    if a.blas_threads is not None:
        ENV.update({k: str(a.blas_threads) for k in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS")})
        print(f"BLAS threads: {a.blas_threads}")
    times: dict[str, list[float]] = {"render": [], "engine": []}
    cpus: dict[str, list[float]] = {"render": [], "engine": []}
    parts: list[dict] = []
    with tempfile.TemporaryDirectory(prefix="bench-render-") as folder:
        # .pyc files as every install has them (this machine may set PYTHONDONTWRITEBYTECODE): one cache folder
        ENV.update(PYTHONPYCACHEPREFIX=str(pathlib.Path(folder) / "pycache"), PYTHONDONTWRITEBYTECODE="")
        _engine(a.python, a.session)  # warm-up: disk cache, .pyc files, the MNIST cache
        _render(a.python, a.session, str(pathlib.Path(folder) / "warm"))
        for r in range(a.rounds):
            order = ["render", "engine"] if r % 2 == 0 else ["engine", "render"]
            for name in order:
                if name == "render":
                    wall, cpu = _render(a.python, a.session, str(pathlib.Path(folder) / f"r{r}"))
                else:
                    wall, cpu, p = _engine(a.python, a.session)
                    parts.append(p)
                times[name].append(wall)
                cpus[name].append(cpu)
            print(f"round {r + 1}: render {times['render'][-1]:.2f} s (cpu {cpus['render'][-1]:.2f}), "
                  f"engine {times['engine'][-1]:.2f} s (cpu {cpus['engine'][-1]:.2f}); "
                  f"load average {os.getloadavg()[0]:.1f}", flush=True)
    med = {k: statistics.median(v) for k, v in times.items()}
    cmed = {k: statistics.median(v) for k, v in cpus.items()}
    for k, v in times.items():
        print(f"{k:6s} median {med[k]:.2f} s   (min {min(v):.2f}, max {max(v):.2f}, {len(v)} rounds; "
              f"cpu median {cmed[k]:.2f} s)")
    keys = list(parts[0]) if parts else []
    print("engine parts (median s): " + ", ".join(f"{k} {statistics.median(p[k] for p in parts):.2f}" for k in keys))
    print(f"ratio render / engine: wall {med['render'] / med['engine']:.2f} "
          f"(min/min {min(times['render']) / min(times['engine']):.2f}), cpu {cmed['render'] / cmed['engine']:.2f}; "
          "goal <= 1.3 (wall)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
