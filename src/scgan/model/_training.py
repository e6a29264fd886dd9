"""Training: the step budget, the bounded validation sample, and scvi-tools' data splitter and train runner."""

from __future__ import annotations

import inspect

import lightning.pytorch as pl
import numpy as np
from lightning.pytorch.strategies import DDPStrategy, StrategyRegistry
from scvi.dataloaders import DataSplitter
from scvi.train import TrainRunner

from scgan._utils import is_integer, is_real
from scgan.model._registration import read_rows, registered_conditions
from scgan.model._training_plan import BEST_EPOCH, GANTrainingPlan, ValidationCells
from scgan.pp._split import split_indices

# Critic steps (minibatches) of a default training, whatever the number of cells.
DEFAULT_MAX_STEPS = 10_000
DEFAULT_BATCH_SIZE = 128
# Validation cells: at most this many, from conditions with at least MIN_VALIDATION_CONDITION cells.
MAX_VALIDATION_CELLS = 500
MIN_VALIDATION_CONDITION = 20
# Training cells the validation score's PCA space is fitted on.
N_PCA_CELLS = 2_000

PLAN_OPTIONS = frozenset(inspect.signature(GANTrainingPlan.__init__).parameters) - {
    "self",
    "module",
    "validation",
    "max_steps",
}


def data_parallel_strategy(strategy):
    """Lightning's DDP strategy of that name, told that each backward pass leaves some parameters unused.

    The critic's step does not use the generator and the generator's step does not update the critic, so DDP
    must not wait for their gradients. Anything else is returned as it is.
    """
    if isinstance(strategy, str) and "ddp" in strategy and strategy in StrategyRegistry:
        entry = StrategyRegistry[strategy]
        if issubclass(entry["strategy"], DDPStrategy):
            return entry["strategy"](**{**entry["init_params"], "find_unused_parameters": True})
    return strategy


