"""Command line: the notebook pipeline for people outside notebooks."""

from __future__ import annotations

import argparse
import sys


def _demo(args: argparse.Namespace) -> int:
    import matplotlib as mpl

    mpl.use("Agg")  # the demo writes figures to files and never opens windows
    from scgan._demo import run_demo

    run_demo(
        args.out,
        max_epochs=args.max_epochs,
        benchmark_epochs=args.benchmark_epochs,
        n_seeds=args.n_seeds,
        random_state=args.random_state,
    )
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    import anndata as ad

    from scgan import tl

    real = ad.read_h5ad(args.real)
    synthetic = ad.read_h5ad(args.synthetic)
    reference = None if args.reference is None else ad.read_h5ad(args.reference)
    table = tl.evaluate(
        real,
        synthetic,
        key=args.key,
        layer=args.layer,
        reference=reference,
        n_top_genes=args.n_top_genes,
        n_comps=args.n_comps,
        random_state=args.random_state,
    )
    print(table.to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    if args.csv is not None:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0


def _train(args: argparse.Namespace) -> int:
    import anndata as ad

    from scgan import tl

    adata = ad.read_h5ad(args.data)
    print(f"scgan train: {adata.n_obs} cells x {adata.n_vars} genes, conditions {args.condition}", flush=True)
    model = tl.train(
        adata,
        condition_key=args.condition,
        layer=args.layer,
        covariate_obsm_key=args.covariate_obsm,
        max_epochs=args.max_epochs,
        early_stopping=args.early_stopping,
        random_state=args.random_state,
    )
    model.save(args.out, overwrite=args.overwrite)
    print(f"wrote {args.out}")
    return 0


def parse_cell_counts(values: list[str]) -> int | dict:
    """`--n 500` -> 500; `--n "B cells=100" --n NK=50` -> {"B cells": 100, "NK": 50}; `a,b=5` -> {(a, b): 5}."""
    if len(values) == 1 and "=" not in values[0]:
        return int(values[0])
    counts = {}
    for value in values:
        if "=" not in value:
            msg = f"--n takes one number of cells or LABEL=COUNT pairs, got {value!r}."
            raise SystemExit(msg)
        label, count = value.rsplit("=", 1)
        label = tuple(label.split(",")) if "," in label else label
        counts[label] = int(count)
    return counts


def _generate(args: argparse.Namespace) -> int:
    from scgan import tl
    from scgan.model import SCGAN

    model = SCGAN.load(args.model)
    synthetic = tl.generate(model, parse_cell_counts(args.n), random_state=args.random_state)
    synthetic.write_h5ad(args.out)
    print(f"wrote {args.out} ({synthetic.n_obs} synthetic cells x {synthetic.n_vars} genes)")
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The `scgan` argument parser with its sub-commands."""
    parser = argparse.ArgumentParser(prog="scgan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    demo = commands.add_parser("demo", help="run the whole pipeline on the embedded pbmc68k data")
    demo.add_argument("--out", default="scgan_demo", help="output folder (created)")
    demo.add_argument("--max-epochs", type=int, default=600, help="epochs of the main model")
    demo.add_argument("--benchmark-epochs", type=int, default=300, help="epochs of each GAN in the benchmark")
    demo.add_argument("--n-seeds", type=int, default=2, help="seeds of the oversampling benchmark")
    demo.add_argument("--random-state", type=int, default=0)
    demo.set_defaults(func=_demo)

    train = commands.add_parser("train", help="train a conditional GAN on an h5ad of counts")
    train.add_argument("data", help="h5ad of raw counts (the training cells)")
    train.add_argument("--condition", action="append", required=True, help="obs column; repeat for several")
    train.add_argument("--out", required=True, help="folder to save the model to")
    train.add_argument("--layer", help="layer of the counts (default: X)")
    train.add_argument("--covariate-obsm", help="obsm matrix of continuous covariates, e.g. genotypes")
    train.add_argument("--max-epochs", type=int, help="default: scales with the number of cells")
    train.add_argument(
        "--early-stopping",
        action="store_true",
        help="stop once the validation score stops improving (default: train all --max-epochs)",
    )
    train.add_argument("--random-state", type=int, default=0)
    train.add_argument("--overwrite", action="store_true", help="replace an existing model folder")
    train.set_defaults(func=_train)

    generate = commands.add_parser("generate", help="generate synthetic cells from a saved model")
    generate.add_argument("model", help="folder written by scgan train")
    generate.add_argument("--n", nargs="+", required=True, help="a number of cells, or LABEL=COUNT pairs")
    generate.add_argument("--out", required=True, help="h5ad to write")
    generate.add_argument("--random-state", type=int, default=0)
    generate.set_defaults(func=_generate)

    evaluate = commands.add_parser("evaluate", help="fidelity table of synthetic vs held-out real cells")
    evaluate.add_argument("real", help="h5ad of held-out real cells (counts)")
    evaluate.add_argument("synthetic", help="h5ad of synthetic cells (counts in X)")
    evaluate.add_argument("--key", required=True, help="obs column of the labels, e.g. cell_type")
    evaluate.add_argument("--reference", help="h5ad of other real cells (e.g. the training cells)")
    evaluate.add_argument("--layer", help="layer of the real counts (default: X)")
    evaluate.add_argument("--n-top-genes", type=int, default=2000, help="highly variable genes of the PCA")
    evaluate.add_argument("--n-comps", type=int, default=50, help="principal components")
    evaluate.add_argument("--random-state", type=int, default=0)
    evaluate.add_argument("--csv", help="also write the table to this CSV file")
    evaluate.set_defaults(func=_evaluate)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `scgan` command."""
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
