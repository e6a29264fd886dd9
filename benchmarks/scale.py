"""Scale: training and generation speed and peak memory of scgan and scVI from 10k to 1M cells, in memory and backed.

Simulated counts (2,000 genes, 12 cell types from 20% down to 0.5% of the cells, about 90% zeros) are written to
disk in blocks of 10,000 cells, so the benchmark itself never holds a large matrix. Every measurement runs in a
fresh process, so its peak memory (the process's maximum resident set) is its own: the data read in memory or
opened backed (``anndata.read_h5ad(path, backed='r')``), the model set up and trained for `--steps` minibatches
of 128 cells (training throughput), a default training's length (its step budget at that throughput, plus the
measured set-up), and 20,000 generated cells (generation throughput). scVI (scvi-tools' SCVI, the cell type as a
categorical covariate) is measured the same way on the same file; its default length is scvi-tools' default
epochs at its throughput. `--default` trains scgan with its defaults instead of `--steps` and times the whole
run.

    python benchmarks/scale.py --cells 10000 100000 1000000 --modes memory backed --out benchmarks/results/scale.json
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

N_GENES = 2000
BATCH_SIZE = 128
BLOCK_CELLS = 10_000
N_GENERATED = 20_000
TYPE_SHARES = np.array([20, 16, 14, 12, 10, 8, 6, 5, 4, 3, 1.5, 0.5]) / 100


def write_counts(path: Path, n_cells: int, *, n_genes: int = N_GENES, random_state: int = 0) -> None:
    """Negative binomial counts of `n_cells` cells written block by block to an h5ad file."""
    import anndata as ad
    import h5py
    import pandas as pd
    import scipy.sparse as sp

    rng = np.random.default_rng(random_state)
    n_types = len(TYPE_SHARES)
    # per-type expression: a shared log-normal profile with type-specific markers, ~90% zeros at ~1,500 counts
    base = rng.lognormal(-1.0, 1.6, n_genes)
    profiles = np.tile(base, (n_types, 1))
    for t in range(n_types):
        profiles[t, rng.choice(n_genes, 40, replace=False)] *= rng.uniform(4, 12, 40)
    profiles /= profiles.sum(1, keepdims=True)
    labels = rng.choice(n_types, size=n_cells, p=TYPE_SHARES / TYPE_SHARES.sum())
    partial = path.with_suffix(".partial")
    with h5py.File(partial, "w") as file:
        # chunks of 65,536 values, not the one-value chunks that appending to an empty matrix would get
        ad.io.write_elem(file, "X", sp.csr_matrix((0, n_genes), dtype=np.int32), dataset_kwargs={"chunks": (2**16,)})
        matrix = ad.io.sparse_dataset(file["X"])
        for start in range(0, n_cells, BLOCK_CELLS):
            block_labels = labels[start : start + BLOCK_CELLS]
            library = rng.lognormal(np.log(1500), 0.4, block_labels.size)
            mean = profiles[block_labels] * library[:, None]
            rate = rng.gamma(2.0, mean / 2.0)  # NB with dispersion 2
            matrix.append(sp.csr_matrix(rng.poisson(rate).astype(np.int32)))
        obs = pd.DataFrame(
            {"cell_type": pd.Categorical([f"type_{t}" for t in labels])}, index=[f"cell_{i}" for i in range(n_cells)]
        )
        var = pd.DataFrame(index=[f"gene_{g}" for g in range(n_genes)])
        for key, value in {"obs": obs, "var": var, "uns": {}, "obsm": {}, "varm": {}, "layers": {}}.items():
            ad.io.write_elem(file, key, value)
        file.attrs.update({"encoding-type": "anndata", "encoding-version": "0.1.0"})
    partial.replace(path)


def peak_rss_gb() -> float:
    """The maximum resident set of this process so far, in GB (Linux reports kilobytes)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def measure_scgan(adata, *, steps: int | None) -> dict:
    import lightning.pytorch as pl

    import scgan

    timer = pl.callbacks.Timer()
    start = time.perf_counter()
    # a short run checks the generator as often as a default one does (every 250 steps), not 40 times
    options = {} if steps is None else {"max_steps": steps, "validation_interval": 250}
    model = scgan.tl.train(adata, condition_key="cell_type", enable_progress_bar=False, callbacks=[timer], **options)
    total = time.perf_counter() - start
    loop = timer.time_elapsed("train")
    out = {"setup_seconds": total - loop, "train_seconds": total, "loop_seconds": loop}
    if steps is not None:
        out["train_cells_per_second"] = steps * BATCH_SIZE / loop
        out["default_train_seconds"] = out["setup_seconds"] + 10_000 * BATCH_SIZE / out["train_cells_per_second"]
    else:
        out["default_train_seconds"] = total
    start = time.perf_counter()
    synthetic = scgan.tl.generate(model, N_GENERATED, random_state=0)
    out["generate_cells_per_second"] = synthetic.n_obs / (time.perf_counter() - start)
    return out


