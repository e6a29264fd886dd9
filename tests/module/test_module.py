import pytest
import torch
from torch import nn

from scgan.module import (
    ConditionalGAN,
    Critic,
    Generator,
    critic_loss,
    draw_integer_counts,
    draw_poisson,
    generator_loss,
    gradient_penalty,
    log_normalize,
    sample_counts,
)
from scgan.module._networks import group_spread


def test_generator_and_critic_shapes():
    gen = Generator(30, n_latent=8, n_cats_per_key=[3, 2], n_continuous=4, hidden=[16], count_head="nb")
    categorical = torch.tensor([[0, 1], [2, 0], [1, 1]])
    continuous = torch.randn(3, 4)
    proportions, theta = gen(torch.randn(3, 8), categorical, continuous)
    assert proportions.shape == theta.shape == (3, 30)
    torch.testing.assert_close(proportions.sum(1), torch.ones(3))
    assert (theta > 0).all()
    critic = Critic(30, n_cats_per_key=[3, 2], n_continuous=4, hidden=[16, 8], dropout=0.1, minibatch_std=0)
    assert critic(torch.randn(3, 30), categorical, continuous).shape == (3,)


def test_group_spread_known_values():
    features = torch.tensor([[0.0, 0.0], [2.0, 4.0], [1.0, 1.0], [1.0, 1.0], [5.0, 3.0]])
    # groups of two: rows 0-1 (std 1 and 2, mean 1.5), rows 2-3 (0), row 4 alone (0)
    spread = group_spread(features, 2)
    torch.testing.assert_close(spread, torch.tensor([[1.5], [1.5], [0.0], [0.0], [0.0]]), atol=1e-3, rtol=0)


def test_critic_minibatch_std_reads_the_cells_of_the_same_group_only():
    torch.manual_seed(0)
    categorical = torch.zeros(8, 1, dtype=torch.long)
    cells = torch.randn(8, 6)
    changed = cells.clone()
    changed[1] += 3.0  # a cell of the first group of four
    for group_size, first_group_moves in ((4, True), (0, False)):
        critic = Critic(6, n_cats_per_key=[1], n_continuous=0, hidden=[16], dropout=0.0, minibatch_std=group_size)
        before, after = critic(cells, categorical, None), critic(changed, categorical, None)
        assert not torch.allclose(before[1], after[1])
        assert torch.allclose(before[4:], after[4:])  # the other group is untouched
        assert (not torch.allclose(before[[0, 2, 3]], after[[0, 2, 3]])) == first_group_moves


def test_gradient_penalty_known_value():
    weight = torch.tensor([3.0, 4.0])  # a linear critic has gradient w everywhere: penalty (|w| - 1)^2 = 16

    def linear(x):
        return x @ weight

    penalty = gradient_penalty(linear, torch.randn(5, 2), torch.randn(5, 2))
    torch.testing.assert_close(penalty, torch.tensor(16.0))
    unit = torch.tensor([0.6, 0.8])
    assert gradient_penalty(lambda x: x @ unit, torch.randn(5, 2), torch.randn(5, 2)).item() == pytest.approx(0.0)


def test_losses_known_values():
    real, fake = torch.tensor([2.0, 4.0]), torch.tensor([0.0, 1.0])
    assert critic_loss(real, fake, loss="wgan-gp").item() == pytest.approx(0.5 - 3.0)
    assert critic_loss(real, fake, loss="wgan").item() == pytest.approx(-2.5)
    assert generator_loss(fake, loss="wgan").item() == pytest.approx(-0.5)
    softplus = nn.functional.softplus
    expected = softplus(-real).mean() + softplus(fake).mean()
    assert critic_loss(real, fake, loss="gan").item() == pytest.approx(expected.item())
    # non-saturating: the generator's loss is -log sigmoid(D(G(z)))
    assert generator_loss(fake, loss="gan").item() == pytest.approx(softplus(-fake).mean().item())


@pytest.mark.parametrize("head", ["poisson", "nb", "continuous"])
def test_count_heads(head):
    torch.manual_seed(0)
    logits = torch.randn(64, 20, requires_grad=True)
    proportions = torch.softmax(logits, 1)
    theta = torch.full((64, 20), 5.0) if head == "nb" else None
    library = torch.full((64,), 1000.0)
    counts = sample_counts(proportions, theta, library, head=head)
    if head != "continuous":
        torch.testing.assert_close(counts, counts.round())  # integers in the forward pass
    counts.sum().backward()
    assert logits.grad is not None  # the generator learns through the draw
    drawn = draw_integer_counts(proportions.detach(), theta, library, head=head)
    torch.testing.assert_close(drawn, drawn.round())
    assert drawn.sum(1).float().mean().item() == pytest.approx(1000, rel=0.1)


