"""Speed and memory of scgan next to scvi-tools' SCVI on the same data, in one run.

Each method runs in its own process, so peak memory (max RSS) is its own:
training wall time (each at its default number of epochs and at a fixed 50 epochs), generation throughput
(cells/s, median of three timed calls after a warm-up call of the same size: scgan's generate vs SCVI's
posterior predictive sampling) and peak memory, with scgan/scVI ratios. SCVI is the baseline of
scgan.benchmark.train_scvi / sample_scvi: the cell type a categorical covariate.

    python benchmarks/speed.py [--data ../shared/data/pbmc3k_labeled.h5ad] [--n-cells 10000] [--out speed.json]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import resource
import time
import warnings
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pbmc3k_labeled.h5ad"


REPEATS = 3  # generation is timed this many times after a warm-up; the median counts


def _load(path: Path):
    import scgan
    from scgan import benchmark

    adata = benchmark.read_data(path)
    scgan.pp.prepare(adata, n_top_genes=2000)
    return adata


def _run(method: str, path: str, n_cells: int, epochs: int | None, queue: mp.Queue) -> None:
    warnings.filterwarnings("ignore")
    import numpy as np

    adata = _load(Path(path))
    out = {"method": method, "n_train_cells": adata.n_obs, "n_genes": adata.n_vars}
    start = time.perf_counter()
    if method == "scgan":
        import scgan

        model = scgan.tl.train(
            adata, condition_key="cell_type", max_epochs=epochs, early_stopping=False, enable_progress_bar=False
        )
        out["train_seconds"] = time.perf_counter() - start
        out["epochs"] = len(model.history["critic_loss"])

        def sample(seed):
            scgan.tl.generate(model, n_cells, random_state=seed)
    else:
        from scgan import benchmark

        model = benchmark.train_scvi(adata, key="cell_type", max_epochs=epochs)
        out["train_seconds"] = time.perf_counter() - start
        out["epochs"] = len(model.history["elbo_train"])

        def sample(seed):
            benchmark.sample_scvi(model, n_cells, random_state=seed)

    start = time.perf_counter()
    sample(0)  # warm-up at full size: the first call pays for allocating its buffers
    out["generate_first_call_seconds"] = time.perf_counter() - start
    seconds = []
    for seed in range(1, REPEATS + 1):
        start = time.perf_counter()
        sample(seed)
        seconds.append(time.perf_counter() - start)
    out["generate_seconds"] = seconds
    out["generate_cells_per_second"] = n_cells / float(np.median(seconds))
    out["peak_memory_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    queue.put(out)


def measure(method: str, path: Path, n_cells: int, epochs: int | None) -> dict:
    """Run one method in a fresh process and return its measurements."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=_run, args=(method, str(path), n_cells, epochs, queue))
    process.start()
    result = queue.get()
    process.join()
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--n-cells", type=int, default=10_000, help="cells generated for the throughput")
    parser.add_argument("--epochs", type=int, default=None, help="same epochs for both (default: each its own)")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    from scgan import benchmark

    benchmark.check_data_file(args.data)
    rows = [measure(method, args.data, args.n_cells, args.epochs) for method in ("scgan", "scvi")]
    scgan_row, scvi_row = rows
    ratios = {
        "train_seconds (scgan / scvi)": scgan_row["train_seconds"] / scvi_row["train_seconds"],
        "generate_cells_per_second (scgan / scvi)": scgan_row["generate_cells_per_second"]
        / scvi_row["generate_cells_per_second"],
        "peak_memory_mb (scgan / scvi)": scgan_row["peak_memory_mb"] / scvi_row["peak_memory_mb"],
    }
    report = {"rows": rows, "ratios": ratios}
    print(json.dumps(report, indent=1))
    if args.out:
        benchmark.write_json(args.out, report)


if __name__ == "__main__":
    main()
