"""Datasets: real counts shipped with scanpy and seeded simulations."""

from scgan.datasets._pbmc68k import pbmc68k
from scgan.datasets._simulate import simulate

__all__ = ["pbmc68k", "simulate"]
