"""pl: what each figure holds, what it returns, how it uses a given ax and how it refuses bad input."""

import inspect
import types

import anndata as ad
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.container import ErrorbarContainer
from matplotlib.figure import Figure

import scgan


def legend_texts(axis: Axes) -> list[str]:
    legend = axis.get_legend()
    return [] if legend is None else [text.get_text() for text in legend.get_texts()]


@pytest.mark.parametrize("name", scgan.pl.__all__)
def test_plot_conventions(name):
    params = inspect.signature(getattr(scgan.pl, name)).parameters
    for option in ("ax", "show", "return_fig", "figsize"):
        assert params[option].kind == inspect.Parameter.KEYWORD_ONLY, f"{name}: {option} must be keyword-only"
    assert params["show"].default is None and params["return_fig"].default is False and params["ax"].default is None
    assert "Returns" in getattr(scgan.pl, name).__doc__


# history -------------------------------------------------------------------------------------------------------
def test_history_panels_curves_and_best_epoch(training_history):
    model = types.SimpleNamespace(history=training_history, best_epoch=3)
    axes = scgan.pl.history(model)
    assert len(axes) == 3
    assert [axis.get_title() for axis in axes] == [
        "Losses",
        "Wasserstein estimate",
        "Validation MMD (lower is better)",
    ]
    assert {"critic", "generator", "best epoch (3)"} <= set(legend_texts(axes[0]))
    assert {"Wasserstein estimate", "gradient penalty"} <= set(legend_texts(axes[1]))
    assert axes[2].get_yscale() == "log"
    critic = next(line for line in axes[0].get_lines() if line.get_label() == "critic")
    assert critic.get_ydata().dtype == float and len(critic.get_xdata()) == 8
    assert all(any(line.get_label().startswith("best epoch") for line in axis.get_lines()) for axis in axes)


def test_history_accepts_a_plain_dict_without_validation(training_history):
    del training_history["validation_mmd"]
    axes = scgan.pl.history(training_history)
    assert len(axes) == 2
    assert not any("best epoch" in text for axis in axes for text in legend_texts(axis))


def test_history_on_a_given_ax_and_return_fig(training_history):
    _, ax = plt.subplots()
    returned = scgan.pl.history(training_history, panels=["loss"], ax=ax)
    assert returned is ax and ax.get_title() == "Losses"
    assert isinstance(scgan.pl.history(training_history, return_fig=True), Figure)
    with pytest.raises(ValueError, match="3 panel"):
        scgan.pl.history(training_history, ax=ax)


def test_history_refuses_missing_curves(training_history):
    with pytest.raises(ValueError, match="no training history"):
        scgan.pl.history(types.SimpleNamespace(history={}, best_epoch=None))
    with pytest.raises(KeyError, match="validation_mmd"):
        scgan.pl.history({"critic_loss": training_history["critic_loss"]}, panels=["validation_mmd"])
    with pytest.raises(ValueError, match="Unknown panel"):
        scgan.pl.history(training_history, panels=["accuracy"])


# embedding -----------------------------------------------------------------------------------------------------
def test_embedding_pca_panels_share_limits_and_colours(cells):
    real, synthetic = cells
    axes = scgan.pl.embedding(real, synthetic, basis="pca", layer="counts")
    assert len(axes) == 3
    assert legend_texts(axes[0]) == ["real (300 cells)", "synthetic (200 cells)"]
    assert axes[1].get_title() == "Real cells by cell_type" and axes[2].get_title() == "Synthetic cells by cell_type"
    assert {"type_0", "type_1", "rare"} <= set(legend_texts(axes[2]))
    assert axes[0].get_xlabel().startswith("PC1")
    assert axes[1].get_xlim() == axes[2].get_xlim() and axes[1].get_ylim() == axes[2].get_ylim()
    # one colour per label, the same for real and synthetic cells of that label
    real_colors = {tuple(c) for c in axes[1].collections[0].get_facecolors()}
    synthetic_colors = {tuple(c) for c in axes[2].collections[1].get_facecolors()}
    assert len(real_colors) == 3 and synthetic_colors == real_colors
    assert axes[0].collections[0].get_offsets().shape == (500, 2)


