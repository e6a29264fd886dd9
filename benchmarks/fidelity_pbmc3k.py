"""Held-out fidelity of scgan (and optionally scVI) on pbmc3k: the acceptance test of the GAN.

2000 HVGs chosen on the training cells, 30% of cells held out (stratified by cell type), as many synthetic
cells per label as the held-out set has, scored by scgan.tl.evaluate against the held-out cells with the
training cells as real-vs-real reference: the classifier two-sample AUROC (overall and per label; ideal 0.5),
MMD and the per-cell KS statistics. The AUROC of fresh samples of the same generator shows how much it moves
with the sample alone. With --scvi, scVI (scgan.benchmark.scvi_samples: the label a categorical covariate,
scvi-tools' default epochs) is scored the same way.

    python benchmarks/fidelity_pbmc3k.py [--data ../shared/data/pbmc3k_labeled.h5ad] [--scvi] [--epochs N] \
        [--generation-seeds 3] [--set count_head=nb ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import pandas as pd

import scgan
from scgan import benchmark

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pbmc3k_labeled.h5ad"
KEY = "cell_type"
SCORES = ("auroc", "mmd", "library_size_ks", "zero_fraction_ks")


def scores(table: pd.DataFrame, column: str = "synthetic") -> dict:
    """The headline scores of a tl.evaluate table (overall) and the AUROC per label, from one column."""
    overall = table[table["label"] == "all"].set_index("metric")[column]
    per_label = table[(table["metric"] == "auroc") & (table["label"] != "all")].set_index("label")[column]
    return {**{name: float(overall[name]) for name in SCORES}, "per_label": per_label.to_dict()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="h5ad file of counts (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=None, help="max_epochs (default: scgan's default)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scvi", action="store_true", help="also score scVI posterior predictive samples")
    parser.add_argument(
        "--generation-seeds", type=int, default=3, help="synthetic samples drawn from the trained model and scored"
    )
    parser.add_argument("--set", nargs="*", default=[], help="model options, e.g. count_head=nb n_critic=5")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    settings = benchmark.parse_options(args.set)
    adata = benchmark.read_data(args.data)
    warnings.filterwarnings("ignore")

    train, test = benchmark.held_out_split(adata, key=KEY, random_state=args.seed)
    wanted = test.obs[KEY].astype(str).value_counts().to_dict()
    results = {"settings": settings, "epochs": args.epochs, "seed": args.seed}

    def evaluate(synthetic):
        # one seed for every evaluation: only the synthetic cells differ between them
        return scgan.tl.evaluate(test, synthetic, key=KEY, reference=train, random_state=args.seed)

    start = time.perf_counter()
    options = {"enable_progress_bar": False, **settings}
    model = scgan.tl.train(train, condition_key=KEY, max_epochs=args.epochs, random_state=args.seed, **options)
    results["train_seconds"] = time.perf_counter() - start
    results["epochs_trained"] = int(model.history["critic_loss"].shape[0])
    results["best_epoch"] = model.best_epoch
    if "validation_mmd" in model.history:
        results["validation_mmd"] = model.history["validation_mmd"].to_numpy(dtype=float).ravel().round(4).tolist()
    table = evaluate(scgan.tl.generate(model, wanted, random_state=args.seed))
    results["scgan"] = scores(table)
    results["real_vs_real"] = scores(table, "reference")
    print("real vs real", results["real_vs_real"], flush=True)
    # the same generator, fresh synthetic cells: how much the AUROC moves with the sample alone
    repeats = [results["scgan"]["auroc"]]
    for extra in range(1, args.generation_seeds):
        resample = scgan.tl.generate(model, wanted, random_state=args.seed + 1000 * extra)
        repeats.append(scores(evaluate(resample))["auroc"])
    results["scgan"]["auroc_generation_seeds"] = repeats
    print("scgan", results["scgan"], f"train {results['train_seconds']:.0f}s", flush=True)

    if args.scvi:
        start = time.perf_counter()
        samples = benchmark.scvi_samples(train, key=KEY, n_cells=wanted, random_state=args.seed)
        results["scvi_seconds"] = time.perf_counter() - start
        results["scvi"] = scores(evaluate(samples))
        print("scvi", results["scvi"], flush=True)

    if args.out:
        benchmark.write_json(args.out, results)


if __name__ == "__main__":
    main()
