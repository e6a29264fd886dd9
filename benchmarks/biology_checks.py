"""What a biologist checks before trusting synthetic cells, on real data: scgan, scVI and real vs real.

70% of the cells (stratified by the condition columns) train scgan and scVI (scgan.benchmark.scvi_samples: the
condition columns as categorical covariates, scvi-tools' default epochs, posterior predictive samples of training
cells of the requested conditions); each is asked for cells with the conditions of the held-out 30%.
scgan.tl.evaluate compares them with the held-out cells, with the training cells as `reference`, so every number
has its real-vs-real value (other real cells of the same composition) next to it:

- differential expression recovery (scanpy's Wilcoxon test): on Kang et al. stim vs ctrl within each cell type
  (``contrast_key="condition"``), on pbmc3k each cell type vs the rest: correlation of log2 fold changes, overlap
  of the top 50 genes, sign agreement of the significant genes;
- precision, recall, density and coverage (k-NN balls, k = 5) per cell type, in evaluate's PCA space;
- memorisation: distance to the nearest training cell against that of held-out cells;
- gene programs: agreement of gene-gene correlations of the top 100 highly variable genes.

    python benchmarks/biology_checks.py --dataset kang|pbmc3k [--data PATH] [--epochs N] [--seed S] [--no-scvi] \
        [--set OPTION=VALUE ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import scgan
from scgan import benchmark

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
DATASETS = {
    # file, condition columns of the model, the label column of the evaluation, its contrast column, genes kept
    "kang": {"file": "kang_ifnb.h5ad", "keys": ["cell_type", "condition"], "contrast_key": "condition", "genes": None},
    "pbmc3k": {"file": "pbmc3k_labeled.h5ad", "keys": ["cell_type"], "contrast_key": None, "genes": 2000},
}
KEY = "cell_type"
DE = ("de_lfc_pearson", "de_lfc_spearman", "de_top_overlap", "de_sign_agreement")
COVERAGE = ("precision", "recall", "density", "coverage")
MEMORISATION = ("memorisation_ratio", "memorisation_fraction")
CONTEXT = ("auroc", "label_f1", "program_corr")


def by_label(table, metrics) -> dict:
    """metric -> label -> value, for one column of the evaluation table."""
    rows = table[table["metric"].isin(metrics)]
    return {metric: dict(zip(part["label"], part["value"], strict=True)) for metric, part in rows.groupby("metric")}


def summary(table, column: str) -> dict:
    """The numbers of one side of an evaluation: `column` is 'synthetic' or 'reference'."""
    table = table.rename(columns={column: "value"})
    return {
        "de": by_label(table, DE),
        "coverage": by_label(table, COVERAGE),
        "memorisation": by_label(table, MEMORISATION),
        "context": by_label(table, CONTEXT),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="kang", help="(default: %(default)s)")
    parser.add_argument("--data", type=Path, default=None, help="h5ad file of counts (default: ../shared/data/...)")
    parser.add_argument("--epochs", type=int, default=None, help="scgan's max_epochs (default: its own)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-scvi", action="store_true", help="leave out the scVI baseline")
    parser.add_argument("--set", nargs="*", default=[], help="scgan model options, e.g. count_head=nb")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    setup = DATASETS[args.dataset]
    options = {"enable_progress_bar": False, **benchmark.parse_options(args.set)}
    adata = benchmark.read_data(args.data or DATA / setup["file"])
    warnings.filterwarnings("ignore")
    keys = setup["keys"]

    train, test = benchmark.held_out_split(adata, key=keys, n_top_genes=setup["genes"], random_state=args.seed)
    wanted = test.obs[keys].reset_index(drop=True)
    print(
        f"{args.dataset}: {train.n_obs} training cells, {test.n_obs} held-out cells, {train.n_vars} genes", flush=True
    )
    results = {
        "dataset": args.dataset,
        "command": " ".join(["python", *sys.argv]),
        "seed": args.seed,
        "n_train": train.n_obs,
        "n_test": test.n_obs,
        "n_genes": train.n_vars,
        "condition_keys": keys,
        "contrast_key": setup["contrast_key"],
    }

    samples = {}
    start = time.perf_counter()
    model = scgan.tl.train(train, condition_key=keys, max_epochs=args.epochs, random_state=args.seed, **options)
    results["scgan_train_seconds"] = time.perf_counter() - start
    samples["scgan"] = scgan.tl.generate(model, wanted, random_state=args.seed)
    print(f"scgan trained in {results['scgan_train_seconds']:.0f} s", flush=True)
    if not args.no_scvi:
        start = time.perf_counter()
        samples["scvi"] = benchmark.scvi_samples(train, key=keys, n_cells=wanted, random_state=args.seed)
        results["scvi_seconds"] = time.perf_counter() - start
        print(f"scVI trained and sampled in {results['scvi_seconds']:.0f} s", flush=True)

    results["methods"], results["tables"] = {}, {}
    for name, synthetic in samples.items():
        start = time.perf_counter()
        table = scgan.tl.evaluate(
            test,
            synthetic,
            key=KEY,
            contrast_key=setup["contrast_key"],
            reference=train,
            random_state=args.seed,
        )
        print(f"{name} evaluated in {time.perf_counter() - start:.0f} s", flush=True)
        results["methods"][name] = summary(table, "synthetic")
        results["tables"][name] = table.to_dict(orient="list")
    # the reference cells depend on the requested composition and the seed only: the same for every method
    results["methods"]["real_vs_real"] = summary(table, "reference")
    report(results)
    if args.out:
        benchmark.write_json(args.out, results)


def report(results: dict) -> None:
    """The headline numbers: DE recovery, coverage and memorisation per label, each method next to real vs real."""
    methods = results["methods"]
    contrast = "stim vs ctrl" if results["contrast_key"] else "vs the rest"
    print(f"\nde_lfc_pearson ({contrast}) per cell type: " + ", ".join(methods))
    for label in methods["scgan"]["de"]["de_lfc_pearson"]:
        values = [methods[name]["de"]["de_lfc_pearson"][label] for name in methods]
        print(f"  {label:24s} " + "  ".join(f"{value:6.3f}" for value in values))
    for metric in ("recall", "coverage"):
        print(f"\n{metric} per cell type: " + ", ".join(methods))
        for label in methods["scgan"]["coverage"][metric]:
            values = [methods[name]["coverage"][metric][label] for name in methods]
            print(f"  {label:24s} " + "  ".join(f"{value:6.3f}" for value in values))
    print("\nmemorisation (all cells): " + ", ".join(methods))
    for metric in MEMORISATION:
        values = [methods[name]["memorisation"][metric]["all"] for name in methods]
        print(f"  {metric:24s} " + "  ".join(f"{value:6.3f}" for value in values))


if __name__ == "__main__":
    main()