def measure_scvi(adata, *, steps: int) -> dict:
    import lightning.pytorch as pl
    import scvi

    timer = pl.callbacks.Timer()
    start = time.perf_counter()
    scvi.model.SCVI.setup_anndata(adata, categorical_covariate_keys=["cell_type"])
    model = scvi.model.SCVI(adata)
    model.train(max_steps=steps, train_size=1.0, enable_progress_bar=False, callbacks=[timer], batch_size=BATCH_SIZE)
    total = time.perf_counter() - start
    loop = timer.time_elapsed("train")
    rate = steps * BATCH_SIZE / loop
    # scvi-tools' default: 400 epochs, fewer above 20,000 cells (400 x 20,000 / n_cells, at least 1)
    default_epochs = max(1, min(400, round(20_000 / adata.n_obs * 400)))
    start = time.perf_counter()
    model.posterior_predictive_sample(indices=np.arange(min(N_GENERATED, adata.n_obs)), n_samples=1)
    return {
        "setup_seconds": total - loop,
        "train_cells_per_second": rate,
        "default_epochs": default_epochs,
        "default_train_seconds": total - loop + default_epochs * adata.n_obs / rate,
        "generate_cells_per_second": min(N_GENERATED, adata.n_obs) / (time.perf_counter() - start),
    }


def child(args) -> None:
    """One measurement in this process: print its results as one JSON line."""
    import warnings

    import anndata as ad

    warnings.filterwarnings("ignore")
    start = time.perf_counter()
    adata = ad.read_h5ad(args.file, backed="r" if args.mode == "backed" else None)
    read_seconds = time.perf_counter() - start
    if args.method == "scgan":
        result = measure_scgan(adata, steps=None if args.default else args.steps)
    else:
        result = measure_scvi(adata, steps=args.steps)
    print(json.dumps({"read_seconds": read_seconds, **result, "peak_rss_gb": peak_rss_gb()}), flush=True)


def run_child(file: Path, method: str, mode: str, steps: int, default: bool) -> dict:
    command = [sys.executable, __file__, "--child", str(file), method, mode, "--steps", str(steps)]
    command += ["--default"] if default else []
    run = subprocess.run(command, capture_output=True, text=True)
    if run.returncode != 0:
        return {"error": run.stderr.strip().splitlines()[-1] if run.stderr.strip() else f"exit {run.returncode}"}
    return json.loads(run.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cells", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--modes", nargs="+", default=["memory", "backed"], choices=["memory", "backed"])
    parser.add_argument("--methods", nargs="+", default=["scgan", "scvi"], choices=["scgan", "scvi"])
    parser.add_argument("--steps", type=int, default=300, help="minibatches timed per training (default 300)")
    parser.add_argument("--default", action="store_true", help="train scgan with its defaults (whole length)")
    parser.add_argument("--workdir", type=Path, default=Path("scale_data"), help="where the simulated files go")
    parser.add_argument("--out", type=Path, help="JSON file of the results (appended to if it exists)")
    parser.add_argument("--child", nargs=3, metavar=("FILE", "METHOD", "MODE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.file, args.method, args.mode = args.child
        child(args)
        return
    results = json.loads(args.out.read_text()) if args.out and args.out.exists() else []
    args.workdir.mkdir(parents=True, exist_ok=True)
    for n_cells in args.cells:
        file = args.workdir / f"simulated_{n_cells}.h5ad"
        if not file.exists():
            start = time.perf_counter()
            write_counts(file, n_cells)
            print(f"wrote {file} in {time.perf_counter() - start:.0f} s", flush=True)
        for mode in args.modes:
            for method in args.methods:
                default = args.default and method == "scgan"
                result = run_child(file, method, mode, args.steps, default)
                row = {"n_cells": n_cells, "mode": mode, "method": method, "default_run": default, **result}
                results.append(row)
                print(json.dumps(row), flush=True)
                if args.out:
                    args.out.write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
