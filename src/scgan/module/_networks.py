"""Generator, critic and conditioning networks of the conditional GAN (pure torch, tensors in and out)."""

from __future__ import annotations

from collections.abc import Sequence

import torch
from torch import nn


def mlp(n_in: int, hidden: Sequence[int], *, dropout: float = 0.0, norm: bool = True) -> nn.Sequential:
    """Linear -> LayerNorm -> LeakyReLU (-> Dropout) blocks."""
    layers: list[nn.Module] = []
    for n_out in hidden:
        layers.append(nn.Linear(n_in, n_out))
        if norm:
            layers.append(nn.LayerNorm(n_out))
        layers.append(nn.LeakyReLU(0.2))
        if dropout > 0:
            layers.append(nn.Dropout(dropout))
        n_in = n_out
    return nn.Sequential(*layers)


class ConditionEmbedding(nn.Module):
    """Sum of one learned embedding per categorical column and a linear map of continuous covariates.

    Parameters
    ----------
    n_cats_per_key
        Number of categories of each categorical condition column.
    n_continuous
        Number of continuous covariates (numeric obs columns and obsm columns together).
    n_out
        Size of the embedding.
    """

    def __init__(self, n_cats_per_key: Sequence[int], n_continuous: int, n_out: int):
        super().__init__()
        self.embeddings = nn.ModuleList(nn.Embedding(n, n_out) for n in n_cats_per_key)
        self.continuous = nn.Linear(n_continuous, n_out, bias=False) if n_continuous else None
        self.n_out = n_out

    def forward(self, categorical: torch.Tensor | None, continuous: torch.Tensor | None) -> torch.Tensor:
        """Embed conditions: `categorical` (cells x keys, long) and `continuous` (cells x covariates)."""
        parts = [emb(categorical[:, i]) for i, emb in enumerate(self.embeddings)]
        if self.continuous is not None:
            parts.append(self.continuous(continuous))
        return torch.stack(parts).sum(0)


class Generator(nn.Module):
    """Maps noise and a condition to per-gene expression proportions (and, for `nb`, dispersions).

    Parameters
    ----------
    n_genes
        Number of genes generated.
    n_latent
        Size of the noise vector.
    n_cats_per_key, n_continuous
        Conditioning, as in :class:`ConditionEmbedding`.
    hidden
        Widths of the hidden layers.
    count_head
        ``'poisson'`` or ``'continuous'`` (proportions only) or ``'nb'`` (proportions and a learned
        per-gene, per-condition inverse dispersion).
    """

    def __init__(
        self,
        n_genes: int,
        *,
        n_latent: int,
        n_cats_per_key: Sequence[int],
        n_continuous: int,
        hidden: Sequence[int],
        count_head: str,
    ):
        super().__init__()
        self.n_latent = n_latent
        self.condition = ConditionEmbedding(n_cats_per_key, n_continuous, n_latent)
        self.body = mlp(2 * n_latent, hidden)
        self.logits = nn.Linear(hidden[-1], n_genes)
        self.log_theta = nn.Linear(hidden[-1], n_genes) if count_head == "nb" else None

    def forward(
        self, noise: torch.Tensor, categorical: torch.Tensor | None, continuous: torch.Tensor | None
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Proportions (cells x genes, rows sum to one) and inverse dispersions (or None)."""
        return self.decode(noise, self.condition(categorical, continuous))

    def decode(self, noise: torch.Tensor, embedding: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Proportions and inverse dispersions from noise and an already embedded condition.

        `embedding` is what :attr:`condition` returns (cells x `n_latent`), or any point between such embeddings:
        walks between conditions go through here.
        """
        hidden = self.body(torch.cat([noise, embedding], dim=1))
        proportions = torch.softmax(self.logits(hidden), dim=1)
        theta = None
        if self.log_theta is not None:
            theta = torch.exp(self.log_theta(hidden).clamp(-6.0, 10.0))
        return proportions, theta


class Critic(nn.Module):
    """Scores log-normalised expression given a condition, with a projection term per condition.

    The score is ``w . h(x) + sum_k <embed_k(c_k), h(x)>`` (projection discriminator), so the critic judges
    whether a cell looks real *for its condition*.

    Parameters
    ----------
    n_genes
        Number of genes.
    n_cats_per_key, n_continuous
        Conditioning, as in :class:`ConditionEmbedding`.
    hidden
        Widths of the hidden layers.
    dropout
        Dropout in the hidden layers (regularises a critic that sees few cells many times).
    minibatch_std
        Group size of the minibatch standard deviation (Karras et al. 2018): the spread of the last hidden
        layer's features over consecutive groups of this many cells, one number per group, is a further input
        of the score, so the critic sees whether generated cells vary as much as real ones. 0: off.
    """

    def __init__(
        self,
        n_genes: int,
        *,
        n_cats_per_key: Sequence[int],
        n_continuous: int,
        hidden: Sequence[int],
        dropout: float,
        minibatch_std: int,
    ):
        super().__init__()
        # no normalisation layers, as the gradient penalty is per sample; the group spread is the one statistic that
        # mixes cells, and only within a group
        self.body = mlp(n_genes, hidden, dropout=dropout, norm=False)
        self.minibatch_std = minibatch_std
        self.score = nn.Linear(hidden[-1] + (1 if minibatch_std else 0), 1)
        self.projection = ConditionEmbedding(n_cats_per_key, n_continuous, hidden[-1])

    def forward(
        self, expression: torch.Tensor, categorical: torch.Tensor | None, continuous: torch.Tensor | None
    ) -> torch.Tensor:
        """One unbounded score per cell."""
        hidden = self.body(expression)
        projection = (self.projection(categorical, continuous) * hidden).sum(1, keepdim=True)
        if self.minibatch_std:
            hidden = torch.cat([hidden, group_spread(hidden, self.minibatch_std)], dim=1)
        return (self.score(hidden) + projection).squeeze(1)


def group_spread(features: torch.Tensor, group_size: int) -> torch.Tensor:
    """Per cell, the standard deviation of `features` over its group, averaged over features (cells x 1).

    Groups are consecutive rows, `group_size` each (the last one may be smaller). Real and generated minibatches
    list the same conditions in the same order, so each group is compared with one of the same conditions.
    """
    n_cells = features.shape[0]
    group = torch.arange(n_cells, device=features.device) // group_size
    size = torch.bincount(group).unsqueeze(1).to(features.dtype)
    mean = features.new_zeros(size.shape[0], features.shape[1]).index_add_(0, group, features) / size
    variance = torch.zeros_like(mean).index_add_(0, group, (features - mean[group]) ** 2) / size
    return (variance + 1e-8).sqrt().mean(1, keepdim=True)[group]
