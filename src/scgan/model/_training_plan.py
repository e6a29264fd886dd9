"""Adversarial Lightning training plan: manual optimisation, n critic steps per generator step, a step budget."""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
from dataclasses import dataclass

import lightning.pytorch as pl
import torch
from scvi import REGISTRY_KEYS

from scgan._utils import is_integer, is_real
from scgan.metrics import mmd
from scgan.metrics._features import PCASpace
from scgan.model._generation import counts_to_csr
from scgan.module import ConditionalGAN

OBSM_COVARIATES_KEY = "covariates_obsm"
# validation checks per training when `validation_interval` is not given
N_VALIDATION_CHECKS = 40
# name of the kept generator's epoch among the trainer's callback metrics
BEST_EPOCH = "best_epoch"


def batch_conditions(batch: dict[str, torch.Tensor]) -> tuple[torch.Tensor | None, torch.Tensor | None]:
    """Categorical codes and continuous covariates of a minibatch from scvi-tools' data loader."""
    categorical = batch.get(REGISTRY_KEYS.CAT_COVS_KEY)
    continuous = [batch[k].float() for k in (REGISTRY_KEYS.CONT_COVS_KEY, OBSM_COVARIATES_KEY) if k in batch]
    categorical = categorical.long() if categorical is not None else None
    return categorical, (torch.cat(continuous, dim=1) if continuous else None)


@dataclass
class ValidationCells:
    """Cells the validation score is computed on: a bounded sample, held by the plan, the same on every device.

    Attributes
    ----------
    counts
        Counts of the held-out validation cells (cells x genes).
    categorical, continuous
        Their conditions, as in a minibatch.
    pca_counts
        Counts of training cells the score's PCA space is fitted on.
    """

    counts: torch.Tensor
    categorical: torch.Tensor | None
    continuous: torch.Tensor | None
    pca_counts: torch.Tensor


