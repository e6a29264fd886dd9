"""Joint condition: cell type x stimulation on Kang et al. (IFN-beta), recovered from synthetic cells.

70% of the cells (stratified by cell type x condition) train a GAN conditioned on ["cell_type", "condition"];
the model is asked for cells with the conditions of the held-out 30%. scgan.tl.evaluate scores them against
the held-out cells, once per condition column, with the training cells as real-vs-real reference. Its label
faithfulness (``label_f1``: macro-F1 of a classifier fitted on held-out real cells predicting the requested
label) on synthetic cells should be within 0.05 of that on real training cells (``gap``, reference minus
synthetic). With --scvi, scVI (scgan.benchmark.scvi_samples: both columns categorical covariates, scvi-tools'
default epochs) is scored the same way.

    python benchmarks/joint_condition_kang.py [--data ../shared/data/kang_ifnb.h5ad] [--epochs N] [--seed S] \
        [--scvi] [--set OPTION=VALUE ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import scgan
from scgan import benchmark

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "kang_ifnb.h5ad"
KEYS = ["cell_type", "condition"]
SCORES = ("label_f1", "auroc", "mmd", "marker_jaccard")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="h5ad file of counts (default: %(default)s)")
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--scvi", action="store_true", help="also score scVI posterior predictive samples")
    parser.add_argument("--set", nargs="*", default=[], help="model options, e.g. count_head=nb")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    options = {"enable_progress_bar": False, **benchmark.parse_options(args.set)}
    adata = benchmark.read_data(args.data)
    warnings.filterwarnings("ignore")

    train, test = benchmark.held_out_split(adata, key=KEYS, n_top_genes=None, random_state=args.seed)
    wanted = test.obs[KEYS].reset_index(drop=True)
    start = time.perf_counter()
    model = scgan.tl.train(train, condition_key=KEYS, max_epochs=args.epochs, random_state=args.seed, **options)
    results = {"train_seconds": time.perf_counter() - start, "n_train": train.n_obs, "n_test": test.n_obs}
    generated = {"scgan": scgan.tl.generate(model, wanted, random_state=args.seed)}
    if args.scvi:
        start = time.perf_counter()
        generated["scvi"] = benchmark.scvi_samples(train, key=KEYS, n_cells=wanted, random_state=args.seed)
        results["scvi_seconds"] = time.perf_counter() - start

    for key in KEYS:
        results[key] = {}
        for name, synthetic in generated.items():
            table = scgan.tl.evaluate(test, synthetic, key=key, reference=train, random_state=args.seed)
            overall = table[table["label"] == "all"].set_index("metric")
            scores = {score: float(overall.loc[score, "synthetic"]) for score in SCORES}
            reference = {score: float(overall.loc[score, "reference"]) for score in SCORES}
            gap = reference["label_f1"] - scores["label_f1"]
            results[key][name] = {**scores, "real_vs_real": reference, "gap": gap}
            print(
                f"{key}, {name}: label macro-F1 {scores['label_f1']:.3f} (real {reference['label_f1']:.3f}, "
                f"gap {gap:.3f}; target <= 0.05), AUROC {scores['auroc']:.3f} (real {reference['auroc']:.3f})"
            )
    print(f"training {results['train_seconds']:.0f}s")
    if args.out:
        benchmark.write_json(args.out, results)


if __name__ == "__main__":
    main()
