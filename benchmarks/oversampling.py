"""Oversampling benchmark on real data: does topping up a rare cell type help a classifier on held-out cells?

    python benchmarks/oversampling.py [--data ../shared/data/pbmc3k_labeled.h5ad] [--rare DC] [--n-rare 10 20] \
        [--seeds 3] [--random-state 0] [--methods none smote scgan ...] [--set scgan.max_epochs=100 ...] \
        [--target median] [--upper-bound] --out benchmarks/results/pbmc3k_DC
    python benchmarks/oversampling.py --combine A_results.csv B_results.csv [--replace C_results.csv] \
        --out benchmarks/results/pbmc3k_DC

Runs scgan.tl.benchmark_oversampling (arms: scgan.benchmark.ARMS) and writes the tidy results, the summary
(mean and std over seeds) and the paired comparison of scgan with the best other arm as CSV; prints the
rare-class F1 summary as a markdown table. Each arm tops the rare type up to --target cells: the median class
size of the training cells, or a number (for data with many small types, whose median is below --n-rare). With
--upper-bound, the classifiers are also fitted on every real training cell of the rare type, nothing added
(method "all real", n_rare = those cells): what more real cells would give. Seeds can run in separate
processes (``--random-state 3 --seeds 2`` runs seeds 3 and 4, the same splits as in a five-seed run);
``--combine`` gathers their results files into one set of tables. An arm rerun alone (``--methods scgan --set
...``) on the same seeds replaces that arm's rows with ``--replace``.
"""

from __future__ import annotations

import argparse
import inspect
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
from anndata import AnnData

import scgan
from scgan import benchmark

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "pbmc3k_labeled.h5ad"
TEST_SIZE = inspect.signature(scgan.tl.benchmark_oversampling).parameters["test_size"].default


def arm_options(settings: list[str]) -> dict[str, dict]:
    """``--set ARM.OPTION=VALUE`` pairs as ``model_kwargs``: options per arm."""
    options = {}
    for name, value in benchmark.parse_options(settings).items():
        arm, dot, option = name.partition(".")
        if not dot:
            raise SystemExit(f"error: --set takes ARM.OPTION=VALUE pairs (e.g. scvi.max_epochs=50), got {name!r}")
        options.setdefault(arm, {})[option] = value
    return options


def n_training_cells(adata, *, key: str, rare: str) -> int:
    """Cells of `rare` in the training part of the benchmark's held-out split (the same for every seed)."""
    labels = AnnData(X=np.zeros((adata.n_obs, 1)), obs=adata.obs[[key]].copy())  # the split reads only the labels
    split = scgan.pp.split(labels, key, test_size=TEST_SIZE, random_state=0, copy=True).obs["scgan_split"]
    return int(((labels.obs[key].astype(str) == rare) & (split == "train").to_numpy()).sum())


