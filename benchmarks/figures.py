"""Draw the figures of BENCHMARKS.md from the result files in benchmarks/results, one PNG per benchmark.

Uses scgan's own plot where one fits (`scgan.pl.oversampling` for the oversampling benchmark) and plain matplotlib
otherwise. Reads only the stored results; trains nothing.

    python benchmarks/figures.py [--results benchmarks/results] [--out docs/_static/benchmarks]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd

import scgan

HERE = Path(__file__).resolve().parent
# the colours of scgan's own plots: real cells blue, synthetic (scgan) orange; scVI grey
REAL_COLOR, SCGAN_COLOR, SCVI_COLOR = "#4C72B0", "#E1812C", "#7F7F7F"
IDEAL = {"color": "black", "linestyle": "--", "linewidth": 1.0}
DPI = 80


def _json(results: Path, name: str) -> dict:
    return json.loads((results / name).read_text())


def _save(fig, out: Path, name: str) -> Path:
    path = out / name
    fig.savefig(path, dpi=DPI, bbox_inches="tight")
    plt.close(fig)
    return path


def _grouped_bars(axis, labels, series: dict[str, tuple[list[float], str]], *, width: float = 0.8) -> None:
    """One group of bars per label, one bar per series (name -> (values, colour))."""
    positions = np.arange(len(labels), dtype=float)
    step = width / len(series)
    for i, (name, (values, color)) in enumerate(series.items()):
        axis.bar(positions + (i - (len(series) - 1) / 2) * step, values, width=step, color=color, label=name)
    axis.set_xticks(
        positions, labels, rotation=30 if len(labels) > 4 else 0, ha="right" if len(labels) > 4 else "center"
    )


FIDELITY_DATASETS = {"pbmc3k": "pbmc3k", "kang": "Kang et al.", "baron": "Baron (mouse pancreas)", "pbmc68k": "pbmc68k"}


# (tick label, result file, method in it, colour, opacity): scgan with its defaults (the mixture of the best three of
# a one-thread run keeping ten generators) and scVI; on the same splits,
# scgan with a wide last generator layer (one draw); real vs real
FIDELITY_SERIES = [
    ("scgan", "fidelity_{}_kept3_5_10.json", "scgan_kept3", SCGAN_COLOR, 0.7),
    ("scgan\n(512, 1024)", "fidelity_{}_generator512_1024.json", "scgan", SCGAN_COLOR, 0.3),
    ("scVI", "fidelity_{}_scvi.json", "scvi", SCVI_COLOR, 0.7),
    ("real vs\nreal", "fidelity_{}_kept3_5_10.json", "real_vs_real", REAL_COLOR, 0.7),
]


def _split_auroc(split: dict, method: str) -> float:
    """A method's AUROC on one split: the mean over its draws of cells where the file holds several."""
    return float(np.mean(split.get(f"{method}_draws", [split[method]["auroc"]])))


def fidelity(results: Path, out: Path) -> Path:
    """Held-out AUROC of scgan (defaults and a wide generator), scVI and real vs real per dataset and split.

    A point is a split: the mean over the draws of cells where a result file holds several (scgan's defaults and scVI).
    """
    fig, axes = plt.subplots(1, len(FIDELITY_DATASETS), figsize=(12, 3.4), sharey=True)
    for axis, (dataset, title) in zip(axes, FIDELITY_DATASETS.items(), strict=True):
        for x, (_, file, method, color, alpha) in enumerate(FIDELITY_SERIES):
            values = [_split_auroc(split, method) for split in _json(results, file.format(dataset))["splits"].values()]
            axis.scatter([x] * len(values), values, color=color, s=18, alpha=alpha, linewidths=0)
            axis.scatter([x], [np.mean(values)], color=color, s=160, marker="_", linewidths=2)
        axis.axhline(0.5, **IDEAL)
        axis.set_xticks(range(len(FIDELITY_SERIES)), [series[0] for series in FIDELITY_SERIES], fontsize="small")
        axis.set_title(title, fontsize="medium")
    axes[0].set_ylabel("AUROC, synthetic vs held-out\n(ideal 0.5; points: splits, bar: mean)")
    fig.tight_layout()
    return _save(fig, out, "fidelity.png")


def joint_condition_kang(results: Path, out: Path) -> Path:
    """Cell-type macro-F1 of the held-out, scgan and scVI cells per split, and per-label recall on split 0."""
    scgan_runs = [
        _json(results, f"joint_condition_kang_generator512_1024_split{s}.json")["cell_type"] for s in range(3)
    ]
    scvi_runs = [
        _json(results, f"joint_condition_kang_gaussian_noise_with_scvi_split{s}.json")["cell_type"] for s in range(3)
    ]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.6), gridspec_kw={"width_ratios": [1, 1.6]})
    _grouped_bars(
        left,
        [f"split {s}" for s in range(3)],
        {
            "held-out real": ([run["held_out_real_f1"] for run in scgan_runs], REAL_COLOR),
            "scgan": ([run["synthetic_f1"] for run in scgan_runs], SCGAN_COLOR),
            "scVI": ([run["scvi_f1"] for run in scvi_runs], SCVI_COLOR),
        },
    )
    left.set(ylim=(0.8, 1.0), ylabel="cell-type macro-F1", title="Labels recovered by a classifier")
    left.legend(fontsize="small", frameon=False, loc="lower left")
    labels = list(scgan_runs[0]["held_out_real_recall"])
    _grouped_bars(
        right,
        [label.replace(" Monocytes", "\nmonocytes").replace(" cells", "") for label in labels],
        {
            "held-out real": ([scgan_runs[0]["held_out_real_recall"][k] for k in labels], REAL_COLOR),
            "scgan": ([scgan_runs[0]["synthetic_recall"][k] for k in labels], SCGAN_COLOR),
            "scVI": ([scvi_runs[0]["scvi_recall"][k] for k in labels], SCVI_COLOR),
        },
    )
    right.set(ylim=(0.7, 1.02), ylabel="share labelled right", title="Per cell type, split 0")
    return _save(fig, out, "joint_condition_kang.png")


