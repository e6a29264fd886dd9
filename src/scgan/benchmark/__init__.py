"""Benchmark machinery, apart from the user tools: the oversampling arms and harness, the scVI baseline, script helpers.

The oversampling arms are registered by name in `ARMS` (an arm is a function of a :class:`Fold`);
:func:`oversampling` runs them and is the machinery of :func:`scgan.tl.benchmark_oversampling`.
:func:`scvi_samples` is the scVI baseline every comparison uses: scvi-tools' SCVI with the condition columns as
categorical covariates, at its default epochs. The scripts in ``benchmarks/`` share :func:`read_data`,
:func:`held_out_split`, :func:`parse_options` and :func:`write_json`.
"""

from scgan.benchmark._arms import ARMS, generator_arm
from scgan.benchmark._fold import Fold
from scgan.benchmark._harness import oversampling
from scgan.benchmark._scripts import check_data_file, held_out_split, parse_options, read_data, write_json
from scgan.benchmark._scvi import sample_scvi, scvi_samples, train_scvi
from scgan.benchmark._summary import compare, h5ad_record, summarize

__all__ = [
    "ARMS",
    "Fold",
    "check_data_file",
    "compare",
    "generator_arm",
    "h5ad_record",
    "held_out_split",
    "oversampling",
    "parse_options",
    "read_data",
    "sample_scvi",
    "scvi_samples",
    "summarize",
    "train_scvi",
    "write_json",
]