def test_draw_poisson_depends_on_the_seed_not_the_threads():
    mean = torch.linspace(0.0, 40.0, 2000).repeat(3000, 1)  # two full row blocks and a partial one
    threads = torch.get_num_threads()
    drawn = {}
    try:
        for n_threads in (1, 2):
            torch.set_num_threads(n_threads)
            torch.manual_seed(0)
            drawn[n_threads] = draw_poisson(mean, block_rows=1024)
    finally:
        torch.set_num_threads(threads)
    torch.testing.assert_close(drawn[1], drawn[2], rtol=0, atol=0)
    counts = drawn[1]
    assert counts.shape == mean.shape and (counts == counts.round()).all()
    # Poisson: per-column mean and variance both equal the rate; blocks are not copies of each other
    torch.testing.assert_close(counts.mean(0)[-1], torch.tensor(40.0), rtol=0.02, atol=0)
    torch.testing.assert_close(counts.var(0)[-1], torch.tensor(40.0), rtol=0.1, atol=0)
    assert not torch.equal(counts[:1024], counts[1024:2048])
    torch.manual_seed(1)
    assert not torch.equal(draw_poisson(mean, block_rows=1024), counts)


def test_log_normalize():
    counts = torch.tensor([[1.0, 3.0], [0.0, 0.0]])
    torch.testing.assert_close(log_normalize(counts), torch.log1p(torch.tensor([[2500.0, 7500.0], [0.0, 0.0]])))
    torch.testing.assert_close(log_normalize(counts, 8.0), torch.log1p(torch.tensor([[2.0, 6.0], [0.0, 0.0]])))


def test_critic_reads_counts_per_median_library_size():
    categorical = torch.zeros(5, 1, dtype=torch.long)
    library_sizes = torch.tensor([100.0, 500.0, 300.0, 200.0, 400.0])
    counts = torch.tensor([[1.0, 3.0, 0.0], [0.0, 2.0, 2.0]])
    gan = ConditionalGAN(3, n_cats_per_key=[1], n_latent=4, generator_hidden=[8], critic_hidden=[8])  # default
    gan.set_training_pool(library_sizes, categorical, None)
    assert gan.critic_scale.item() == 300.0
    expected = gan.critic(torch.log1p(counts / counts.sum(1, keepdim=True) * 300.0), categorical[:2], None)
    torch.testing.assert_close(gan.score(counts, categorical[:2], None), expected)
    per_10k = ConditionalGAN(3, n_cats_per_key=[1], critic_target_sum=1e4)
    per_10k.set_training_pool(library_sizes, categorical, None)
    assert per_10k.critic_scale.item() == 1e4


@pytest.mark.parametrize("loss", ["wgan-gp", "wgan", "gan"])
def test_conditional_gan_losses_are_finite(loss):
    gan = ConditionalGAN(25, n_cats_per_key=[2], n_latent=8, generator_hidden=[16], critic_hidden=[16], loss=loss)
    counts = torch.poisson(torch.rand(10, 25) * 5)
    categorical = torch.randint(0, 2, (10, 1))
    out = gan.critic_step_loss(counts, categorical, None, gp_weight=10.0)
    assert torch.isfinite(out["critic_loss"]) and ("gradient_penalty" in out) == (loss == "wgan-gp")
    assert torch.isfinite(gan.generator_step_loss(counts, categorical, None))


def test_library_sizes_come_from_the_same_condition():
    gan = ConditionalGAN(5, n_cats_per_key=[2, 2], n_latent=4, generator_hidden=[8], critic_hidden=[8])
    categorical = torch.tensor([[0, 0], [0, 1], [1, 0], [1, 1]])
    gan.set_training_pool(torch.tensor([10.0, 20.0, 30.0, 40.0]), categorical, None)
    import numpy as np

    drawn = gan.draw_library_sizes(torch.tensor([[1, 0], [0, 1], [1, 0]]), 3, np.random.default_rng(0))
    torch.testing.assert_close(drawn, torch.tensor([30.0, 20.0, 30.0]))