def _rates(run: dict) -> pd.DataFrame:
    """The per-SNP table of a genotype run: (real | synthetic | error) x (present | absent)."""
    table = run["table"]
    return pd.DataFrame(table["data"], index=table["index"], columns=pd.MultiIndex.from_tuples(table["columns"]))


def covariates_snp(results: Path, out: Path) -> Path:
    """Activation rates per SNP (seed 0) and the largest deviation from the truth per seed."""
    runs = [_json(results, f"covariates_snp_ncritic2_n_kept_generators3_seed{s}.json") for s in range(5)]
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 3.4), gridspec_kw={"width_ratios": [1.6, 1]})
    rates = _rates(runs[0])
    x = np.arange(len(rates))
    for state, truth, marker in (("present", 0.7, "o"), ("absent", 0.3, "s")):
        left.scatter(x - 0.12, rates[("real", state)], color=REAL_COLOR, marker=marker, s=22)
        left.scatter(x + 0.12, rates[("synthetic", state)], color=SCGAN_COLOR, marker=marker, s=22)
        left.axhline(truth, **IDEAL)
    left.scatter([], [], color=REAL_COLOR, label="held-out real")
    left.scatter([], [], color=SCGAN_COLOR, label="scgan")
    left.set_xticks(x, [name.replace("snp_", "SNP ") for name in rates.index], fontsize="small")
    left.set(
        ylim=(0, 1), ylabel="share of cells with the gene on", title="Seed 0: SNP present (circles), absent (squares)"
    )
    left.legend(fontsize="small", frameon=False, loc="center right")
    real = [
        max((_rates(run)[("real", "present")] - 0.7).abs().max(), (_rates(run)[("real", "absent")] - 0.3).abs().max())
        for run in runs
    ]
    _grouped_bars(
        right,
        [f"seed {s}" for s in range(5)],
        {
            "held-out real (1 cell per genotype)": (real, REAL_COLOR),
            "scgan, 1 cell per genotype": ([run["max_error_one_copy"] for run in runs], "#F2B77D"),
            "scgan, 10 cells per genotype": ([run["max_error"] for run in runs], SCGAN_COLOR),
        },
    )
    right.axhline(0.1, color="black", linestyle=":", linewidth=1.0)
    right.set(ylim=(0, 0.16), ylabel="largest rate error", title="Largest deviation from 0.7 / 0.3")
    right.legend(fontsize="x-small", frameon=False, loc="upper left", ncols=1)
    return _save(fig, out, "covariates_snp.png")


def oversampling(results: Path, out: Path, prefix: str) -> Path:
    """`scgan.pl.oversampling` of one benchmark's per-seed results."""
    table = pd.read_csv(results / f"{prefix}_results.csv")
    fig = scgan.pl.oversampling(table, metric="rare_f1", return_fig=True, show=False)
    return _save(fig, out, f"oversampling_{prefix}.png")


def speed(results: Path, out: Path) -> Path:
    """Training time, generation rate and peak memory of scgan and scVI."""
    rows = {row["method"]: row for row in _json(results, "speed.json")["rows"]}
    panels = [
        ("train_seconds", "training, 50 epochs (s)"),
        ("generate_cells_per_second", "generation (cells/s)"),
        ("peak_memory_mb", "peak memory (MB)"),
    ]
    fig, axes = plt.subplots(1, len(panels), figsize=(9, 2.6))
    for axis, (field, title) in zip(axes, panels, strict=True):
        values = [rows["scgan"][field], rows["scvi"][field]]
        axis.bar(["scgan", "scVI"], values, color=[SCGAN_COLOR, SCVI_COLOR])
        for i, value in enumerate(values):
            axis.text(i, value, f"{value:,.0f}", ha="center", va="bottom", fontsize="small")
        axis.set_title(title, fontsize="medium")
        axis.set_ylim(0, max(values) * 1.18)
    fig.tight_layout()
    return _save(fig, out, "speed.png")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--out", type=Path, default=HERE.parent / "docs" / "_static" / "benchmarks")
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    paths = [
        fidelity(args.results, args.out),
        joint_condition_kang(args.results, args.out),
        covariates_snp(args.results, args.out),
        *(
            oversampling(args.results, args.out, prefix)
            for prefix in ("pbmc3k_DC", "pbmc3k_Platelet", "kang_CD8", "baron_delta", "baron_quiescent_stellate")
        ),
        speed(args.results, args.out),
    ]
    for path in paths:
        print(f"{path} ({path.stat().st_size / 1024:.0f} kB)")


if __name__ == "__main__":
    main()