class TrainingMixin:
    """:meth:`train` for :class:`~scgan.model.SCGAN`."""

    _training_plan_cls = GANTrainingPlan
    _data_splitter_cls = DataSplitter
    _train_runner_cls = TrainRunner

    def train(
        self,
        max_epochs: int | None = None,
        *,
        max_steps: int | None = None,
        batch_size: int = DEFAULT_BATCH_SIZE,
        validation_fraction: float = 0.1,
        random_state: int = 0,
        accelerator: str = "auto",
        devices: int | list[int] | str = "auto",
        plan_kwargs: dict | None = None,
        **trainer_kwargs,
    ) -> None:
        """Train the GAN with scvi-tools' data loaders and train runner (Lightning).

        Parameters
        ----------
        max_epochs
            Passes over the training cells. By default training is a budget of `max_steps` instead.
        max_steps
            Critic steps (minibatches of `batch_size` cells on each device); `None` with `max_epochs` `None`:
            10,000, whatever the number of cells, so a million cells train about as long as fifty thousand.
            With both given, training stops at whichever comes first.
        batch_size
            Cells per minibatch on each device (sparse rows are densified one minibatch at a time). With
            several devices (``strategy='ddp'``) every device takes its own minibatches: the effective batch is
            `batch_size` times the number of devices, and each device makes `max_steps` steps.
        validation_fraction
            Share of the cells of each condition held out of training to score the generator (an MMD in a PCA
            space of training cells), at most 500 cells in all; conditions with fewer than 20 cells stay whole
            in training. 0 turns validation off.
        random_state
            Seed of the initial weights, the minibatch order, the validation sample and the sampling.
        accelerator, devices
            Lightning device options (``'cpu'``, ``'gpu'``, ``'auto'``; a device count or ids).
        plan_kwargs
            Options of the training plan, :class:`~scgan.model.GANTrainingPlan` (``n_critic``, learning rates,
            ``ema_decay``, ``keep_best``, ``early_stopping``, ...). :func:`scgan.tl.train` takes them directly.
        **trainer_kwargs
            Passed to :class:`scvi.train.Trainer` and Lightning's Trainer (e.g. ``enable_progress_bar=False``,
            ``strategy='ddp'``, ``num_nodes``).

        Returns
        -------
        None. Fills `model.history` (per-epoch ``critic_loss``, ``generator_loss``, ``wasserstein``,
        ``gradient_penalty`` and ``validation_mmd``) and `model.best_epoch`.
        """
        _check_train_options(max_epochs, max_steps, batch_size, validation_fraction, trainer_kwargs)
        if max_epochs is None and max_steps is None:
            max_steps = DEFAULT_MAX_STEPS
        if "strategy" in trainer_kwargs:
            trainer_kwargs["strategy"] = data_parallel_strategy(trainer_kwargs["strategy"])
        pl.seed_everything(random_state, verbose=False)
        train_idx, val_idx = self._validation_split(validation_fraction, random_state)
        datamodule = self._data_splitter_cls(
            self.adata_manager,
            batch_size=batch_size,
            # scvi-tools wants every cell in a subset: the validation cells sit in the (unused) test subset
            external_indexing=[train_idx, val_idx[:0], val_idx],
            drop_last=len(train_idx) > batch_size,
            distributed_sampler=isinstance(trainer_kwargs.get("strategy"), DDPStrategy),
        )
        plan = self._training_plan_cls(
            self.module,
            validation=self._validation_cells(train_idx, val_idx, random_state),
            max_steps=max_steps,
            **(plan_kwargs or {}),
        )
        runner = self._train_runner_cls(
            self,
            training_plan=plan,
            data_splitter=datamodule,
            # with a step budget the plan cuts the epochs to it once the minibatches per device are known
            max_epochs=max_epochs or max_steps,
            accelerator=accelerator,
            devices=devices,
            **trainer_kwargs,
        )
        self.module.train()  # a trained or loaded model is in eval mode: dropout would stay off
        runner()
        best_epoch = runner.trainer.callback_metrics.get(BEST_EPOCH)
        self.best_epoch = None if best_epoch is None else int(best_epoch)
        self.module.eval()

    def _validation_split(self, fraction: float, random_state: int) -> tuple[np.ndarray, np.ndarray]:
        """Training and validation rows: a stratified sample of at most MAX_VALIDATION_CELLS held out."""
        n_cells = self.adata.n_obs
        everything, nothing = np.arange(n_cells), np.array([], dtype=int)
        if fraction <= 0:
            return everything, nothing
        categorical, _ = registered_conditions(self.adata_manager)
        groups = (
            self.module.joint_group(categorical).numpy() if categorical is not None else np.zeros(n_cells, dtype=int)
        )
        names, sizes = np.unique(groups, return_counts=True)
        rows = np.flatnonzero(np.isin(groups, names[sizes >= MIN_VALIDATION_CONDITION]))
        if rows.size < MIN_VALIDATION_CONDITION:
            return everything, nothing
        share = min(fraction, MAX_VALIDATION_CELLS / rows.size)
        _, val_pos = split_indices(groups[rows], test_size=share, random_state=random_state)
        val_idx = rows[val_pos]
        return np.setdiff1d(everything, val_idx), val_idx

    def _validation_cells(self, train_idx: np.ndarray, val_idx: np.ndarray, random_state: int):
        """The validation cells and a sample of training cells for the score's PCA, read once (bounded)."""
        if val_idx.size == 0:
            return None
        layer = self._setup_args()["layer"]
        categorical, continuous = registered_conditions(self.adata_manager)
        rng = np.random.default_rng(random_state)
        pca_rows = rng.choice(train_idx, size=min(N_PCA_CELLS, train_idx.size), replace=False)
        return ValidationCells(
            counts=read_rows(self.adata, layer, val_idx),
            categorical=None if categorical is None else categorical[val_idx],
            continuous=None if continuous is None else continuous[val_idx],
            pca_counts=read_rows(self.adata, layer, pca_rows),
        )


def _check_train_options(max_epochs, max_steps, batch_size, validation_fraction, trainer_kwargs) -> None:
    """ValueErrors naming the option out of range; a TypeError pointing training-plan options to plan_kwargs."""
    for name, value in {"max_epochs": max_epochs, "max_steps": max_steps}.items():
        if value is not None and not (is_integer(value) and value >= 1):
            msg = f"{name} must be a positive integer or None, got {value!r}."
            raise ValueError(msg)
    if not (is_integer(batch_size) and batch_size >= 1):
        msg = f"batch_size must be a positive integer, got {batch_size!r}."
        raise ValueError(msg)
    if not (is_real(validation_fraction) and 0 <= validation_fraction < 1):
        msg = f"validation_fraction must be in [0, 1) (0 turns validation off), got {validation_fraction!r}."
        raise ValueError(msg)
    misplaced = sorted(PLAN_OPTIONS & set(trainer_kwargs))
    if misplaced:
        msg = (
            f"{misplaced} are options of the training plan: pass plan_kwargs={{{misplaced[0]!r}: ...}} to "
            "model.train, or give them to scgan.tl.train directly."
        )
        raise TypeError(msg)
