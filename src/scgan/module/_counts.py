"""Count heads: turn generated proportions and library sizes into integer counts inside the training step."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import torch

COUNT_HEADS = ("poisson", "nb", "continuous")
POISSON_BLOCK_ROWS = 1024


def log_normalize(counts: torch.Tensor, target_sum: float | torch.Tensor = 1e4) -> torch.Tensor:
    """log1p of counts per `target_sum` per cell (counts per 10k by default)."""
    return torch.log1p(counts / counts.sum(1, keepdim=True).clamp_min(1.0) * target_sum)


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
    return draw_poisson(mean)


def draw_poisson(mean: torch.Tensor, *, block_rows: int = POISSON_BLOCK_ROWS) -> torch.Tensor:
    """Poisson counts of `mean`; on the CPU drawn in row blocks on torch's threads.

    ``torch.poisson`` uses one CPU core. Each block gets its own generator, seeded from torch's global random
    state, so the counts depend on that state alone, not on the number of threads.
    """
    if mean.device.type != "cpu":
        return torch.poisson(mean)
    blocks = mean.split(block_rows)
    seeds = torch.randint(0, 2**62, (len(blocks),)).tolist()

    def draw(block: torch.Tensor, seed: int) -> torch.Tensor:
        return torch.poisson(block, generator=torch.Generator().manual_seed(seed))

    n_threads = min(torch.get_num_threads(), len(blocks))
    if n_threads <= 1:
        return torch.cat([draw(block, seed) for block, seed in zip(blocks, seeds, strict=True)])
    with ThreadPoolExecutor(n_threads) as pool:
        return torch.cat(list(pool.map(draw, blocks, seeds)))
