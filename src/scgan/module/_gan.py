"""The conditional GAN as one torch module: networks, count head, losses and the library-size pool."""

from __future__ import annotations

import copy
import math
import numbers
from collections.abc import Sequence

import numpy as np
import torch
from torch import nn

from scgan.module._counts import COUNT_HEADS, draw_integer_counts, log_normalize, sample_counts
from scgan.module._losses import check_loss, critic_loss, generator_loss, gradient_penalty
from scgan.module._networks import Critic, Generator


class ConditionalGAN(nn.Module):
    """Conditional Wasserstein GAN on counts.

    The generator outputs expression proportions; counts are drawn from them and a library size taken from
    real cells of the same joint condition, and the critic sees log1p counts per `critic_target_sum` of those
    counts exactly as it sees real cells.

    Parameters
    ----------
    n_genes
        Number of genes.
    n_cats_per_key
        Number of categories of each categorical condition column.
    n_continuous
        Number of continuous covariates.
    n_latent
        Size of the generator's noise vector.
    generator_hidden, critic_hidden
        Widths of the hidden layers.
    critic_dropout
        Dropout in the critic.
    critic_minibatch_std
        Group size of the critic's minibatch standard deviation (see :class:`~scgan.module.Critic`); 0: off.
    count_head
        ``'poisson'`` (default), ``'nb'`` or ``'continuous'``; see :func:`sample_counts`.
    loss
        ``'wgan-gp'`` (default), ``'wgan'`` (weight clipping) or ``'gan'`` (non-saturating BCE).
    critic_target_sum
        The critic reads log1p of counts scaled to this total per cell; `None` (default) uses the median
        library size of the training cells, as :func:`scanpy.pp.normalize_total` does (``1e4``: per 10k).
    noise_df
        Degrees of freedom of the multivariate Student-t noise (a Gaussian vector divided by the square root of
        an independent chi-squared / df per cell), in training and generation (default 3); `None`: Gaussian.
    """

    def __init__(
        self,
        n_genes: int,
        *,
        n_cats_per_key: Sequence[int] = (),
        n_continuous: int = 0,
        n_latent: int = 128,
        generator_hidden: Sequence[int] = (512, 64),
        critic_hidden: Sequence[int] = (256, 256),
        critic_dropout: float = 0.0,
        critic_minibatch_std: int = 0,
        count_head: str = "poisson",
        loss: str = "wgan-gp",
        critic_target_sum: float | None = None,
        noise_df: float | None = 3.0,
    ):
        super().__init__()
        _check_options(locals())
        if not n_cats_per_key and not n_continuous:
            msg = "The GAN needs at least one condition: a categorical column or a continuous covariate."
            raise ValueError(msg)
        self.n_genes = n_genes
        self.n_cats_per_key = list(n_cats_per_key)
        self.n_continuous = n_continuous
        self.count_head = count_head
        self.loss = loss
        self.noise_df = noise_df
        self.generator = Generator(
            n_genes,
            n_latent=n_latent,
            n_cats_per_key=n_cats_per_key,
            n_continuous=n_continuous,
            hidden=generator_hidden,
            count_head=count_head,
        )
        # further generators that generation draws cells from besides `generator` (see `set_mixture`)
        self.mixture = nn.ModuleList()
        self.critic = Critic(
            n_genes,
            n_cats_per_key=n_cats_per_key,
            n_continuous=n_continuous,
            hidden=critic_hidden,
            dropout=critic_dropout,
            minibatch_std=critic_minibatch_std,
        )
        # the training cells' library sizes and conditions, to draw library sizes (and conditions) from
        self.register_buffer("library_sizes", torch.zeros(0))
        self.register_buffer("pool_categorical", torch.zeros(0, len(self.n_cats_per_key), dtype=torch.long))
        self.register_buffer("pool_continuous", torch.zeros(0, n_continuous))
        # how many training cells each pool row stands for (1 unless the pool is a sample of a large dataset)
        self.register_buffer("pool_weights", torch.zeros(0))
        self.critic_target_sum = critic_target_sum
        self.register_buffer("critic_scale", torch.tensor(float(critic_target_sum or 1e4)))

    # conditions -----------------------------------------------------------------------------------------
    def joint_group(self, categorical: torch.Tensor | None) -> torch.Tensor:
        """One integer per cell for its joint categorical condition."""
        group = torch.zeros(categorical.shape[0], dtype=torch.long, device=categorical.device)
        for i, n_cats in enumerate(self.n_cats_per_key):
            group = group * n_cats + categorical[:, i].long()
        return group

    def set_training_pool(
        self,
        library_sizes: torch.Tensor,
        categorical: torch.Tensor | None,
        continuous: torch.Tensor | None,
        *,
        weights: torch.Tensor | None = None,
        median_library_size: float | None = None,
    ) -> None:
        """Store library sizes of training cells with their conditions, to draw from at generation time.

        `weights` says how many training cells each row stands for when the pool is a sample (1 each by default);
        `median_library_size` is that of all training cells (default: of the pool), the critic's scale when
        `critic_target_sum` is None.
        """
        n_cells = library_sizes.shape[0]
        self.library_sizes = library_sizes.float().cpu()
        self.pool_categorical = (
            categorical.long().cpu() if categorical is not None else torch.zeros(n_cells, 0, dtype=torch.long)
        )
        self.pool_continuous = continuous.float().cpu() if continuous is not None else torch.zeros(n_cells, 0)
        self.pool_weights = weights.float().cpu() if weights is not None else torch.ones(n_cells)
        if self.critic_target_sum is None and n_cells:
            median = self.library_sizes.median() if median_library_size is None else torch.tensor(median_library_size)
            self.critic_scale = median.float().clamp_min(1.0)

    def draw_pool_rows(self, n_cells: int, rng: np.random.Generator) -> np.ndarray:
        """Rows of the pool for `n_cells` cells, so their conditions follow the training proportions."""
        weights = self.pool_weights.numpy().astype(np.float64)
        uniform = weights.size == 0 or np.all(weights == weights[0])
        return rng.choice(len(weights), size=n_cells, p=None if uniform else weights / weights.sum())

    def draw_library_sizes(self, categorical: torch.Tensor | None, n_cells: int, rng: np.random.Generator):
        """Library sizes drawn from training cells of the same joint condition (all cells if it was unseen)."""
        pool_sizes = self.library_sizes.numpy()
        if categorical is None:
            return torch.from_numpy(rng.choice(pool_sizes, size=n_cells).astype(np.float32))
        pool_groups = self.joint_group(self.pool_categorical).numpy()
        wanted = self.joint_group(categorical).cpu().numpy()
        out = np.empty(n_cells, dtype=np.float32)
        for group in np.unique(wanted):
            cells = wanted == group
            pool = pool_sizes[pool_groups == group]
            if pool.size == 0:
                pool = pool_sizes
            out[cells] = rng.choice(pool, size=int(cells.sum()))
        return torch.from_numpy(out)

    # networks -------------------------------------------------------------------------------------------
    def _proportions(self, categorical: torch.Tensor | None, continuous: torch.Tensor | None, n_cells: int, device):
        """Generator output (proportions, inverse dispersions) for `n_cells` fresh noise vectors."""
        return self.generator(self.noise(n_cells, device), categorical, continuous)

    def set_mixture(self, n_generators: int) -> None:
        """Generate from `n_generators` generators: `generator` and copies of it, whose weights are then loaded.

        :meth:`generate` draws each cell's generator at random, with equal chances; 1 generates from `generator`
        alone. Training updates `generator` only.
        """
        if not (_is_integer(n_generators) and n_generators >= 1):
            msg = f"n_generators must be a positive integer, got {n_generators!r}."
            raise ValueError(msg)
        self.mixture = nn.ModuleList(copy.deepcopy(self.generator) for _ in range(n_generators - 1))

    def _load_from_state_dict(self, state_dict, prefix, *args, **kwargs):
        # weights of a mixture (saved, or sent back by a spawned training process) need as many generators to load
        members = {key[len(prefix) :].split(".")[1] for key in state_dict if key.startswith(f"{prefix}mixture.")}
        self.set_mixture(len(members) + 1)
        super()._load_from_state_dict(state_dict, prefix, *args, **kwargs)

    @property
    def generators(self) -> list[Generator]:
        """`generator` and the further generators of the mixture."""
        return [self.generator, *self.mixture]

    def noise(self, n_cells: int, device) -> torch.Tensor:
        """Noise vectors: Gaussian, or multivariate Student-t with `noise_df` degrees of freedom."""
        noise = torch.randn(n_cells, self.generator.n_latent, device=device)
        if self.noise_df is None:
            return noise
        # drawn on the device of the noise (on the CPU the same numbers as a CPU draw), no copy per step
        df = torch.tensor(float(self.noise_df), device=device)
        chi2 = torch.distributions.Chi2(df, validate_args=False).sample((n_cells, 1))
        return noise / torch.sqrt(chi2 / self.noise_df)

    def fake_counts(
        self, categorical: torch.Tensor | None, continuous: torch.Tensor | None, library_size: torch.Tensor
    ) -> torch.Tensor:
        """Counts of generated cells for the training step (differentiable by straight-through)."""
        proportions, theta = self._proportions(categorical, continuous, library_size.shape[0], library_size.device)
        return sample_counts(proportions, theta, library_size, head=self.count_head)

    def score(self, counts: torch.Tensor, categorical: torch.Tensor | None, continuous: torch.Tensor | None):
        """Critic scores of cells given as counts."""
        return self.critic(log_normalize(counts, self.critic_scale), categorical, continuous)

    @torch.no_grad()
    def generate(
        self, categorical: torch.Tensor | None, continuous: torch.Tensor | None, library_size: torch.Tensor
    ) -> torch.Tensor:
        """Integer counts (as a float tensor) of new cells; uses torch's global random state.

        With a mixture (:meth:`set_mixture`) each cell comes from one of its generators, drawn at random.
        """
        n_cells, device = library_size.shape[0], library_size.device
        if not len(self.mixture):
            proportions, theta = self._proportions(categorical, continuous, n_cells, device)
            return draw_integer_counts(proportions, theta, library_size, head=self.count_head)
        member = torch.randint(len(self.generators), (n_cells,), device=device)
        counts = torch.empty(n_cells, self.n_genes, device=device)
        for i, generator in enumerate(self.generators):
            cells = member == i
            if not cells.any():
                continue
            proportions, theta = generator(
                self.noise(int(cells.sum()), device),
                None if categorical is None else categorical[cells],
                None if continuous is None else continuous[cells],
            )
            counts[cells] = draw_integer_counts(proportions, theta, library_size[cells], head=self.count_head)
        return counts

    # losses ---------------------------------------------------------------------------------------------
    def critic_step_loss(
        self,
        real_counts: torch.Tensor,
        categorical: torch.Tensor | None,
        continuous: torch.Tensor | None,
        *,
        gp_weight: float,
    ) -> dict[str, torch.Tensor]:
        """Critic loss on a batch of real cells and as many generated cells of the same conditions."""
        with torch.no_grad():
            fake_counts = self.fake_counts(categorical, continuous, real_counts.sum(1))
        real = log_normalize(real_counts, self.critic_scale)
        fake = log_normalize(fake_counts, self.critic_scale)
        real_scores = self.critic(real, categorical, continuous)
        fake_scores = self.critic(fake, categorical, continuous)
        loss = critic_loss(real_scores, fake_scores, loss=self.loss)
        out = {"wasserstein": (real_scores.mean() - fake_scores.mean()).detach()}
        if self.loss == "wgan-gp":
            penalty = gradient_penalty(lambda x: self.critic(x, categorical, continuous), real, fake)
            loss = loss + gp_weight * penalty
            out["gradient_penalty"] = penalty.detach()
        out["critic_loss"] = loss
        return out

    def generator_step_loss(
        self, real_counts: torch.Tensor, categorical: torch.Tensor | None, continuous: torch.Tensor | None
    ) -> torch.Tensor:
        """Generator loss on generated cells with the conditions and library sizes of a real batch."""
        fake = self.fake_counts(categorical, continuous, real_counts.sum(1))
        return generator_loss(self.score(fake, categorical, continuous), loss=self.loss)


