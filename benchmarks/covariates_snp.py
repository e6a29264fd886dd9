"""Covariates: a GAN conditioned on a SNP matrix reproduces each SNP's effect on its gene.

Simulated genotypes (scgan.datasets.simulate_genotypes: 10 SNPs; gene i switched on with probability 0.7 when
SNP i is present and 0.3 when absent; 40 noise genes). The model is trained on 70% of the cells with the SNP
matrix as its only condition, then asked for cells with the genotypes of the held-out 30%: ten cells per
genotype by default, so that the model's rates are measured with less sampling noise than one cell each allows
(both are printed). The rate at which each SNP gene is switched on (count above the midpoint of the two
expression levels) is compared with 0.7/0.3.

    python benchmarks/covariates_snp.py [--epochs N] [--seed S] [--copies 10] [--set OPTION=VALUE ...] [--out results.json]
"""

from __future__ import annotations

import argparse
import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

import scgan
from scgan import benchmark
from scgan.datasets import activation_rates, simulate_genotypes

THRESHOLD = 12  # between the Poisson means 3 (off) and 30 (on)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-keep-best", action="store_true", help="keep the last generator")
    parser.add_argument("--out", type=Path, default=None)
    parser.add_argument(
        "--copies", type=int, default=10, help="synthetic cells per held-out genotype (more: rates measured closer)"
    )
    parser.add_argument("--set", nargs="*", default=[], help="model options, e.g. count_head=nb")
    args = parser.parse_args()
    options = benchmark.parse_options(args.set)
    if args.copies < 1:
        parser.error(f"--copies must be at least 1, got {args.copies}")
    warnings.filterwarnings("ignore")

    adata = simulate_genotypes(random_state=args.seed)
    rng = np.random.default_rng(args.seed)
    test = rng.random(adata.n_obs) < 0.3
    train, held_out = adata[~test].copy(), adata[test].copy()
    start = time.perf_counter()
    model = scgan.tl.train(
        train,
        condition_key=None,
        covariate_obsm_key="snps",
        max_epochs=args.epochs,
        random_state=args.seed,
        enable_progress_bar=False,
        keep_best=not args.no_keep_best,
        **options,
    )
    seconds = time.perf_counter() - start
    snps = np.repeat(held_out.obsm["snps"], args.copies, axis=0)
    synthetic = scgan.tl.generate(model, pd.DataFrame(snps, columns=model.covariate_names), random_state=args.seed)
    real_rates = activation_rates(held_out.X, held_out.obsm["snps"], threshold=THRESHOLD)
    syn_rates = activation_rates(synthetic.X, snps, threshold=THRESHOLD)
    one_copy = activation_rates(synthetic.X[:: args.copies], held_out.obsm["snps"], threshold=THRESHOLD)
    worst_one_copy = float(np.abs(one_copy.to_numpy() - [0.7, 0.3]).max())
    table = pd.concat({"real": real_rates, "synthetic": syn_rates}, axis=1)
    table[("error", "present")] = (syn_rates["present"] - 0.7).abs()
    table[("error", "absent")] = (syn_rates["absent"] - 0.3).abs()
    print(table.round(3).to_string())
    worst = float(table["error"].to_numpy().max())
    print(f"largest deviation from 0.7 / 0.3: {worst:.3f} (target <= 0.1); training {seconds:.0f}s")
    print(f"the same with one synthetic cell per held-out genotype: {worst_one_copy:.3f}")
    if args.out:
        benchmark.write_json(
            args.out,
            {
                "train_seconds": seconds,
                "copies": args.copies,
                "max_error": worst,
                "max_error_one_copy": worst_one_copy,
                "table": table.round(4).to_dict(orient="split"),
            },
        )


if __name__ == "__main__":
    main()
