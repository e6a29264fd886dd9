"""Adversarial losses: WGAN with gradient penalty (default), WGAN with weight clipping, non-saturating GAN."""

from __future__ import annotations

from collections.abc import Callable

import torch
import torch.nn.functional as F

LOSSES = ("wgan-gp", "wgan", "gan")


def gradient_penalty(critic: Callable[[torch.Tensor], torch.Tensor], real: torch.Tensor, fake: torch.Tensor):
    """Gulrajani et al.'s penalty: mean of (||grad critic(x_hat)|| - 1)^2 on random interpolates x_hat."""
    alpha = torch.rand(real.shape[0], 1, device=real.device, dtype=real.dtype)
    interpolates = (alpha * real + (1 - alpha) * fake).requires_grad_(True)
    scores = critic(interpolates)
    (grad,) = torch.autograd.grad(scores.sum(), interpolates, create_graph=True)
    return ((grad.norm(2, dim=1) - 1) ** 2).mean()


def critic_loss(real_scores: torch.Tensor, fake_scores: torch.Tensor, *, loss: str) -> torch.Tensor:
    """Loss the critic minimises (without the gradient penalty)."""
    if loss == "gan":
        return F.softplus(-real_scores).mean() + F.softplus(fake_scores).mean()
    return fake_scores.mean() - real_scores.mean()


def generator_loss(fake_scores: torch.Tensor, *, loss: str) -> torch.Tensor:
    """Loss the generator minimises; for ``gan`` the non-saturating form -log D(G(z))."""
    if loss == "gan":
        return F.softplus(-fake_scores).mean()
    return -fake_scores.mean()


def check_loss(loss: str) -> None:
    """Raise a ValueError naming the known losses."""
    if loss not in LOSSES:
        msg = f"Unknown loss {loss!r}; choose one of {LOSSES}."
        raise ValueError(msg)
