"""Count heads: turn generated proportions and library sizes into integer counts inside the training step."""

from __future__ import annotations

import torch

COUNT_HEADS = ("poisson", "nb", "continuous")


def log_normalize(counts: torch.Tensor) -> torch.Tensor:
    """log1p of counts per 10,000 per cell, the representation the critic sees for real and fake cells."""
    return torch.log1p(counts / counts.sum(1, keepdim=True).clamp_min(1.0) * 1e4)


def straight_through(sample: torch.Tensor, mean: torch.Tensor) -> torch.Tensor:
    """Value of `sample`, gradient of `mean`: lets the generator learn through a discrete draw."""
    return mean + (sample - mean).detach()


def sample_counts(
    proportions: torch.Tensor, theta: torch.Tensor | None, library_size: torch.Tensor, *, head: str
) -> torch.Tensor:
    """Counts for a count head; the gradient reaches `proportions` (and `theta`) by straight-through.

    ``poisson``: Poisson(proportions x library size). ``nb``: a gamma-Poisson mixture, the gamma drawn with
    its reparameterised sampler. ``continuous``: the expected counts, no sampling (scGAN-style; integers are
    drawn only at generation time).
    """
    mean = proportions * library_size[:, None]
    if head == "continuous":
        return mean
    if head == "nb":
        rate = torch.distributions.Gamma(theta, theta / mean.clamp_min(1e-8)).rsample()
    else:
        rate = mean
    return straight_through(torch.poisson(rate.detach()), rate)


def draw_integer_counts(
    proportions: torch.Tensor, theta: torch.Tensor | None, library_size: torch.Tensor, *, head: str
) -> torch.Tensor:
    """Integer counts at generation time, for every head (the continuous head draws Poisson counts here)."""
    mean = proportions * library_size[:, None]
    if head == "nb":
        mean = torch.distributions.Gamma(theta, theta / mean.clamp_min(1e-8)).sample()
    return torch.poisson(mean)
