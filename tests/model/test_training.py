"""Training: the step budget, the bounded validation sample and generation pool, option checks, backed data, DDP."""

import hashlib
import os
import subprocess
import sys
import textwrap

import anndata as ad
import numpy as np
import pytest

from scgan.model import SCGAN

SMALL = {"n_latent": 16, "generator_hidden": [32], "critic_hidden": [32]}
FAST = {"enable_progress_bar": False, "batch_size": 64}


@pytest.mark.parametrize("n_copies", [1, 3])
def test_default_length_is_a_step_budget_whatever_the_number_of_cells(simulated, training_plans, monkeypatch, n_copies):
    monkeypatch.setattr("scgan.model._training.DEFAULT_MAX_STEPS", 9)
    adata = ad.concat([simulated] * n_copies, index_unique="-")
    SCGAN.setup_anndata(adata, condition_keys="cell_type")
    model = SCGAN(adata, **SMALL)
    model.train(**FAST)
    (plan,) = training_plans
    assert plan.critic_steps == 9
    assert model.history["critic_loss"].index.max() < 9  # epochs fitted to the budget, not more


def test_max_epochs_and_max_steps_stop_at_whichever_comes_first(simulated, training_plans):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    SCGAN(simulated, **SMALL).train(max_epochs=2, max_steps=1000, **FAST)
    SCGAN(simulated, **SMALL).train(max_epochs=50, max_steps=7, **FAST)
    batches_per_epoch = (len(simulated) - 40) // 64  # 40 validation cells, incomplete batches dropped
    assert [plan.critic_steps for plan in training_plans] == [2 * batches_per_epoch, 7]


def test_validation_interval_defaults_to_about_forty_checks(simulated, training_plans):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    model.train(max_steps=80, **FAST)
    (plan,) = training_plans
    assert plan.validation_interval == 2
    assert model.history["validation_mmd"].notna().sum().item() >= 1


def test_validation_sample_is_bounded_and_stratified(simulated, monkeypatch):
    monkeypatch.setattr("scgan.model._training.MAX_VALIDATION_CELLS", 30)
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    train_idx, val_idx = model._validation_split(0.5, random_state=0)
    assert 25 <= val_idx.size <= 30
    assert np.intersect1d(train_idx, val_idx).size == 0 and train_idx.size + val_idx.size == simulated.n_obs
    labels = simulated.obs["cell_type"].to_numpy()
    expected = simulated.obs["cell_type"].value_counts(normalize=True)
    observed = simulated.obs["cell_type"].iloc[val_idx].value_counts(normalize=True)
    assert set(labels[val_idx]) == set(labels)
    np.testing.assert_allclose(observed[expected.index], expected, atol=0.05)


def test_generation_pool_is_a_bounded_sample_with_the_training_proportions(simulated, monkeypatch):
    monkeypatch.setattr("scgan.model._scgan.MAX_POOL_CELLS", 100)
    monkeypatch.setattr("scgan.model._scgan.MIN_POOL_CELLS_PER_CONDITION", 30)
    adata = ad.concat([simulated] * 5, index_unique="-")  # 2,000 cells, 10% of them 'rare'
    SCGAN.setup_anndata(adata, condition_keys="cell_type")
    model = SCGAN(adata, **SMALL)
    module = model.module
    assert len(module.library_sizes) < 140
    assert module.pool_weights.sum().item() == pytest.approx(adata.n_obs)
    rare = model.categories["cell_type"].index("rare")
    assert (module.pool_categorical[:, 0] == rare).sum().item() >= 30  # at least the minimum of a small type
    median = np.median(np.asarray(adata.X.sum(1)).ravel())
    assert abs(module.critic_scale.item() - median) <= 5  # the critic's scale from every cell, not the sample
    model.is_trained_ = True
    shares = model.generate(4000, random_state=0).obs["cell_type"].value_counts(normalize=True)
    expected = adata.obs["cell_type"].value_counts(normalize=True)
    np.testing.assert_allclose(shares[expected.index], expected, atol=0.03)


