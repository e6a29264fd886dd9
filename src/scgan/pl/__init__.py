"""Plots of training, real vs synthetic cells and the evaluation tables."""

__all__: list[str] = []
