"""Held-out fidelity of scgan and scVI on every development dataset, next to real vs real.

For each split: 30% of the cells held out (stratified by the condition), the genes chosen on the training
cells (2,000 highly variable genes; Kang et al. and pbmc68k keep all of theirs), scgan trained with its defaults
and scVI (scgan.benchmark.train_scvi: the condition a categorical covariate, scvi-tools' default epochs) on
the training cells only, as many synthetic cells per condition as the held-out set has, and every cell set
scored by scgan.tl.evaluate against the held-out cells with the training cells as real-vs-real reference:
the classifier two-sample AUROC overall and per label (ideal 0.5), MMD, per-cell KS statistics, label
faithfulness. Kang et al. is conditioned on cell type x stimulation; its labels are the pairs.

One AUROC of a few hundred cells moves by up to 0.09 from one draw of synthetic cells to the next, so each
trained model draws `--draws` sets of cells (seeds S, S + 1, ... of the split S) and the AUROC of each set is
kept (``<method>_draws``); the full scores are those of the first draw. The printed means are over splits and
draws.

`--kept K [K ...]` compares mixtures of kept generators from one training: scgan keeps the max(K) generators of
lowest validation score (``n_kept_generators``) and the mixture of the best k is scored for each k, as method
``scgan_kept<k>``.

`--methods redraw` adds noisy copies of the training cells as a reference: for each wanted cell a random
training cell of its condition, its counts redrawn from a Poisson distribution around them. A generator that
scores as these do has learned no more than the training cells plus counting noise.

    python benchmarks/fidelity.py [--dataset pbmc3k|kang|baron|pbmc68k] [--data FILE] [--splits 0 1 2] \
        [--methods scgan scvi redraw] [--draws 3] [--kept 1 3 10] [--set OPTION=VALUE ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData

import scgan
from scgan import benchmark

SHARED = Path(__file__).resolve().parents[2] / "shared" / "data"
# dataset -> (file, condition columns, highly variable genes kept); pbmc68k ships with scanpy
DATASETS = {
    "pbmc3k": (SHARED / "pbmc3k_labeled.h5ad", ["cell_type"], 2000),
    "kang": (SHARED / "kang_ifnb.h5ad", ["cell_type", "condition"], None),
    "baron": (SHARED / "baron_mouse1.h5ad", ["cell_type"], 2000),
    "pbmc68k": (None, ["cell_type"], None),
}
LABEL = "label"


def joined(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """The condition of each row: the value, or the pair of values when there are two columns."""
    return frame[keys].astype(str).agg(" | ".join, axis=1).to_numpy()


def with_label(adata, keys: list[str]):
    """A copy of `adata` whose `.obs[LABEL]` is the condition (see `joined`)."""
    adata = adata.copy()
    adata.obs[LABEL] = pd.Categorical(joined(adata.obs, keys))
    return adata


def scores(table: pd.DataFrame, column: str) -> dict:
    """Every overall score of a tl.evaluate table and the AUROC per label, from one of its columns."""
    overall = table[table["label"] == "all"].set_index("metric")[column]
    per_label = table[(table["metric"] == "auroc") & (table["label"] != "all")].set_index("label")[column]
    return {**overall.astype(float).to_dict(), "per_label": per_label.to_dict()}


def noisy_copies(train: AnnData, keys: list[str], wanted: pd.DataFrame, *, random_state: int) -> AnnData:
    """For each row of `wanted`, a random training cell of that condition with its counts redrawn: Poisson(counts)."""
    rng = np.random.default_rng(random_state)
    groups, wanted_groups = joined(train.obs, keys), joined(wanted, keys)
    rows = np.empty(len(wanted), dtype=int)
    for group in np.unique(wanted_groups):
        at = np.flatnonzero(wanted_groups == group)
        rows[at] = rng.choice(np.flatnonzero(groups == group), size=at.size)
    counts = train.X[rows]
    counts = counts.toarray() if sp.issparse(counts) else np.asarray(counts)
    obs = wanted.set_axis([f"redraw_{i}" for i in range(len(wanted))])
    return AnnData(X=sp.csr_matrix(rng.poisson(counts).astype(np.float32)), obs=obs, var=train.var[[]])


def use_best_generators(model, weights: list[dict], k: int) -> None:
    """Make `model` generate from the best `k` of the kept generators' `weights` (best first)."""
    model.module.set_mixture(k)
    for generator, state in zip(model.module.generators, weights[:k], strict=True):
        generator.load_state_dict(state)