@pytest.mark.parametrize("schedule", ["constant", "linear"])
def test_learning_rate_schedule_runs_over_the_critic_steps(simulated, schedule):
    import lightning.pytorch as pl

    class RecordRates(pl.Callback):
        def __init__(self):
            self.rates = []

        def on_train_batch_end(self, trainer, *args):
            self.rates.append([opt.param_groups[0]["lr"] for opt in trainer.optimizers])

    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    plan_kwargs = {"lr_schedule": schedule, "lr_generator": 2e-3, "lr_critic": 1e-3}
    record = RecordRates()
    SCGAN(simulated, **SMALL).train(max_steps=20, plan_kwargs=plan_kwargs, callbacks=[record], **FAST)
    # the share of the initial rates each step used: 1 throughout, or 1 down to 1/20
    share = np.ones(20) if schedule == "constant" else 1 - np.arange(20) / 20
    np.testing.assert_allclose(record.rates, np.outer(share, [2e-3, 1e-3]))


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"max_epochs": -1}, "max_epochs must be a positive integer or None, got -1"),
        ({"max_steps": 0}, "max_steps must be a positive integer or None, got 0"),
        ({"batch_size": 0}, "batch_size must be a positive integer, got 0"),
        ({"validation_fraction": 1.0}, r"validation_fraction must be in \[0, 1\)"),
        ({"plan_kwargs": {"n_critic": 0}}, "n_critic must be a positive integer, got 0"),
        ({"plan_kwargs": {"lr_critic": -1e-3}}, "lr_critic must be a number >= 0, got -0.001"),
        ({"plan_kwargs": {"ema_decay": "0.9"}}, r"ema_decay must be in \[0, 1\)"),
        ({"plan_kwargs": {"betas": (0.5,)}}, "betas must be two numbers"),
        ({"plan_kwargs": {"lr_schedule": "cosine"}}, "lr_schedule must be 'constant' or 'linear', got 'cosine'"),
        ({"plan_kwargs": {"n_kept_generators": 0}}, "n_kept_generators must be a positive integer, got 0"),
        ({"plan_kwargs": {"keep_from": 1.0}}, r"keep_from must be in \[0, 1\), got 1.0"),
    ],
)
def test_training_options_are_checked(simulated, kwargs, message):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL)
    with pytest.raises(ValueError, match=message):
        model.train(**{**FAST, **kwargs})
    assert not model.is_trained_


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"noise_df": "3"}, "noise_df must be positive or None"),
        ({"noise_df": 0}, "noise_df must be positive or None"),
        ({"n_latent": 0}, "n_latent must be a positive integer, got 0"),
        ({"generator_hidden": []}, "generator_hidden must be a non-empty sequence of positive integers"),
        ({"critic_dropout": 1.0}, r"critic_dropout must be in \[0, 1\)"),
        ({"critic_target_sum": -5}, "critic_target_sum must be positive or None"),
    ],
)
def test_model_options_are_checked(simulated, kwargs, message):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    with pytest.raises(ValueError, match=message):
        SCGAN(simulated, **{**SMALL, **kwargs})