def target_size(value: str) -> str | int:
    """``--target``: 'median' or a whole number of cells."""
    if value == "median":
        return value
    try:
        return int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'median' or a number of cells, got {value!r}") from None


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA, help="h5ad file of counts (default: %(default)s)")
    parser.add_argument("--key", default="cell_type")
    parser.add_argument("--rare", default="DC")
    parser.add_argument("--n-rare", type=int, nargs="+", default=[10, 20])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--random-state", type=int, default=0, help="first seed (default: %(default)s)")
    parser.add_argument("--methods", nargs="+", default=None, help=f"default: every arm, {list(benchmark.ARMS)}")
    parser.add_argument("--set", nargs="*", default=[], help="options per arm, e.g. scvi.max_epochs=50")
    parser.add_argument(
        "--target", type=target_size, default="median", help="cells of the rare type after topping up: median or N"
    )
    parser.add_argument("--upper-bound", action="store_true", help="also fit on every real training cell of --rare")
    parser.add_argument("--combine", type=Path, nargs="+", help="results CSVs of separate runs to gather, no run")
    parser.add_argument(
        "--replace", type=Path, nargs="+", default=[], help="with --combine: results CSVs whose arms replace theirs"
    )
    parser.add_argument("--out", type=Path, required=True, help="prefix of the CSV files")
    args = parser.parse_args()
    if args.replace and not args.combine:
        parser.error("--replace needs --combine: the results files whose rows it replaces")
    if args.combine:
        write_tables(combine(args.combine, replace=args.replace), out=args.out)
        return
    model_kwargs = arm_options(args.set)
    adata = benchmark.read_data(args.data)
    warnings.filterwarnings("ignore")

    options = {"methods": tuple(args.methods)} if args.methods else {}
    start = time.perf_counter()
    results = scgan.tl.benchmark_oversampling(
        adata,
        key=args.key,
        rare=args.rare,
        n_rare=tuple(args.n_rare),
        n_seeds=args.seeds,
        random_state=args.random_state,
        target=args.target,
        model_kwargs=model_kwargs,
        **options,
    )
    if args.upper_bound:
        n_train = n_training_cells(adata, key=args.key, rare=args.rare)
        bound = scgan.tl.benchmark_oversampling(
            adata,
            key=args.key,
            rare=args.rare,
            n_rare=(n_train,),
            n_seeds=args.seeds,
            random_state=args.random_state,
            methods=("none",),
        )
        results = pd.concat([results, bound.assign(method="all real")], ignore_index=True)
    seconds = time.perf_counter() - start
    write_tables(results, out=args.out)
    print(
        f"{args.rare}: {seconds:.0f} s for seeds {args.random_state} to {args.random_state + args.seeds - 1} x n_rare {args.n_rare}"
    )


def gather(paths: list[Path]) -> pd.DataFrame:
    """The results files of separate runs as one table; a seed of an arm found in two files is an error."""
    for path in paths:
        if not path.exists():
            raise SystemExit(f"error: no results file {path}")
    parts = [pd.read_csv(path) for path in paths]
    runs = [set(zip(part["seed"], part["method"], strict=True)) for part in parts]
    if sum(map(len, runs)) != len(set().union(*runs)):
        shared = sorted({run for i, a in enumerate(runs) for b in runs[i + 1 :] for run in a & b})
        raise SystemExit(f"error: the files share seeds of an arm ({shared}); each belongs in one run")
    return pd.concat(parts, ignore_index=True)


def combine(paths: list[Path], *, replace: list[Path] = ()) -> pd.DataFrame:
    """Gather the results files; the arms of the `replace` files replace the same arms' rows of the same seeds."""
    results = gather(paths)
    if not replace:
        return results
    new = gather(replace)
    replaced = pd.MultiIndex.from_frame(results[["seed", "method"]]).isin(
        pd.MultiIndex.from_frame(new[["seed", "method"]])
    )
    return pd.concat([results[~replaced], new], ignore_index=True)


def write_tables(results: pd.DataFrame, *, out: Path) -> None:
    """Write the results, the summary and the comparison of scgan with the best other arm; print them."""
    # scgan against the other arms only: the upper bound is not an arm, and at an n_rare equal to every training
    # cell of the rare type it would share a column with them
    comparison = scgan.tl.compare_oversampling(results[results["method"] != "all real"])
    summary = scgan.tl.summarize_oversampling(results)
    out.parent.mkdir(parents=True, exist_ok=True)
    results.to_csv(f"{out}_results.csv", index=False)
    summary.to_csv(f"{out}_summary.csv", index=False)
    comparison.to_csv(f"{out}_comparison.csv", index=False)
    table = summary.assign(
        rare_f1=summary["rare_f1_mean"].map("{:.2f}".format) + " ± " + summary["rare_f1_std"].map("{:.2f}".format)
    ).pivot_table(index="method", columns=["n_rare", "classifier", "features"], values="rare_f1", aggfunc="first")
    print(table.to_markdown())
    print(comparison.round(3).to_markdown(index=False))


if __name__ == "__main__":
    main()
