"""Tools: train, generate, augment, evaluate, benchmark, interpolate."""

from scgan.tl._augment import augment
from scgan.tl._benchmark_oversampling import benchmark_oversampling, compare_oversampling, summarize_oversampling
from scgan.tl._evaluate import evaluate
from scgan.tl._generate import generate
from scgan.tl._interpolate import interpolate
from scgan.tl._train import train

__all__ = [
    "augment",
    "benchmark_oversampling",
    "compare_oversampling",
    "evaluate",
    "generate",
    "interpolate",
    "summarize_oversampling",
    "train",
]
