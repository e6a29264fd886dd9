"""Biology rows: differential expression recovery, coverage of real states, gene programs and memorisation."""

from __future__ import annotations

import numpy as np
import pandas as pd
from anndata import AnnData

from scgan._utils import categorical
from scgan.metrics import de_agreement, gene_program_agreement, memorisation, precision_recall_coverage
from scgan.tl._evaluate_cells import Cells, split_in_two
from scgan.tl._evaluate_table import OVERALL, mean_of_finite, per_label, rows

DE_METRICS = ("de_lfc_pearson", "de_lfc_spearman", "de_top_overlap", "de_sign_agreement")
N_DE_GENES = 50
# gene-gene correlations of this many top highly variable genes: expressed enough for a correlation to be
# estimated from a few hundred cells, few enough for the matrix to stay small
N_PROGRAM_GENES = 100


def states_table(
    compared: Cells,
    synthetic: Cells,
    reference: Cells,
    labels: list[str],
    *,
    program_columns: np.ndarray,
    random_state: int,
) -> pd.DataFrame:
    """Precision, recall, density, coverage and gene programs, overall and per label, synthetic and reference.

    `program_columns` are the columns of the gene programs in the cells' log-normalised expression.
    """

    def compare(real: Cells, other: Cells) -> dict[str, float]:
        scores = precision_recall_coverage(real.features, other.features, random_state=random_state)
        scores["program_corr"] = gene_program_agreement(
            real.lognorm[:, program_columns], other.lognorm[:, program_columns], random_state=random_state
        )
        return scores

    return per_label(compared, synthetic, reference, labels, compare)


def contrasts_of(real: AnnData, contrast_key: str | None, labels: list[str]) -> list[tuple[str, str, str | None]]:
    """The contrasts of differential expression as ``(label, group, base)``.

    Each level of `contrast_key` against its first level within each label; without a contrast column, each label
    against the other cells (`base` None).
    """
    if contrast_key is None:
        return [(label, label, None) for label in labels]
    present = set(real.obs[contrast_key].astype(str))
    levels = [level for level in categorical(real.obs[contrast_key]).cat.categories.astype(str) if level in present]
    return [(label, level, levels[0]) for label in labels for level in levels[1:]]


def de_table(
    compared: Cells, synthetic: Cells, reference: Cells, contrasts: list[tuple[str, str, str | None]]
) -> pd.DataFrame:
    """Differential expression recovery per contrast and its mean over contrasts (``"all"``).

    A contrast ``(label, group, base)`` compares level `group` with level `base` of the contrast column within
    the cells of `label`; with `base` None, it compares the cells of label `group` with all other cells.
    """
    # one contrast per label (e.g. stim vs ctrl): rows are named after the label alone
    one_per_label = len(contrasts) == len({label for label, _, _ in contrasts})
    per_contrast = {}  # row label -> (synthetic values, reference values, n_real, n_synthetic)
    for label, group, base in contrasts:
        sides = []
        for cells in (compared, synthetic, reference):
            if base is None:
                sides.append((cells.lognorm, cells.labels))
            else:
                in_label = cells.labels == label
                sides.append((cells.lognorm[in_label], cells.contrasts[in_label]))
        (real_lognorm, real_groups), *others = sides
        values = [
            de_agreement(
                real_lognorm, real_groups, lognorm, groups, group=group, reference=base or "rest", n_top=N_DE_GENES
            )
            for lognorm, groups in others
        ]
        row_label = label if base is None or one_per_label else f"{label}: {group} vs {base}"
        n_real = int((compared.labels == label).sum())
        n_synthetic = int((synthetic.labels == label).sum())
        per_contrast[row_label] = (*values, n_real, n_synthetic)
    results = {}
    for metric in DE_METRICS:
        results[metric, OVERALL] = (
            mean_of_finite([values[0][metric] for values in per_contrast.values()]),
            mean_of_finite([values[1][metric] for values in per_contrast.values()]),
            compared.labels.size,
            synthetic.labels.size,
        )
        for row_label, (synthetic_values, reference_values, n_real, n_synthetic) in per_contrast.items():
            results[metric, row_label] = (synthetic_values[metric], reference_values[metric], n_real, n_synthetic)
    return rows(results)


def memorisation_table(
    training_features: np.ndarray, compared: Cells, synthetic: Cells, labels: list[str], *, random_state: int
) -> pd.DataFrame:
    """Memorisation overall and per label; the reference compares one half of the compared cells with the other."""
    in_first = np.zeros(compared.labels.size, dtype=bool)
    in_second = np.zeros(compared.labels.size, dtype=bool)
    try:
        first, second = split_in_two(compared.labels, second_fraction=0.5, random_state=random_state)
        in_first[first], in_second[second] = True, True
    except ValueError:  # too few compared cells to halve by label: no reference
        pass
    half_a, half_b = compared.subset(in_first), compared.subset(in_second)
    results = {}
    for group in [OVERALL, *labels]:
        parts = [
            cells if group == OVERALL else cells.subset(cells.labels == group)
            for cells in (compared, synthetic, half_a, half_b)
        ]
        real_part, synthetic_part, a_part, b_part = parts
        synthetic_values = memorisation(training_features, synthetic_part.features, real_part.features)
        reference_values = memorisation(training_features, a_part.features, b_part.features)
        for metric, value in synthetic_values.items():
            results[metric, group] = (
                value,
                reference_values[metric],
                real_part.labels.size,
                synthetic_part.labels.size,
            )
    return rows(results)