def _check_options(options: dict) -> None:
    """A ValueError naming the first option of the module that is out of range."""
    if options["count_head"] not in COUNT_HEADS:
        msg = f"Unknown count_head {options['count_head']!r}; choose one of {COUNT_HEADS}."
        raise ValueError(msg)
    check_loss(options["loss"])
    rules = {
        "n_latent": (_is_count(options["n_latent"]), "a positive integer"),
        "generator_hidden": (_are_counts(options["generator_hidden"]), "a non-empty sequence of positive integers"),
        "critic_hidden": (_are_counts(options["critic_hidden"]), "a non-empty sequence of positive integers"),
        "critic_dropout": (_is_real(options["critic_dropout"]) and 0 <= options["critic_dropout"] < 1, "in [0, 1)"),
        "critic_minibatch_std": (
            _is_integer(options["critic_minibatch_std"]) and options["critic_minibatch_std"] >= 0,
            "a non-negative integer (0: off)",
        ),
        "critic_target_sum": (
            options["critic_target_sum"] is None
            or (_is_real(options["critic_target_sum"]) and options["critic_target_sum"] > 0),
            "positive or None (the median library size)",
        ),
        "noise_df": (
            options["noise_df"] is None or (_is_real(options["noise_df"]) and options["noise_df"] > 0),
            "positive or None (Gaussian noise)",
        ),
    }
    for name, (valid, expected) in rules.items():
        if not valid:
            msg = f"{name} must be {expected}, got {options[name]!r}."
            raise ValueError(msg)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _is_integer(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_count(value) -> bool:
    return _is_integer(value) and value >= 1


def _are_counts(values) -> bool:
    return (
        not isinstance(values, str)
        and isinstance(values, Sequence)
        and len(values) > 0
        and all(_is_count(v) for v in values)
    )
