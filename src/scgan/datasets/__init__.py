"""Datasets: real counts shipped with scanpy and seeded simulations."""

from scgan.datasets._genotypes import activation_rates, simulate_genotypes
from scgan.datasets._pbmc68k import pbmc68k
from scgan.datasets._simulate import simulate

__all__ = ["activation_rates", "pbmc68k", "simulate", "simulate_genotypes"]
