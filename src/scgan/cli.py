"""Command line: the notebook pipeline for people outside notebooks."""

from __future__ import annotations

import argparse
import inspect
import sys
from collections.abc import Callable
from pathlib import Path

# what a user can get wrong (a path, a column, a layer, counts, an option value, a request too large for memory):
# one line, no traceback
EXPECTED_ERRORS = (ValueError, KeyError, OSError, MemoryError)


def _given(args: argparse.Namespace, *names: str) -> dict:
    """The options given on the command line; the others keep the defaults of the function they are passed to."""
    given = vars(args)
    return {name: given[name] for name in names if name in given}


def _read_h5ad(path: str, what: str, *, backed: bool = False):
    """Read an h5ad file (or open it backed), with an error that names the file and what it should hold."""
    import anndata as ad

    if not Path(path).is_file():
        msg = f"{path} does not exist; pass the h5ad file of {what}."
        raise FileNotFoundError(msg)
    try:
        return ad.read_h5ad(path, backed="r" if backed else None)
    except OSError as error:
        msg = f"{path} could not be read as an h5ad file of {what} ({error})."
        raise ValueError(msg) from error


def _demo(args: argparse.Namespace) -> int:
    import matplotlib as mpl

    mpl.use("Agg")  # the demo writes figures to files and never opens windows
    from scgan._demo import run_demo

    run_demo(args.out, **_given(args, "max_epochs", "benchmark_epochs", "n_seeds", "random_state"))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from scgan import tl

    real = _read_h5ad(args.real, "held-out real cells")
    synthetic = _read_h5ad(args.synthetic, "synthetic cells")
    reference = _read_h5ad(args.reference, "reference real cells") if "reference" in args else None
    table = tl.evaluate(
        real,
        synthetic,
        reference=reference,
        **_given(args, "key", "layer", "n_top_genes", "n_comps", "max_cells", "random_state"),
    )
    print(table.to_string(index=False, float_format=lambda value: f"{value:.4g}"))
    if "csv" in args:
        table.to_csv(args.csv, index=False)
        print(f"wrote {args.csv}")
    return 0


def _train(args: argparse.Namespace) -> int:
    from scgan import tl

    # checked before training, which can take hours, rather than when saving
    if Path(args.out).exists() and "overwrite" not in args:
        msg = f"{args.out} already exists; pass --overwrite to replace it, or choose another --out."
        raise FileExistsError(msg)
    adata = _read_h5ad(args.data, "raw counts", backed="backed" in args)
    print(f"scgan train: {adata.n_obs} cells x {adata.n_vars} genes, conditions {args.condition_key}", flush=True)
    model = tl.train(
        adata,
        **_given(
            args,
            "condition_key",
            "layer",
            "covariate_obsm_key",
            "max_epochs",
            "max_steps",
            "early_stopping",
            "n_kept_generators",
            "generator_hidden",
            "n_critic",
            "random_state",
        ),
    )
    model.save(args.out, **_given(args, "overwrite"))
    print(f"wrote {args.out}")
    return 0


