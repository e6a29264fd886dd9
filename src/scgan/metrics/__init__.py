"""Fidelity and oversampling kernels: arrays in, numbers out."""

__all__: list[str] = []
