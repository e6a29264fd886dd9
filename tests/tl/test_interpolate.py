"""tl.interpolate: the path it walks (noise, embeddings, library sizes), what it returns, and what it refuses."""

import numpy as np
import pytest
import scipy.sparse as sp
import torch

import scgan
from scgan.metrics._features import log1p_cp10k

SMALL = {"n_latent": 16, "generator_hidden": [64], "critic_hidden": [64], "enable_progress_bar": False}
START, END = ("type_0", "ctrl"), ("type_0", "stim")


@pytest.fixture(scope="module")
def trained(_simulated):
    """A small cell type x condition model, trained long enough for the stimulation to show."""
    cells = _simulated.copy()
    model = scgan.tl.train(
        cells,
        condition_key=["cell_type", "condition"],
        max_epochs=100,
        random_state=0,
        lr_generator=1e-3,
        lr_critic=1e-3,
        **SMALL,
    )
    return model, cells


@pytest.fixture
def decoded(trained, monkeypatch):
    """Every (noise, embedding) the generator decodes during the test, and the library sizes counts are drawn with."""
    model, _ = trained
    calls = {"decode": [], "library": []}
    generator = model.module.generator
    decode, draw = generator.decode, scgan.module.draw_integer_counts

    def record_decode(noise, embedding):
        calls["decode"].append((noise.clone(), embedding.clone()))
        return decode(noise, embedding)

    def record_draw(proportions, theta, library_size, *, head):
        calls["library"].append(library_size.clone())
        return draw(proportions, theta, library_size, head=head)

    monkeypatch.setattr(generator, "decode", record_decode)
    monkeypatch.setattr("scgan.module.draw_integer_counts", record_draw)
    return calls


def test_decode_is_the_generator_after_its_embedding(trained):
    model, _ = trained
    generator = model.module.generator
    noise = torch.randn(4, generator.n_latent)
    codes = torch.tensor([[0, 0], [1, 1], [2, 0], [0, 1]])
    with torch.no_grad():
        proportions, theta = generator(noise, codes, None)
        decoded, decoded_theta = generator.decode(noise, generator.condition(codes, None))
    assert torch.equal(proportions, decoded) and theta is None and decoded_theta is None


def test_output(trained):
    model, cells = trained
    walk = scgan.tl.interpolate(model, START, END, n_steps=4, n_cells=30, random_state=1)
    assert walk.shape == (120, cells.n_vars)
    assert sp.isspmatrix_csr(walk.X) and walk.X.dtype == np.int32
    assert list(walk.var_names) == list(cells.var_names) and list(walk.var.columns) == list(cells.var.columns)
    assert list(walk.obs["scgan_step"]) == list(np.repeat(range(4), 30))
    np.testing.assert_allclose(walk.obs["scgan_position"].unique(), [0, 1 / 3, 2 / 3, 1])
    assert list(walk.obs["scgan_cell"][:31]) == [*range(30), 0]
    assert walk.obs["scgan_synthetic"].all() and walk.obs_names.is_unique
    np.testing.assert_array_equal(walk.obs["library_size"], np.asarray(walk.X.sum(axis=1)).ravel())
    params = walk.uns["scgan_interpolation"]
    assert params["start"] == list(START) and params["end"] == list(END) and params["mode"] == "condition"
    assert params["condition_keys"] == ["cell_type", "condition"]
    again = scgan.tl.interpolate(model, START, END, n_steps=4, n_cells=30, random_state=1)
    assert (again.X != walk.X).nnz == 0
    other = scgan.tl.interpolate(model, START, END, n_steps=4, n_cells=30, random_state=2)
    assert (other.X != walk.X).nnz > 0


def test_condition_walk_keeps_noise_and_library_and_moves_the_embedding(trained, decoded):
    model, _ = trained
    scgan.tl.interpolate(model, START, END, n_steps=3, n_cells=50)
    (noise_0, start), (noise_1, middle), (noise_2, end) = decoded["decode"]
    assert torch.equal(noise_0, noise_1) and torch.equal(noise_0, noise_2)
    condition = model.module.generator.condition
    with torch.no_grad():
        assert torch.allclose(start, condition(torch.tensor([[0, 0]] * 50), None))
        assert torch.allclose(end, condition(torch.tensor([[0, 1]] * 50), None))
    assert torch.allclose(middle, (start + end) / 2)
    first, halfway, last = decoded["library"]
    # drawn once, paired by rank, mixed like the condition
    assert (np.diff(last.numpy()[np.argsort(first.numpy(), kind="stable")]) >= 0).all()
    assert torch.allclose(halfway, (first + last) / 2)