def test_embedding_without_color_on_a_given_ax(cells):
    real, synthetic = cells
    _, ax = plt.subplots()
    assert scgan.pl.embedding(real, synthetic, color=None, basis="pca", ax=ax) is ax
    assert isinstance(ax.collections[0], PathCollection)
    assert isinstance(scgan.pl.embedding(real, synthetic, color=None, basis="pca", return_fig=True), Figure)


@pytest.mark.slow  # umap-learn's numba compilation: ~10-20 s in a fresh process
def test_embedding_umap_projects_synthetic_cells(cells):
    real, synthetic = cells
    axes = scgan.pl.embedding(real, synthetic, basis="umap", n_comps=10)
    assert axes[0].get_xlabel() == "UMAP1"
    offsets = axes[0].collections[0].get_offsets()
    assert offsets.shape == (500, 2) and np.isfinite(offsets).all()


def test_embedding_refuses_bad_input(cells):
    real, synthetic = cells
    with pytest.raises(KeyError, match="'batch'"):
        scgan.pl.embedding(real, synthetic, color="batch", basis="pca")
    with pytest.raises(ValueError, match="basis"):
        scgan.pl.embedding(real, synthetic, basis="tsne")
    with pytest.raises(KeyError, match="'raw'"):
        scgan.pl.embedding(real, synthetic, basis="pca", layer="raw")
    other = ad.AnnData(synthetic.X, obs=synthetic.obs)
    other.var_names = [f"other_{i}" for i in range(other.n_vars)]
    with pytest.raises(ValueError, match="share no gene"):
        scgan.pl.embedding(real, other, basis="pca")


# marginals -----------------------------------------------------------------------------------------------------
def test_marginals_scatter_identity_and_library_size(cells):
    real, synthetic = cells
    axes = scgan.pl.marginals(real, synthetic, layer="counts")
    assert len(axes) == 4
    assert [axis.get_title() for axis in axes] == [
        "Gene mean count",
        "Gene variance",
        "Gene zero fraction",
        "Library size per cell",
    ]
    for axis in axes[:3]:
        assert "identity (ideal)" in [line.get_label() for line in axis.get_lines()]
        assert len(axis.collections) == 1
        assert axis.get_xlabel().startswith("real") and axis.get_ylabel().startswith("synthetic")
    assert axes[0].get_xscale() == "log" and axes[1].get_yscale() == "log" and axes[2].get_xscale() == "linear"
    assert legend_texts(axes[3]) == ["real (300 cells)", "synthetic (200 cells)"]
    assert len(axes[3].patches) == 2
    assert axes[3].get_legend().get_title().get_text().startswith("KS =")


def test_marginals_return_fig_given_axes_and_errors(cells):
    real, synthetic = cells
    assert isinstance(scgan.pl.marginals(real, synthetic, return_fig=True), Figure)
    _, grid = plt.subplots(2, 2)
    assert scgan.pl.marginals(real, synthetic, ax=grid) == list(grid.ravel())
    with pytest.raises(ValueError, match="4 panel"):
        scgan.pl.marginals(real, synthetic, ax=grid[0])


# evaluation ----------------------------------------------------------------------------------------------------
def test_evaluation_metric_panels_and_per_label_auroc(evaluation_table):
    axes = scgan.pl.evaluation(evaluation_table)
    assert axes[0].figure.get_suptitle() == "Fidelity of 200 synthetic cells vs 100 held-out real cells"
    metrics = list(evaluation_table["metric"].unique())
    assert len(axes) == len(metrics) + 1
    for axis, metric in zip(axes, metrics, strict=False):
        assert axis.get_title().startswith(metric)
        assert len(axis.patches) == 2
        assert any(line.get_linestyle() == "--" for line in axis.get_lines())
    per_label = axes[-1]
    assert per_label.get_title().startswith("auroc per label")
    assert [tick.get_text() for tick in per_label.get_xticklabels()] == ["type_0", "type_1", "rare"]
    assert len(per_label.patches) == 6
    ideal = [line for line in per_label.get_lines() if line.get_linestyle() == "--"]
    assert ideal and ideal[0].get_ydata()[0] == 0.5
    assert {"synthetic vs real", "real vs real (reference)", "ideal"} == set(legend_texts(per_label))
    label_f1 = axes[metrics.index("label_f1")]
    assert "n/a" in [text.get_text() for text in label_f1.texts]