def _cell_count(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        msg = f"--n takes a number of cells or LABEL=COUNT pairs, got {text!r}."
        raise ValueError(msg) from None


def parse_cell_counts(values: list[str]) -> int | dict:
    """`--n 500` -> 500; `--n "B cells=100" --n NK=50` -> {"B cells": 100, "NK": 50}; `a,b=5` -> {(a, b): 5}."""
    if len(values) == 1 and "=" not in values[0]:
        return _cell_count(values[0])
    counts = {}
    for value in values:
        if "=" not in value:
            msg = f"--n takes one number of cells or LABEL=COUNT pairs, got {value!r}."
            raise ValueError(msg)
        label, count = value.rsplit("=", 1)
        label = tuple(label.split(",")) if "," in label else label
        counts[label] = _cell_count(count)
    return counts


def _generate(args: argparse.Namespace) -> int:
    from scgan import tl
    from scgan.model import SCGAN

    n_cells = parse_cell_counts(args.n)
    model = SCGAN.load(args.model)
    # written in blocks straight to the file, which appears whole or not at all
    synthetic = tl.generate(model, n_cells, filename=args.out, **_given(args, "random_state"))
    print(f"wrote {args.out} ({synthetic.n_obs} synthetic cells x {synthetic.n_vars} genes)")
    return 0


def _default(function: Callable, name: str) -> str:
    """`(default: ...)` for help texts, read from the function the option is passed to."""
    return f"(default: {inspect.signature(function).parameters[name].default})"


def build_parser() -> argparse.ArgumentParser:
    """The `scgan` argument parser with its sub-commands.

    Options left out are absent from the parsed namespace (not filled with a copy of the library's defaults),
    so each default is written once, in the function that uses it.
    """
    from scgan import tl
    from scgan._demo import run_demo
    from scgan.model import SCGAN, GANTrainingPlan

    parser = argparse.ArgumentParser(prog="scgan", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    def command(name: str, summary: str, func: Callable) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=summary, description=summary, argument_default=argparse.SUPPRESS)
        sub.set_defaults(func=func)
        return sub

    demo = command("demo", "run the whole pipeline on the embedded pbmc68k data", _demo)
    demo.add_argument("--out", default="scgan_demo", help="output folder, created (default: scgan_demo)")
    demo.add_argument("--max-epochs", type=int, help=f"epochs of the main model {_default(run_demo, 'max_epochs')}")
    demo.add_argument(
        "--benchmark-epochs",
        type=int,
        help=f"epochs of each GAN in the benchmark {_default(run_demo, 'benchmark_epochs')}",
    )
    demo.add_argument(
        "--n-seeds", type=int, help=f"seeds of the oversampling benchmark {_default(run_demo, 'n_seeds')}"
    )
    demo.add_argument("--random-state", type=int, help=f"seed {_default(run_demo, 'random_state')}")

    train = command("train", "train a conditional GAN on an h5ad of counts", _train)
    train.add_argument("data", help="h5ad of raw counts (the training cells)")
    train.add_argument(
        "--condition",
        dest="condition_key",
        metavar="COLUMN",
        action="append",
        required=True,
        help="obs column; repeat for several",
    )
    train.add_argument("--out", required=True, help="folder to save the model to")
    train.add_argument("--layer", help="layer of the counts (default: X)")
    train.add_argument(
        "--covariate-obsm",
        dest="covariate_obsm_key",
        metavar="KEY",
        help="obsm matrix of continuous covariates, e.g. genotypes",
    )
    train.add_argument("--max-epochs", type=int, help="passes over the cells (default: a budget of --max-steps)")
    train.add_argument(
        "--max-steps", type=int, help="critic steps, whatever the number of cells (default: chosen by scgan.tl.train)"
    )
    train.add_argument(
        "--backed", action="store_true", help="train from disk (the file opened backed, memory bounded by the batch)"
    )
    train.add_argument(
        "--early-stopping",
        action=argparse.BooleanOptionalAction,
        help=f"stop once the validation score stops improving {_default(GANTrainingPlan.__init__, 'early_stopping')}",
    )
    train.add_argument(
        "--n-kept-generators",
        type=int,
        metavar="K",
        help="generate from the K generators with the lowest validation scores, each cell from one at random "
        f"{_default(GANTrainingPlan.__init__, 'n_kept_generators')}",
    )
    train.add_argument(
        "--generator-hidden",
        type=int,
        nargs="+",
        metavar="WIDTH",
        help=f"widths of the generator's hidden layers, e.g. 512 1024 with covariates "
        f"{_default(SCGAN.__init__, 'generator_hidden')}",
    )
    train.add_argument(
        "--n-critic",
        type=int,
        help=f"critic steps per generator step, 2 with covariates {_default(GANTrainingPlan.__init__, 'n_critic')}",
    )
    train.add_argument("--random-state", type=int, help=f"seed {_default(tl.train, 'random_state')}")
    train.add_argument("--overwrite", action="store_true", help="replace an existing model folder")

    generate = command("generate", "generate synthetic cells from a saved model", _generate)
    generate.add_argument("model", help="folder written by scgan train")
    generate.add_argument("--n", nargs="+", required=True, help="a number of cells, or LABEL=COUNT pairs")
    generate.add_argument("--out", required=True, help="h5ad to write")
    generate.add_argument("--random-state", type=int, help=f"seed {_default(tl.generate, 'random_state')}")

    evaluate = command("evaluate", "fidelity table of synthetic vs held-out real cells", _evaluate)
    evaluate.add_argument("real", help="h5ad of held-out real cells (counts)")
    evaluate.add_argument("synthetic", help="h5ad of synthetic cells (counts in X)")
    evaluate.add_argument("--key", required=True, help="obs column of the labels, e.g. cell_type")
    evaluate.add_argument("--reference", help="h5ad of other real cells (e.g. the training cells)")
    evaluate.add_argument("--layer", help="layer of the real counts (default: X)")
    evaluate.add_argument(
        "--n-top-genes",
        type=int,
        help=f"highly variable genes of the PCA {_default(tl.evaluate, 'n_top_genes')}",
    )
    evaluate.add_argument("--n-comps", type=int, help=f"principal components {_default(tl.evaluate, 'n_comps')}")
    evaluate.add_argument(
        "--max-cells",
        type=int,
        help=f"most cells per side, a stratified sample by label {_default(tl.evaluate, 'max_cells')}",
    )
    evaluate.add_argument("--random-state", type=int, help=f"seed {_default(tl.evaluate, 'random_state')}")
    evaluate.add_argument("--csv", help="also write the table to this CSV file")
    return parser


def _message(error: Exception) -> str:
    # str(KeyError("text")) is the repr of its argument, quotes included
    if isinstance(error, KeyError) and len(error.args) == 1:
        return str(error.args[0])
    return str(error)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `scgan` command.

    An expected error (a missing file, column or layer, bad counts, a bad option value) prints one line
    ``scgan: error: ...`` to stderr and returns 2, as argparse does for bad arguments; anything else keeps
    its traceback.
    """
    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except EXPECTED_ERRORS as error:
        print(f"scgan: error: {_message(error)}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
