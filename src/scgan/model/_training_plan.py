"""Adversarial Lightning training plan: manual optimisation, n critic steps per generator step."""

from __future__ import annotations

import contextlib
import copy

import lightning.pytorch as pl
import torch
from scvi import REGISTRY_KEYS

from scgan.module import ConditionalGAN, log_normalize

OBSM_COVARIATES_KEY = "covariates_obsm"


def batch_conditions(batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Categorical codes and continuous covariates of a minibatch from scvi-tools' data loader."""
    categorical = batch.get(REGISTRY_KEYS.CAT_COVS_KEY)
    continuous = [batch[k].float() for k in (REGISTRY_KEYS.CONT_COVS_KEY, OBSM_COVARIATES_KEY) if k in batch]
    categorical = categorical.long() if categorical is not None else None
    return categorical, (torch.cat(continuous, dim=1) if continuous else None)


def mmd_rbf(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Biased MMD^2 with Gaussian kernels at 0.5, 1 and 2 times the median pairwise distance."""
    pooled = torch.cat([x, y])
    distances = torch.cdist(pooled, pooled).pow(2)
    median = distances[distances > 0].median()
    kernel = sum(torch.exp(-distances / (2 * scale**2 * median)) for scale in (0.5, 1.0, 2.0))
    n = x.shape[0]
    return kernel[:n, :n].mean() + kernel[n:, n:].mean() - 2 * kernel[:n, n:].mean()


class GANTrainingPlan(pl.LightningModule):
    """Alternates critic and generator updates; keeps the generator that scores best on validation cells.

    Parameters
    ----------
    module
        The :class:`~scgan.module.ConditionalGAN`.
    n_critic
        Critic steps per generator step.
    lr_generator, lr_critic
        Adam learning rates.
    betas
        Adam betas (0.5, 0.9 as in WGAN-GP).
    gp_weight
        Weight of the gradient penalty (``wgan-gp``).
    clip_value
        Critic weight clipping bound (``wgan``).
    keep_best
        Restore, at the end of training, the generator with the lowest validation MMD (needs validation cells).
    n_validation_pcs
        Principal components (of training cells) in which the validation MMD is measured. 50, as in the held-out
        fidelity test: late generators of a long run put extra variance in the trailing components (cells
        farther from real ones), which 20 components did not see.
    n_validation_draws
        Generated cells per validation cell (fresh noise and counts each), which steadies the score.
    ema_decay
        Decay of an exponential moving average of the generator's weights, updated after every generator step
        (bias-corrected as in Adam). The averaged and the raw generator are both scored on validation cells; the
        best of either is kept. Without validation, the average is returned. 0 turns it off.
    """

    def __init__(
        self,
        module: ConditionalGAN,
        *,
        n_critic: int = 5,
        lr_generator: float = 5e-4,
        lr_critic: float = 5e-4,
        betas: tuple[float, float] = (0.5, 0.9),
        gp_weight: float = 10.0,
        clip_value: float = 0.01,
        keep_best: bool = True,
        n_validation_pcs: int = 50,
        n_validation_draws: int = 3,
        ema_decay: float = 0.995,
    ):
        super().__init__()
        if not 0.0 <= ema_decay < 1.0:
            msg = f"ema_decay must be in [0, 1) (0 turns the average off), got {ema_decay!r}."
            raise ValueError(msg)
        self.module = module
        self.n_critic = n_critic
        self.lr_generator = lr_generator
        self.lr_critic = lr_critic
        self.betas = betas
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        self.keep_best = keep_best
        self.n_validation_pcs = n_validation_pcs
        self.n_validation_draws = n_validation_draws
        self.ema_decay = ema_decay
        self.ema_generator: list[torch.Tensor] | None = None
        self.ema_steps = 0
        self.automatic_optimization = False
        self.critic_steps = 0
        self.best_score = float("inf")
        self.best_epoch: int | None = None
        self.best_generator: dict[str, torch.Tensor] | None = None
        self._validation_batches: list[dict[str, torch.Tensor]] = []
        self._pca: tuple[torch.Tensor, torch.Tensor] | None = None

    def configure_optimizers(self):
        """Adam for the generator and for the critic."""
        generator = torch.optim.Adam(self.module.generator.parameters(), lr=self.lr_generator, betas=self.betas)
        critic = torch.optim.Adam(self.module.critic.parameters(), lr=self.lr_critic, betas=self.betas)
        return [generator, critic]

    @staticmethod
    def _check_finite(name: str, value: torch.Tensor) -> None:
        if not torch.isfinite(value).all():
            msg = (
                f"Training diverged: the {name} became {value.item()}. Lower the learning rates (lr_generator, "
                "lr_critic), use loss='wgan-gp', or check the input counts."
            )
            raise FloatingPointError(msg)

    def training_step(self, batch, batch_idx):
        """One critic step, and one generator step every `n_critic` critic steps."""
        generator_opt, critic_opt = self.optimizers()
        counts = batch[REGISTRY_KEYS.X_KEY].float()
        categorical, continuous = batch_conditions(batch)

        losses = self.module.critic_step_loss(counts, categorical, continuous, gp_weight=self.gp_weight)
        self._check_finite("critic loss", losses["critic_loss"])
        critic_opt.zero_grad()
        self.manual_backward(losses["critic_loss"])
        critic_opt.step()
        if self.module.loss == "wgan":
            for parameter in self.module.critic.parameters():
                parameter.data.clamp_(-self.clip_value, self.clip_value)
        self.critic_steps += 1
        n = counts.shape[0]
        for name, value in losses.items():
            self.log(name, value.detach(), on_step=False, on_epoch=True, batch_size=n)

        if self.critic_steps % self.n_critic == 0:
            generator_loss = self.module.generator_step_loss(counts, categorical, continuous)
            self._check_finite("generator loss", generator_loss)
            generator_opt.zero_grad()
            self.manual_backward(generator_loss)
            generator_opt.step()
            self._update_ema()
            self.log("generator_loss", generator_loss.detach(), on_step=False, on_epoch=True, batch_size=n)

    # moving average of the generator's weights ----------------------------------------------------------
    def _update_ema(self):
        """Move the average towards the current generator weights."""
        if self.ema_decay == 0:
            return
        weights = list(self.module.generator.state_dict().values())
        if self.ema_generator is None:
            self.ema_generator = [torch.zeros_like(w) for w in weights]
        self.ema_steps += 1
        for average, weight in zip(self.ema_generator, weights, strict=True):
            average.lerp_(weight.detach(), 1.0 - self.ema_decay)

    def _averaged_weights(self) -> list[torch.Tensor]:
        """The moving average with Adam's bias correction.

        The zero start carries no weight, so a short run gives the average of the steps it took.
        """
        correction = 1.0 - self.ema_decay**self.ema_steps
        return [average / correction for average in self.ema_generator]

    @contextlib.contextmanager
    def averaged_generator(self):
        """Within the block the module's generator holds the averaged weights (if there is an average)."""
        if self.ema_generator is None:
            yield
            return
        current = copy.deepcopy(self.module.generator.state_dict())
        self._load_generator(self._averaged_weights())
        try:
            yield
        finally:
            self.module.generator.load_state_dict(current)

    def _load_generator(self, weights: list[torch.Tensor]):
        """Load weights given in the order of the generator's state dict."""
        keys = self.module.generator.state_dict().keys()
        self.module.generator.load_state_dict(dict(zip(keys, weights, strict=True)))

    # validation: a cheap held-out score to keep the best generator --------------------------------------
    def on_train_start(self):
        """Fix the PCA space of the validation score on (up to 2,000) training cells."""
        loader = self.trainer.datamodule.train_dataloader()
        cells, n_seen = [], 0
        for batch in loader:
            cells.append(log_normalize(batch[REGISTRY_KEYS.X_KEY].float()))
            n_seen += cells[-1].shape[0]
            if n_seen >= 2000:
                break
        lognorm = torch.cat(cells).to(self.device)
        mean = lognorm.mean(0, keepdim=True)
        q = min(self.n_validation_pcs, lognorm.shape[0] - 1, lognorm.shape[1])
        # exact, not randomised: the trailing components are those that tell the late generators apart
        _, _, right = torch.linalg.svd(lognorm - mean, full_matrices=False)
        self._pca = (mean, right[:q].T)

    def validation_step(self, batch, batch_idx):
        """Collect the validation cells; they are scored together at the end of the epoch."""
        self._validation_batches.append({k: v.detach() for k, v in batch.items()})

    def on_validation_epoch_end(self):
        """MMD between validation cells and generated cells of the same conditions, in the training PCA space."""
        if not self._validation_batches or self._pca is None:
            return
        batch = {k: torch.cat([b[k] for b in self._validation_batches]) for k in self._validation_batches[0]}
        self._validation_batches = []
        counts = batch[REGISTRY_KEYS.X_KEY].float()
        categorical, continuous = batch_conditions(batch)
        mean, components = self._pca
        real = (log_normalize(counts) - mean) @ components
        draws = self.n_validation_draws
        categorical, continuous = (None if c is None else c.repeat(draws, 1) for c in (categorical, continuous))
        library_size = counts.sum(1).repeat(draws)
        # the averaged generator and the raw one compete: the average lags behind in short runs
        candidates = [contextlib.nullcontext()]
        if self.ema_generator is not None:
            candidates.insert(0, self.averaged_generator())
        scores = []
        for candidate in candidates:
            with torch.random.fork_rng(devices=[]), candidate:
                torch.manual_seed(0)  # the same noise every epoch, so scores differ only by the generator
                fake = self.module.generate(categorical, continuous, library_size)
                scores.append(mmd_rbf(real, (log_normalize(fake) - mean) @ components).item())
                if self.keep_best and scores[-1] < self.best_score:
                    self.best_score = scores[-1]
                    self.best_epoch = self.current_epoch
                    self.best_generator = copy.deepcopy(self.module.generator.state_dict())
        self.log("validation_mmd", min(scores), on_step=False, on_epoch=True, batch_size=counts.shape[0])

    def on_train_end(self):
        """Restore the best generator seen on validation cells (else the averaged one, if any)."""
        if self.keep_best and self.best_generator is not None:
            self.module.generator.load_state_dict(self.best_generator)
        elif self.ema_generator is not None:
            self._load_generator(self._averaged_weights())