def run_split(
    adata,
    keys: list[str],
    n_top_genes: int | None,
    *,
    methods,
    options: dict,
    seed: int,
    draws: int,
    kept: list[int] | None = None,
) -> dict:
    """Train the methods on one split and score `draws` sets of their cells (and real vs real) on the held-out cells.

    With `kept`, scgan keeps max(kept) generators and the mixture of the best k is scored for each k.
    """
    train, test = benchmark.held_out_split(adata, key=keys, n_top_genes=n_top_genes, random_state=seed)
    wanted = test.obs[keys].reset_index(drop=True)
    reference, test_labelled = with_label(train, keys), with_label(test, keys)
    result: dict = {"n_train": train.n_obs, "n_test": test.n_obs, "n_genes": train.n_vars}

    def score_draws(name: str, sample) -> None:
        """Score the cells `sample(random_state)` draws for seeds seed, seed + 1, ...: all AUROCs, the first in full."""
        tables = [
            scgan.tl.evaluate(
                test_labelled, with_label(sample(seed + draw), keys), key=LABEL, reference=reference, random_state=seed
            )
            for draw in range(draws)
        ]
        result[name] = scores(tables[0], "synthetic")
        result[f"{name}_draws"] = [scores(table, "synthetic")["auroc"] for table in tables]
        result.setdefault("real_vs_real", scores(tables[0], "reference"))

    if "scgan" in methods:
        if kept:
            options = {**options, "n_kept_generators": max(kept)}
        start = time.perf_counter()
        model = scgan.tl.train(train, condition_key=keys, random_state=seed, enable_progress_bar=False, **options)
        result["scgan_seconds"] = time.perf_counter() - start
        result["n_generators"] = len(model.module.generators)
        result["best_epoch"] = model.best_epoch
        result["epochs_trained"] = int(model.history["critic_loss"].shape[0])
        if "validation_mmd" in model.history:
            result["validation_mmd"] = model.history["validation_mmd"].dropna().to_numpy(dtype=float).ravel().tolist()
        if kept:
            weights = [{name: value.clone() for name, value in g.state_dict().items()} for g in model.module.generators]
            for k in sorted(kept):
                use_best_generators(model, weights, min(k, len(weights)))
                score_draws(
                    f"scgan_kept{k}", lambda random_state: scgan.tl.generate(model, wanted, random_state=random_state)
                )
        else:
            score_draws("scgan", lambda random_state: scgan.tl.generate(model, wanted, random_state=random_state))
    if "scvi" in methods:
        start = time.perf_counter()
        scvi_model = benchmark.train_scvi(train, key=keys, random_state=seed)
        result["scvi_seconds"] = time.perf_counter() - start
        score_draws("scvi", lambda random_state: benchmark.sample_scvi(scvi_model, wanted, random_state=random_state))
    if "redraw" in methods:
        score_draws("redraw", lambda random_state: noisy_copies(train, keys, wanted, random_state=random_state))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", choices=sorted(DATASETS), default="pbmc3k")
    parser.add_argument("--data", type=Path, default=None, help="h5ad file of counts (default: the dataset's)")
    parser.add_argument("--splits", type=int, nargs="+", default=[0, 1, 2], help="seeds of the held-out splits")
    parser.add_argument("--methods", nargs="+", choices=["scgan", "scvi", "redraw"], default=["scgan", "scvi"])
    parser.add_argument("--draws", type=int, default=3, help="sets of synthetic cells scored per trained model")
    parser.add_argument("--kept", type=int, nargs="+", help="score mixtures of the best k kept generators, each k")
    parser.add_argument("--set", nargs="*", default=[], help="scgan options, e.g. n_critic=2 max_steps=5000")
    parser.add_argument("--out", type=Path, default=None, help="write the results as JSON")
    args = parser.parse_args()
    if args.draws < 1:
        parser.error(f"--draws must be at least 1, got {args.draws}")
    if args.kept and min(args.kept) < 1:
        parser.error(f"--kept takes numbers of generators of at least 1, got {args.kept}")
    path, keys, n_top_genes = DATASETS[args.dataset]
    path = args.data or path
    adata = scgan.datasets.pbmc68k() if path is None else benchmark.read_data(path)
    options = benchmark.parse_options(args.set)
    warnings.filterwarnings("ignore")

    results = {"dataset": args.dataset, "keys": keys, "settings": options, "kept": args.kept, "splits": {}}
    for seed in args.splits:
        split = run_split(
            adata, keys, n_top_genes, methods=args.methods, options=options, seed=seed, draws=args.draws, kept=args.kept
        )
        results["splits"][seed] = split
        names = [key.removesuffix("_draws") for key in split if key.endswith("_draws")]
        line = ", ".join(f"{name} {np.mean(split[f'{name}_draws']):.3f}" for name in names)
        print(
            f"{args.dataset} split {seed}: AUROC (mean of {args.draws} draws) {line}, "
            f"real vs real {split['real_vs_real']['auroc']:.3f}",
            flush=True,
        )
        if args.out:
            benchmark.write_json(args.out, results)
    for name in names:
        values = [np.mean(split[f"{name}_draws"]) for split in results["splits"].values()]
        print(f"{name}: mean AUROC {np.mean(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")
    values = [split["real_vs_real"]["auroc"] for split in results["splits"].values()]
    print(f"real vs real: mean AUROC {np.mean(values):.3f} ({', '.join(f'{v:.3f}' for v in values)})")


if __name__ == "__main__":
    main()