def test_mixture_draws_each_cell_from_one_of_its_generators():
    gan = ConditionalGAN(4, n_cats_per_key=[1], n_latent=4, generator_hidden=[8], critic_hidden=[8])
    gan.set_mixture(2)
    with torch.no_grad():  # generator i puts every count on gene i
        for i, generator in enumerate(gan.generators):
            generator.logits.weight.zero_()
            generator.logits.bias.copy_(torch.nn.functional.one_hot(torch.tensor(i), 4) * 30.0)
    categorical, library = torch.zeros(400, 1, dtype=torch.long), torch.full((400,), 50.0)

    def generate():
        torch.manual_seed(0)
        return gan.generate(categorical, None, library)

    counts = generate()
    on_gene = counts[:, :2] == counts.sum(1, keepdim=True)
    assert on_gene.any(1).all()  # every cell from one generator, never a blend
    assert 150 < int(on_gene[:, 0].sum()) < 250  # equal chances
    torch.testing.assert_close(generate(), counts)
    # the weights carry the mixture: a module built without one loads both generators
    fresh = ConditionalGAN(4, n_cats_per_key=[1], n_latent=4, generator_hidden=[8], critic_hidden=[8])
    fresh.load_state_dict(gan.state_dict())
    assert len(fresh.generators) == 2
    torch.manual_seed(0)
    torch.testing.assert_close(fresh.generate(categorical, None, library), counts)
    gan.set_mixture(1)
    assert (generate()[:, 1:] == 0).all()  # the first generator alone


def test_bad_options():
    with pytest.raises(ValueError, match="count_head"):
        ConditionalGAN(5, n_cats_per_key=[2], count_head="gaussian")
    with pytest.raises(ValueError, match="wgan-gp"):
        ConditionalGAN(5, n_cats_per_key=[2], loss="hinge")
    with pytest.raises(ValueError, match="condition"):
        ConditionalGAN(5)
    with pytest.raises(ValueError, match="critic_target_sum"):
        ConditionalGAN(5, n_cats_per_key=[2], critic_target_sum=0)
    with pytest.raises(ValueError, match="n_generators must be a positive integer"):
        ConditionalGAN(5, n_cats_per_key=[2]).set_mixture(0)
    for group_size in (-1, 0.0, False, 2.5):
        with pytest.raises(ValueError, match="critic_minibatch_std must be a non-negative integer"):
            ConditionalGAN(5, n_cats_per_key=[2], critic_minibatch_std=group_size)


def test_gan_learns_a_gaussian():
    """Our non-saturating losses train a tiny GAN to match N(3, 0.5^2).

    (WGAN-GP in one dimension circles the target for thousands of steps: the critic's slope must pass through
    zero to change sign, so it lags the generator. The count model is tested with WGAN-GP below.)
    """
    torch.manual_seed(0)
    generator = nn.Sequential(nn.Linear(4, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    critic = nn.Sequential(nn.Linear(1, 32), nn.LeakyReLU(0.2), nn.Linear(32, 1))
    g_opt = torch.optim.Adam(generator.parameters(), lr=1e-3, betas=(0.5, 0.9))
    c_opt = torch.optim.Adam(critic.parameters(), lr=1e-3, betas=(0.5, 0.9))
    for _ in range(2500):
        real = 3.0 + 0.5 * torch.randn(128, 1)
        fake = generator(torch.randn(128, 4))
        loss = critic_loss(critic(real).squeeze(1), critic(fake.detach()).squeeze(1), loss="gan")
        c_opt.zero_grad()
        loss.backward()
        c_opt.step()
        g_loss = generator_loss(critic(fake).squeeze(1), loss="gan")
        g_opt.zero_grad()
        g_loss.backward()
        g_opt.step()
    with torch.no_grad():
        sample = generator(torch.randn(4000, 4))
    assert sample.mean().item() == pytest.approx(3.0, abs=0.2)
    assert sample.std().item() == pytest.approx(0.5, abs=0.25)


def test_student_t_noise():
    """noise_df gives a heavy-tailed noise radius (Gaussian: the norm barely varies), seeded like the rest."""
    gaussian = ConditionalGAN(5, n_cats_per_key=[2], n_latent=64, noise_df=None)
    heavy = ConditionalGAN(5, n_cats_per_key=[2], n_latent=64)  # the default: 3 degrees of freedom
    torch.manual_seed(0)
    gaussian_norms = gaussian.noise(4000, "cpu").norm(dim=1)
    torch.manual_seed(0)
    heavy_norms = heavy.noise(4000, "cpu").norm(dim=1)
    torch.manual_seed(0)
    torch.testing.assert_close(heavy.noise(4000, "cpu").norm(dim=1), heavy_norms)
    assert gaussian_norms.std() / gaussian_norms.mean() < 0.1
    assert heavy_norms.std() / heavy_norms.mean() > 0.3
    # each coordinate is Student-t with 3 degrees of freedom: median of |t| 0.765 (Gaussian 0.674)
    assert heavy.noise(20000, "cpu").abs().median().item() == pytest.approx(0.765, abs=0.01)
    with pytest.raises(ValueError, match="noise_df"):
        ConditionalGAN(5, n_cats_per_key=[2], noise_df=0)