def test_noise_walk_stays_in_one_condition(trained, decoded):
    model, _ = trained
    walk = scgan.tl.interpolate(model, START, mode="noise", n_steps=3, n_cells=50)
    assert walk.uns["scgan_interpolation"]["end"] is None
    (first, embedding_0), (middle, embedding_1), (last, _) = decoded["decode"]
    assert torch.equal(embedding_0, embedding_1)
    assert not torch.allclose(first, last)
    # the length goes linearly, the direction along the sphere (halfway: the normalised sum of the two)
    np.testing.assert_allclose(middle.norm(dim=1), (first.norm(dim=1) + last.norm(dim=1)) / 2, rtol=1e-5)
    halfway = first / first.norm(dim=1, keepdim=True) + last / last.norm(dim=1, keepdim=True)
    np.testing.assert_allclose(torch.nn.functional.cosine_similarity(middle, halfway).numpy(), np.ones(50), rtol=1e-5)
    assert torch.equal(decoded["library"][0], decoded["library"][2])
    same = scgan.tl.interpolate(model, START, END[:1] + START[1:], mode="noise", n_steps=2, n_cells=5)
    assert same.n_obs == 10


def test_the_stimulation_walk_raises_the_response_genes(trained):
    model, cells = trained
    walk = scgan.tl.interpolate(model, START, END, n_steps=5, n_cells=200)
    lognorm = log1p_cp10k(walk.X)
    steps = walk.obs["scgan_step"].to_numpy()
    response = cells.var["response"].to_numpy()
    means = np.array([lognorm[steps == step].mean(axis=0) for step in range(5)])
    assert (np.diff(means[:, response].mean(axis=1)) > 0).all()
    rise = means[-1, response].mean() - means[0, response].mean()
    assert rise > 0.2 and rise > 2 * np.abs(means[-1, ~response] - means[0, ~response]).mean()


def test_errors(trained):
    model, _ = trained
    with pytest.raises(ValueError, match="one label per condition column"):
        scgan.tl.interpolate(model, "type_0", "type_1")
    with pytest.raises(ValueError, match="Unknown 'condition' label 'wash'"):
        scgan.tl.interpolate(model, START, ("type_0", "wash"))
    with pytest.raises(ValueError, match="Pass `end`"):
        scgan.tl.interpolate(model, START)
    with pytest.raises(ValueError, match="within one condition"):
        scgan.tl.interpolate(model, START, END, mode="noise")
    with pytest.raises(ValueError, match="Unknown mode"):
        scgan.tl.interpolate(model, START, END, mode="line")
    with pytest.raises(ValueError, match="n_steps must be an integer >= 2"):
        scgan.tl.interpolate(model, START, END, n_steps=1)
    with pytest.raises(ValueError, match="n_cells must be an integer >= 1"):
        scgan.tl.interpolate(model, START, END, n_cells=0)


def test_untrained_model_and_covariates(_simulated):
    cells = _simulated.copy()
    cells.obs["age"] = np.random.default_rng(0).normal(size=cells.n_obs)
    scgan.model.SCGAN.setup_anndata(cells, condition_keys="cell_type", covariate_keys="age")
    model = scgan.model.SCGAN(cells, n_latent=8, generator_hidden=[16], critic_hidden=[16])
    with pytest.raises(RuntimeError, match="not trained"):
        scgan.tl.interpolate(model, "type_0", "rare")
    model.train(max_epochs=1, enable_progress_bar=False)
    walk = scgan.tl.interpolate(model, "type_0", "rare", n_steps=2, n_cells=5)
    assert walk.n_obs == 10 and walk.uns["scgan_interpolation"]["start"] == ["type_0"]
