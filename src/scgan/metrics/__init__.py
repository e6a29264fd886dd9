"""Fidelity and oversampling kernels: arrays in, numbers out."""

from scgan.metrics._coverage import precision_recall_coverage
from scgan.metrics._de import de_agreement, rank_genes
from scgan.metrics._fidelity import (
    cell_ks,
    classifier_auroc,
    gene_agreement,
    label_faithfulness,
    marker_overlap,
    mmd,
    non_integer_fraction,
)
from scgan.metrics._memorisation import memorisation, nearest_distances
from scgan.metrics._programs import gene_program_agreement

__all__ = [
    "cell_ks",
    "classifier_auroc",
    "de_agreement",
    "gene_agreement",
    "gene_program_agreement",
    "label_faithfulness",
    "marker_overlap",
    "memorisation",
    "mmd",
    "nearest_distances",
    "non_integer_fraction",
    "precision_recall_coverage",
    "rank_genes",
]