def test_plan_options_given_to_model_train_point_to_plan_kwargs(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    with pytest.raises(TypeError, match=r"plan_kwargs=\{'n_critic': \.\.\.\}"):
        SCGAN(simulated, **SMALL).train(max_steps=2, n_critic=2, **FAST)


def test_trains_from_a_backed_file(simulated, tmp_path):
    simulated.write_h5ad(tmp_path / "cells.h5ad")
    backed = ad.read_h5ad(tmp_path / "cells.h5ad", backed="r")
    SCGAN.setup_anndata(backed, condition_keys="cell_type")
    model = SCGAN(backed, **SMALL)
    model.train(max_steps=6, **FAST)
    assert model.is_trained_ and model.history["validation_mmd"].notna().any().item()
    syn = model.generate({"rare": 30}, random_state=0)
    assert syn.X.dtype == np.int32 and syn.X.sum() > 0


def test_trains_from_files_joined_on_disk(simulated, tmp_path):
    from anndata.experimental import concat_on_disk

    halves = [tmp_path / "first.h5ad", tmp_path / "second.h5ad"]
    simulated[:150].copy().write_h5ad(halves[0])
    simulated[150:].copy().write_h5ad(halves[1])
    concat_on_disk(halves, tmp_path / "joined.h5ad")
    joined = ad.read_h5ad(tmp_path / "joined.h5ad", backed="r")
    assert joined.n_obs == simulated.n_obs
    SCGAN.setup_anndata(joined, condition_keys="cell_type")
    model = SCGAN(joined, **SMALL)
    model.train(max_steps=4, **FAST)
    assert model.summary_stats["n_cells"] == simulated.n_obs
    assert model.generate({"rare": 10}, random_state=0).X.sum() > 0


@pytest.mark.parametrize("wrap", ["collection", "adapter", "dataframe"])
def test_what_is_not_one_anndata_is_refused_with_the_way_to_join_files(simulated, tmp_path, wrap):
    from anndata.experimental import AnnCollection
    from scvi.dataloaders import CollectionAdapter

    simulated.write_h5ad(tmp_path / "cells.h5ad")
    collection = AnnCollection([ad.read_h5ad(tmp_path / "cells.h5ad", backed="r")], join_vars="inner")
    data = {
        "collection": collection,
        "adapter": CollectionAdapter(collection),
        "dataframe": simulated.obs,
    }[wrap]
    with pytest.raises(TypeError, match="concat_on_disk"):
        SCGAN.setup_anndata(data, condition_keys="cell_type")


def test_backed_file_of_non_integer_counts_is_refused(simulated, tmp_path):
    simulated.X = simulated.X.astype(np.float32)
    simulated.X[-1, 3] = 0.5  # one value in the last block
    simulated.write_h5ad(tmp_path / "cells.h5ad")
    backed = ad.read_h5ad(tmp_path / "cells.h5ad", backed="r")
    with pytest.raises(ValueError, match="integer"):
        SCGAN.setup_anndata(backed, condition_keys="cell_type")


DDP_SCRIPT = """
import hashlib, sys
from pathlib import Path
import scgan
import torch.distributed as dist

if __name__ == "__main__":  # spawned processes import this file again
    adata = scgan.datasets.simulate(n_cells=400, n_genes=200, random_state=0)
    model = scgan.tl.train(
        adata, condition_key="cell_type", max_steps=8, accelerator="cpu", devices=2, strategy=sys.argv[1],
        enable_progress_bar=False, n_latent=16, generator_hidden=[32], critic_hidden=[32], validation_interval=4,
        n_kept_generators=2,
    )
    weights = b"".join(v.numpy().tobytes() for v in model.module.generator.state_dict().values())
    syn = model.generate(50, random_state=0)
    rank = dist.get_rank() if dist.is_initialized() else "main"
    result = [
        rank, hashlib.sha1(weights).hexdigest(), syn.X.dtype, int(syn.X.sum()), model.best_epoch,
        len(model.module.generators),
    ]
    Path(__file__).with_name(f"result_{rank}.txt").write_text(" ".join(map(str, result)))
"""


@pytest.mark.parametrize("strategy", ["ddp", "ddp_spawn"])
def test_two_processes_train_the_same_generator(tmp_path, strategy):
    script = tmp_path / "train_ddp.py"
    script.write_text(textwrap.dedent(DDP_SCRIPT))
    env = {"OMP_NUM_THREADS": "1", "NUMBA_NUM_THREADS": "1", "PYTHONWARNINGS": "ignore"}
    run = subprocess.run(
        [sys.executable, str(script), strategy],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
        env={**os.environ, **env},
    )
    assert run.returncode == 0, run.stderr[-3000:]
    # each rank writes its own file: the ranks share one stdout, where their lines can interleave
    results = [path.read_text().split() for path in sorted(tmp_path.glob("result_*.txt"))]
    expected_ranks = {"0", "1"} if strategy == "ddp" else {"main"}
    assert {rank for rank, *_ in results} == expected_ranks, run.stderr[-3000:]
    assert len({tuple(result) for _, *result in results}) == 1  # the same on every rank
    assert results[0][4] != "None"  # the kept generator's epoch reaches the process that started training
    assert results[0][2] == "int32" and int(results[0][3]) > 0
    assert results[0][5] == "2"  # the kept mixture too (a spawned process sends it back in the plan's weights)
    assert hashlib.sha1(b"").hexdigest() not in {r[1] for r in results}


def test_a_trained_model_trains_again_with_its_modules_in_training_mode(simulated):
    SCGAN.setup_anndata(simulated, condition_keys="cell_type")
    model = SCGAN(simulated, **SMALL, critic_dropout=0.2)
    model.train(max_epochs=1, **FAST)
    assert not model.module.training  # generation runs in eval mode
    modes = []
    step = model.module.critic_step_loss
    model.module.critic_step_loss = lambda *args, **kwargs: (
        modes.append(model.module.critic.training) or step(*args, **kwargs)
    )
    model.train(max_epochs=1, **FAST)
    assert modes and all(modes)  # the critic's dropout is on in every step