class GANTrainingPlan(pl.LightningModule):
    """Alternates critic and generator updates; keeps the generator that scores best on validation cells.

    Parameters
    ----------
    module
        The :class:`~scgan.module.ConditionalGAN`.
    validation
        Validation cells (see :class:`ValidationCells`); `None` trains without a validation score.
    max_steps
        Stop after this many critic steps (minibatches per device); `None` trains the trainer's `max_epochs`.
    n_critic
        Critic steps per generator step. For continuous covariates such as genotype calls, 2: their effects
        are learned over many generator steps, and at 5 a run ends before they are (docs: design decisions).
        With covariates, also train with ``generator_hidden=(512, 1024)``.
    lr_generator, lr_critic
        Adam learning rates.
    lr_schedule
        ``"constant"`` keeps the learning rates; ``"linear"`` lowers both in a straight line from their value at
        the first step to 0 at the last (`max_steps`, else the trainer's `max_epochs`), over critic steps.
    betas
        Adam betas (0.5, 0.9 as in WGAN-GP).
    gp_weight
        Weight of the gradient penalty (``wgan-gp``).
    clip_value
        Critic weight clipping bound (``wgan``).
    keep_best
        Restore, at the end of training, the generators with the lowest validation MMD (needs validation cells).
    n_kept_generators
        With `keep_best`, keep this many generators, those with the lowest validation MMD over all checks, and
        draw each generated cell from one of them at random (a mixture, see
        :meth:`~scgan.module.ConditionalGAN.set_mixture`); 1 keeps the single best. Without validation cells
        one generator is returned, as `ema_decay` says.
    keep_from
        With `keep_best`, keep only generators of checks from this share of the step budget on (0: from the first
        check; early stopping counts checks from there). The validation score has no cells of a label under 20
        cells, and such a label can be learned after the score stops improving: on a rare type of 10 cells, 0.5
        keeps generators with more of its markers, though not a better top-up for a classifier (docs: design
        decisions).
    early_stopping, early_stopping_patience
        With `keep_best`, stop once the validation score has not improved for `early_stopping_patience`
        validation checks in a row; the best generator is restored as always. For cell types and conditions this
        keeps the same generator in a third of the time; for continuous covariates it can stop before their
        effects are learned (the score can stall early on), hence off by default.
    validation_interval
        Critic steps between validation checks; `None`: about 40 checks per training.
    n_validation_pcs
        Principal components (of training cells, exact SVD) in which the validation MMD is measured. 50, as in
        the held-out fidelity test: late generators of a long run put extra variance in the trailing components
        (cells farther from real ones), which 20 components did not see.
    n_validation_draws
        Generated cells per validation cell (fresh noise and counts each), which steadies the score.
    ema_decay
        Decay of an exponential moving average of the generator's weights, updated after every generator step
        (bias-corrected as in Adam, so a short run is the plain average of its steps). The averaged and the raw
        generator are both scored on validation cells; the best of either is kept. Without validation, the
        average is returned. 0 turns it off.
    """

    def __init__(
        self,
        module: ConditionalGAN,
        *,
        validation: ValidationCells | None = None,
        max_steps: int | None = None,
        n_critic: int = 5,
        lr_generator: float = 5e-4,
        lr_critic: float = 5e-4,
        lr_schedule: str = "constant",
        betas: tuple[float, float] = (0.5, 0.9),
        gp_weight: float = 10.0,
        clip_value: float = 0.01,
        keep_best: bool = True,
        n_kept_generators: int = 3,
        keep_from: float = 0.0,
        early_stopping: bool = False,
        early_stopping_patience: int = 6,
        validation_interval: int | None = None,
        n_validation_pcs: int = 50,
        n_validation_draws: int = 3,
        ema_decay: float = 0.995,
    ):
        super().__init__()
        _check_options(locals())
        self.module = module
        self.validation = validation
        self.max_steps = max_steps
        self.n_critic = n_critic
        self.lr_generator = lr_generator
        self.lr_critic = lr_critic
        self.lr_schedule = lr_schedule
        self.total_steps: int | None = None
        self.betas = tuple(betas)
        self.gp_weight = gp_weight
        self.clip_value = clip_value
        if early_stopping and not (keep_best and validation is not None):
            warnings.warn(
                "early_stopping needs keep_best=True and validation cells (validation_fraction > 0 and conditions of"
                " at least 20 cells); training all steps.",
                UserWarning,
                stacklevel=3,
            )
        self.keep_best = keep_best and validation is not None
        self.n_kept_generators = n_kept_generators
        self.keep_from = keep_from
        self.early_stopping = early_stopping and self.keep_best
        self.early_stopping_patience = early_stopping_patience
        self.validation_interval = validation_interval
        self.n_validation_pcs = n_validation_pcs
        self.n_validation_draws = n_validation_draws
        self.ema_decay = ema_decay
        self.ema_generator: list[torch.Tensor] | None = None
        self.ema_steps = 0
        self.automatic_optimization = False
        self.critic_steps = 0
        self.best_epoch: int | None = None
        self.best_step: int | None = None
        # (validation MMD, generator weights) of the best generators so far, best first
        self.kept_generators: list[tuple[float, dict[str, torch.Tensor]]] = []
        self.checks_without_improvement = 0
        self._pca: PCASpace | None = None

    def configure_optimizers(self):
        """Adam for the generator and for the critic."""
        generator = torch.optim.Adam(self.module.generator.parameters(), lr=self.lr_generator, betas=self.betas)
        critic = torch.optim.Adam(self.module.critic.parameters(), lr=self.lr_critic, betas=self.betas)
        return [generator, critic]

    def setup(self, stage: str) -> None:
        """Cut the epochs to the step budget and choose the validation interval, once the minibatches are known."""
        n_batches = len(self.trainer.datamodule.train_dataloader())
        if self.max_steps is not None:
            epochs = math.ceil(self.max_steps / max(n_batches, 1))
            self.trainer.fit_loop.max_epochs = min(self.trainer.max_epochs, epochs)
        self.total_steps = self.max_steps or self.trainer.max_epochs * n_batches
        if self.validation_interval is None:
            self.validation_interval = max(1, self.total_steps // N_VALIDATION_CHECKS)
        # training goes on from the trained generator alone; a mixture of an earlier training is dropped
        self.module.set_mixture(1)

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
        if self.lr_schedule == "linear":
            share = max(0.0, 1.0 - self.critic_steps / self.total_steps)
            for optimizer, lr in ((generator_opt, self.lr_generator), (critic_opt, self.lr_critic)):
                for group in optimizer.param_groups:
                    group["lr"] = lr * share
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
            self.log(name, value.detach(), on_step=False, on_epoch=True, batch_size=n, sync_dist=True)

        if self.critic_steps % self.n_critic == 0:
            generator_loss = self.module.generator_step_loss(counts, categorical, continuous)
            self._check_finite("generator loss", generator_loss)
            generator_opt.zero_grad()
            self.manual_backward(generator_loss)
            generator_opt.step()
            self._update_ema()
            self.log(
                "generator_loss", generator_loss.detach(), on_step=False, on_epoch=True, batch_size=n, sync_dist=True
            )

    def validation_step(self, batch, batch_idx):
        """Nothing: the validation score is computed on the plan's own cells, every `validation_interval` steps.

        Defined so that Lightning accepts scvi-tools' data splitter, which always offers a validation loader.
        """

    def on_train_batch_end(self, outputs, batch, batch_idx):
        """Score the generator every `validation_interval` steps; stop at the step budget or early."""
        budget_reached = self.max_steps is not None and self.critic_steps >= self.max_steps
        if self.validation is not None and (self.critic_steps % self.validation_interval == 0 or budget_reached):
            self._validate()
        if budget_reached:
            self.trainer.should_stop = True

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
        """The moving average with Adam's bias correction (the zero start carries no weight)."""
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

    # validation: a held-out score to keep the best generator, computed once and shared by every device -----
    def _validate(self):
        """Score the averaged and the raw generator on rank 0, share the scores, keep the best on every rank."""
        candidates = {"raw": contextlib.nullcontext}
        if self.ema_generator is not None:
            # the averaged generator is scored first: the average lags behind in short runs
            candidates = {"averaged": self.averaged_generator, **candidates}
        scores = None
        if self.trainer.is_global_zero:
            scores = {name: self._score(candidate) for name, candidate in candidates.items()}
        scores = self.trainer.strategy.broadcast(scores, src=0)
        best_name = min(scores, key=scores.get)
        score = scores[best_name]
        self.log("validation_mmd", score, on_step=False, on_epoch=True, batch_size=1, sync_dist=True)
        if not self.keep_best or self.critic_steps < self.keep_from * self.total_steps:
            return
        kept_scores = [kept_score for kept_score, _ in self.kept_generators]
        if len(kept_scores) < self.n_kept_generators or score < kept_scores[-1]:
            with candidates[best_name]():
                weights = copy.deepcopy(self.module.generator.state_dict())
            self.kept_generators = sorted([*self.kept_generators, (score, weights)], key=lambda kept: kept[0])
            del self.kept_generators[self.n_kept_generators :]
        if score < min(kept_scores, default=float("inf")):
            self.best_epoch, self.best_step = self.current_epoch, self.critic_steps
            self.checks_without_improvement = 0
        else:
            self.checks_without_improvement += 1
        if self.early_stopping and self.checks_without_improvement >= self.early_stopping_patience:
            self.trainer.should_stop = True

    @torch.no_grad()
    def _score(self, candidate) -> float:
        """MMD between validation cells and generated cells of the same conditions, in a PCA of training cells."""
        cells = self.validation
        if self._pca is None:
            self._pca = PCASpace(self.n_validation_pcs, exact=True).fit(cells.pca_counts.numpy())
        draws = self.n_validation_draws
        categorical, continuous = (
            None if c is None else c.repeat(draws, 1).to(self.device) for c in (cells.categorical, cells.continuous)
        )
        library_size = cells.counts.sum(1).repeat(draws).to(self.device)
        with torch.random.fork_rng(devices=[]), candidate():
            torch.manual_seed(0)  # the same noise every check, so scores differ only by the generator
            fake = counts_to_csr(self.module.generate(categorical, continuous, library_size))
        real = self._pca.transform(cells.counts.numpy())
        return mmd(real, self._pca.transform(fake), max_cells=real.shape[0] * draws, biased=True)

    def on_train_end(self):
        """Restore the best generators seen on validation cells (else the averaged one, if any)."""
        if self.keep_best and self.kept_generators:
            self.module.set_mixture(len(self.kept_generators))
            for generator, (_, weights) in zip(self.module.generators, self.kept_generators, strict=True):
                generator.load_state_dict(weights)
        elif self.ema_generator is not None:
            self._load_generator(self._averaged_weights())
        if self.best_epoch is not None:
            # spawned processes send the callback metrics back to the one that started them, not the plan
            self.trainer.callback_metrics[BEST_EPOCH] = torch.tensor(self.best_epoch)


def _check_options(options: dict) -> None:
    """A ValueError naming the first option of the plan that is out of range."""
    rules = {
        "max_steps": (lambda v: v is None or (is_integer(v) and v >= 1), "a positive integer or None"),
        "n_critic": (lambda v: is_integer(v) and v >= 1, "a positive integer"),
        "lr_generator": (lambda v: is_real(v) and v >= 0, "a number >= 0"),
        "lr_critic": (lambda v: is_real(v) and v >= 0, "a number >= 0"),
        "lr_schedule": (lambda v: v in ("constant", "linear"), "'constant' or 'linear'"),
        "betas": (lambda v: len(v) == 2 and all(is_real(b) and 0 <= b < 1 for b in v), "two numbers in [0, 1)"),
        "gp_weight": (lambda v: is_real(v) and v >= 0, "a number >= 0"),
        "clip_value": (lambda v: is_real(v) and v > 0, "a positive number"),
        "n_kept_generators": (lambda v: is_integer(v) and v >= 1, "a positive integer"),
        "keep_from": (lambda v: is_real(v) and 0 <= v < 1, "in [0, 1)"),
        "early_stopping_patience": (lambda v: is_integer(v) and v >= 1, "at least 1 validation check"),
        "validation_interval": (lambda v: v is None or (is_integer(v) and v >= 1), "a positive integer or None"),
        "n_validation_pcs": (lambda v: is_integer(v) and v >= 1, "a positive integer"),
        "n_validation_draws": (lambda v: is_integer(v) and v >= 1, "a positive integer"),
        "ema_decay": (lambda v: is_real(v) and 0 <= v < 1, "in [0, 1) (0 turns the average off)"),
    }
    for name, (valid, expected) in rules.items():
        try:
            ok = valid(options[name])
        except TypeError:
            ok = False
        if not ok:
            msg = f"{name} must be {expected}, got {options[name]!r}."
            raise ValueError(msg)
