import numpy as np
import pytest
import scipy.sparse as sp

from scgan.metrics._oversampling import (
    CLASSIFIERS,
    ScaledLogSpace,
    fit_and_score,
    oversample_class_weight,
    oversample_none,
    oversample_random,
    oversample_smote,
    poisson_floor,
    score_rare,
    with_synthetic,
)

RESAMPLERS = {
    "none": oversample_none,
    "class_weight": oversample_class_weight,
    "random": oversample_random,
    "smote": oversample_smote,
}


@pytest.fixture
def imbalanced():
    rng = np.random.default_rng(0)
    labels = np.array(["common"] * 60 + ["other"] * 40 + ["rare"] * 6)
    centres = {"common": 0.0, "other": 3.0, "rare": -3.0}
    features = np.stack([rng.normal(centres[label], 0.5, size=8) for label in labels])
    return features, labels


@pytest.mark.parametrize("method", ["random", "smote"])
def test_resamplers_top_up_the_rare_class_to_target(imbalanced, method):
    features, labels = imbalanced
    training = RESAMPLERS[method](features, labels, rare="rare", target=40, random_state=0)
    assert np.sum(training.labels == "rare") == 40
    assert training.n_synthetic == 34
    assert training.features.shape == (len(labels) + 34, 8)
    # the real cells come first and are unchanged; other classes get nothing
    np.testing.assert_array_equal(training.features[: len(labels)], features)
    assert np.sum(training.labels == "common") == 60
    assert training.class_weight is None


@pytest.mark.parametrize("method", ["none", "random", "smote"])
def test_resamplers_leave_a_class_at_or_above_target_alone(imbalanced, method):
    features, labels = imbalanced
    training = RESAMPLERS[method](features, labels, rare="rare", target=6, random_state=0)
    assert training.n_synthetic == 0
    np.testing.assert_array_equal(training.labels, labels)


def test_class_weight_arm_adds_no_cells(imbalanced):
    features, labels = imbalanced
    training = RESAMPLERS["class_weight"](features, labels, rare="rare", target=40, random_state=0)
    assert training.class_weight == "balanced"
    assert training.n_synthetic == 0
    assert training.features is features


def test_smote_synthetic_cells_lie_between_rare_cells(imbalanced):
    features, labels = imbalanced
    training = RESAMPLERS["smote"](features, labels, rare="rare", target=40, random_state=0)
    rare = features[labels == "rare"]
    synthetic = training.features[len(labels) :]
    assert np.all(synthetic >= rare.min(axis=0) - 1e-9)
    assert np.all(synthetic <= rare.max(axis=0) + 1e-9)


def test_smote_needs_two_rare_cells(imbalanced):
    features, labels = imbalanced
    keep = np.concatenate([np.flatnonzero(labels != "rare"), np.flatnonzero(labels == "rare")[:1]])
    with pytest.raises(ValueError, match="at least 2 cells of 'rare'"):
        RESAMPLERS["smote"](features[keep], labels[keep], rare="rare", target=40, random_state=0)


def test_with_synthetic_appends_rare_rows(imbalanced):
    features, labels = imbalanced
    training = with_synthetic(features, labels, np.ones((5, 8)), rare="rare")
    assert training.n_synthetic == 5
    assert list(training.labels[-5:]) == ["rare"] * 5
    assert np.sum(training.labels == "rare") == 11


def test_poisson_floor_draws_integer_cells_of_the_pooled_profile():
    rng = np.random.default_rng(1)
    profile = rng.dirichlet(np.ones(30))
    library_sizes = np.array([500, 1000, 2000])
    real = sp.csr_matrix(rng.poisson(np.outer(library_sizes, profile)))
    synthetic = poisson_floor(real, 3000, random_state=0)
    assert sp.issparse(synthetic)
    assert synthetic.shape == (3000, 30)
    assert np.issubdtype(synthetic.dtype, np.integer)
    assert synthetic.min() >= 0
    pooled = np.asarray(real.sum(axis=0)).ravel() / real.sum()
    drawn = np.asarray(synthetic.sum(axis=0)).ravel() / synthetic.sum()
    np.testing.assert_allclose(drawn, pooled, atol=5e-3)
    # library sizes are resampled from the real cells: each synthetic total is near one of them
    totals = np.asarray(synthetic.sum(axis=1)).ravel()
    real_totals = np.asarray(real.sum(axis=1)).ravel()
    nearest = np.abs(totals[:, None] - real_totals[None, :]).min(axis=1)
    assert np.all(nearest < 5 * np.sqrt(real_totals.max()))
    np.testing.assert_array_equal(synthetic.toarray(), poisson_floor(real, 3000, random_state=0).toarray())


def test_poisson_floor_refuses_cells_without_counts():
    with pytest.raises(ValueError, match="no counts"):
        poisson_floor(np.zeros((3, 4)), 5)


def test_scaled_log_space_is_fitted_on_training_cells_only():
    rng = np.random.default_rng(2)
    train = rng.poisson(5.0, size=(50, 6))
    train[:, 5] = 0
    space = ScaledLogSpace().fit(train)
    scaled = space.transform(train)
    np.testing.assert_allclose(scaled[:, :5].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(scaled[:, :5].std(axis=0), 1, atol=1e-4)
    assert np.all(scaled[:, 5] == 0)
    other = np.zeros((2, 6))
    other[:, 5] = 1000
    assert np.all(np.abs(space.transform(other)) <= 10)
    with pytest.raises(RuntimeError, match="fit"):
        ScaledLogSpace().transform(train)


def test_score_rare():
    truth = np.array(["a", "a", "a", "b", "b", "rare", "rare"])
    predicted = np.array(["a", "a", "rare", "b", "b", "rare", "train_only"])
    scores = score_rare(truth, predicted, rare="rare")
    assert scores["rare_precision"] == pytest.approx(0.5)
    assert scores["rare_recall"] == pytest.approx(0.5)
    assert scores["rare_f1"] == pytest.approx(0.5)
    assert scores["balanced_accuracy"] == pytest.approx((2 / 3 + 1 + 0.5) / 3)
    assert scores["macro_f1"] == pytest.approx((0.8 + 1 + 0.5) / 3)
    assert score_rare(truth, truth, rare="rare") == dict.fromkeys(scores, 1.0)


@pytest.mark.parametrize("classifier", list(CLASSIFIERS))
@pytest.mark.parametrize("class_weight", [None, "balanced"])
def test_classifiers_separate_well_separated_classes(imbalanced, classifier, class_weight):
    features, labels = imbalanced
    training = RESAMPLERS["class_weight" if class_weight else "none"](
        features, labels, rare="rare", target=40, random_state=0
    )
    scores = fit_and_score(training, features, labels, classifier=classifier, rare="rare", random_state=0)
    assert scores["rare_f1"] == 1.0