def test_evaluation_several_per_label_panels(evaluation_table):
    metrics = ["auroc", "recall", "coverage", "de_lfc_pearson", "memorisation_ratio"]
    fig = scgan.pl.evaluation(evaluation_table, metrics=metrics, per_label=["auroc", "recall"], return_fig=True)
    axes = fig.axes
    assert len(axes) == len(metrics) + 2
    assert axes[1].get_title() == "recall\nreal states reached (recall)"
    assert axes[-2].get_title().startswith("auroc per label") and axes[-1].get_title().startswith("recall per label")
    # the per-label panels are a row wide each, below the metric panels
    assert axes[-1].get_position().width > 3 * axes[0].get_position().width
    assert axes[-1].get_position().y0 < axes[-2].get_position().y0 < axes[0].get_position().y0
    assert [tick.get_text() for tick in axes[-1].get_xticklabels()] == ["type_0", "type_1", "rare"]
    _, grid = plt.subplots(1, 3)
    assert scgan.pl.evaluation(evaluation_table, metrics=["mmd"], per_label=["auroc", "recall"], ax=grid) == list(grid)
    with pytest.raises(KeyError, match="'density' has no per-label rows"):
        scgan.pl.evaluation(evaluation_table, per_label=["recall", "density"])


def test_evaluation_reads_anndata_and_uses_a_given_ax(evaluation_table):
    adata = ad.AnnData(np.zeros((2, 2)))
    adata.uns["scgan_evaluation"] = {"table": evaluation_table.to_dict(orient="list")}
    assert isinstance(scgan.pl.evaluation(adata, return_fig=True), Figure)
    _, ax = plt.subplots()
    assert scgan.pl.evaluation(adata, metrics=["mmd"], per_label=None, ax=ax) is ax
    assert ax.get_title().startswith("mmd")


def test_evaluation_refuses_bad_input(evaluation_table):
    with pytest.raises(KeyError, match="'reference'"):
        scgan.pl.evaluation(evaluation_table.drop(columns="reference"))
    with pytest.raises(KeyError, match="accuracy"):
        scgan.pl.evaluation(evaluation_table, metrics=["accuracy"])
    with pytest.raises(KeyError, match="per-label"):
        scgan.pl.evaluation(evaluation_table, per_label="mmd")
    with pytest.raises(KeyError, match=r"scgan\.tl\.evaluate"):
        scgan.pl.evaluation(ad.AnnData(np.zeros((2, 2))))


# oversampling --------------------------------------------------------------------------------------------------
def test_oversampling_grid_error_bars_and_seeds(oversampling_table):
    fig = scgan.pl.oversampling(oversampling_table, return_fig=True)
    axes = fig.axes
    assert len(axes) == 2 * 4
    assert "rare_f1" in fig.get_suptitle()
    assert axes[0].get_title() == "logreg | pca | n_rare = 10"
    for axis in axes:
        errorbars = [c for c in axis.containers if isinstance(c, ErrorbarContainer)]
        assert len(errorbars) == 7 and all(c.has_xerr for c in errorbars)
        assert sum(len(c.get_offsets()) for c in axis.collections if isinstance(c, PathCollection)) == 7 * 3
    ticks = {tick.get_text(): tick for tick in axes[0].get_yticklabels()}
    assert list(ticks) == ["none", "class_weight", "random", "smote", "floor", "scvi", "scgan"]
    assert ticks["scgan"].get_fontweight() == "bold"
    assert axes[-1].get_xlabel() == "rare-class F1"


def test_oversampling_reads_anndata_and_uses_a_given_ax(oversampling_table):
    adata = ad.AnnData(np.zeros((2, 2)))
    one_setting = oversampling_table[(oversampling_table["n_rare"] == 10) & (oversampling_table["features"] == "pca")]
    adata.uns["scgan_oversampling"] = {"results": one_setting.to_dict(orient="list")}
    _, grid = plt.subplots(1, 2)
    returned = scgan.pl.oversampling(
        adata, metric="macro_f1", rows=[], columns="classifier", ax=grid, highlight=None, baseline=None
    )
    assert returned == list(grid)
    assert [axis.get_title() for axis in grid] == ["logreg", "random_forest"]
    assert axes_have_error_bars(grid)


def axes_have_error_bars(axes) -> bool:
    return all(any(isinstance(c, ErrorbarContainer) for c in axis.containers) for axis in axes)


def test_oversampling_refuses_bad_input(oversampling_table):
    with pytest.raises(KeyError, match="'rare_auc'"):
        scgan.pl.oversampling(oversampling_table, metric="rare_auc")
    with pytest.raises(ValueError, match="n_rare"):
        scgan.pl.oversampling(oversampling_table, columns="features")
    with pytest.raises(KeyError, match="benchmark_oversampling"):
        scgan.pl.oversampling(ad.AnnData(np.zeros((2, 2))))


# interpolation -------------------------------------------------------------------------------------------------
def test_interpolation_lines_bands_and_real_ends(walk):
    axis = scgan.pl.interpolation(walk, ["g0", "g1"])
    assert axis.get_title() == "B | ctrl  →  B | stim"
    lines = {line.get_label(): line for line in axis.get_lines()}
    np.testing.assert_allclose(lines["g0"].get_xdata(), [0, 0.5, 1])
    np.testing.assert_allclose(lines["g0"].get_ydata(), np.log1p([0, 1000, 4000]), rtol=1e-6)
    assert len(axis.collections) == 2  # one band per line
    score = scgan.pl.interpolation(walk, {"both": ["g0", "g1"]}, return_fig=True).axes[0]
    expected = (np.log1p([0, 1000, 4000]) + np.log1p([10000, 9000, 6000])) / 2
    np.testing.assert_allclose(score.get_lines()[0].get_ydata(), expected, rtol=1e-6)

    real = walk[[0, 1, 8, 9]].copy()
    real.obs["cell_type"] = "B"
    real.obs["condition"] = ["ctrl", "ctrl", "stim", "stim"]
    real.layers["counts"] = real.X.copy()
    real.X = real.X * 0
    _, ax = plt.subplots()
    assert scgan.pl.interpolation(walk, "g0", real=real, layer="counts", ax=ax) is ax
    markers = [container for container in ax.containers if isinstance(container, ErrorbarContainer)]
    np.testing.assert_allclose([m.lines[0].get_ydata()[0] for m in markers], np.log1p([0, 4000]), rtol=1e-6)
    assert "real cells (± sd)" in legend_texts(ax)


def test_interpolation_noise_walk_and_errors(walk):
    walk.uns["scgan_interpolation"] = walk.uns["scgan_interpolation"] | {"mode": "noise", "end": None}
    assert scgan.pl.interpolation(walk, "g2").get_title() == "B | ctrl: between two noise vectors"
    with pytest.raises(KeyError, match=r"\['nope'\]"):
        scgan.pl.interpolation(walk, ["g0", "nope"])
    with pytest.raises(ValueError, match="at least one gene"):
        scgan.pl.interpolation(walk, {"empty": []})
    with pytest.raises(KeyError, match=r"scgan\.tl\.interpolate"):
        scgan.pl.interpolation(ad.AnnData(walk.X, var=walk.var), "g0")
    real = walk.copy()
    with pytest.raises(KeyError, match="condition column"):
        scgan.pl.interpolation(walk, "g0", real=real)
    real.obs["cell_type"], real.obs["condition"] = "B", "stim"
    with pytest.raises(ValueError, match="no cells of the condition"):
        scgan.pl.interpolation(walk, "g0", real=real)


# show ----------------------------------------------------------------------------------------------------------
def test_show_returns_none_and_default_returns_axes(training_history, monkeypatch):
    shown = []
    monkeypatch.setattr(plt, "show", lambda: shown.append(True))
    assert scgan.pl.history(training_history, show=True) is None and shown == [True]
    assert isinstance(scgan.pl.history(training_history, panels=["loss"]), Axes)
