"""Seeded genotype-to-expression data: the classic experiment of a GAN conditioned on SNPs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from anndata import AnnData


def simulate_genotypes(
    *,
    n_cells: int = 2000,
    n_snps: int = 10,
    n_noise_genes: int = 40,
    p_high_present: float = 0.7,
    p_high_absent: float = 0.3,
    high_mean: float = 30.0,
    low_mean: float = 3.0,
    random_state: int = 0,
) -> AnnData:
    """Counts in which gene i is switched on more often when SNP i is present.

    A binary SNP matrix goes to ``.obsm['snps']``: a quarter of the cells carry few SNPs (each present with
    probability 0.1), a quarter carry most (0.9), half are random (0.5). Gene ``snp_gene_i`` is highly expressed
    (Poisson mean `high_mean`, else `low_mean`) with probability `p_high_present` when SNP i is present and
    `p_high_absent` when it is absent; `n_noise_genes` further genes are Poisson noise unrelated to the SNPs.

    Parameters
    ----------
    n_cells, n_snps, n_noise_genes
        Size of the data.
    p_high_present, p_high_absent
        Probability that a SNP's gene is switched on when the SNP is present or absent.
    high_mean, low_mean
        Poisson means of a switched-on and a switched-off gene.
    random_state
        Seed; the same seed gives the same data.

    Returns
    -------
    AnnData with CSR int32 counts in `.X` (`n_snps` + `n_noise_genes` genes), `.obsm['snps']` (float32 0/1,
    cells x SNPs), `.obs['genotype_group']` ('mostly_absent', 'mostly_present', 'random'), `.layers['high']`
    (whether each SNP gene was switched on, as 0/1) and `.uns['simulate_genotypes']['params']`.
    """
    rng = np.random.default_rng(random_state)
    quarter = n_cells // 4
    groups = np.array(["mostly_absent"] * quarter + ["mostly_present"] * quarter + ["random"] * (n_cells - 2 * quarter))
    rng.shuffle(groups)
    p_snp = pd.Series(groups).map({"mostly_absent": 0.1, "mostly_present": 0.9, "random": 0.5}).to_numpy()
    snps = (rng.random((n_cells, n_snps)) < p_snp[:, None]).astype(np.float32)
    switched_on = rng.random((n_cells, n_snps)) < np.where(snps == 1, p_high_present, p_high_absent)
    snp_genes = rng.poisson(np.where(switched_on, high_mean, low_mean))
    noise_means = rng.uniform(low_mean, high_mean, size=n_noise_genes)
    noise = rng.poisson(np.broadcast_to(noise_means, (n_cells, n_noise_genes)))
    counts = np.hstack([snp_genes, noise]).astype(np.int32)
    high = np.zeros_like(counts)
    high[:, :n_snps] = switched_on
    params = {
        "n_cells": n_cells,
        "n_snps": n_snps,
        "n_noise_genes": n_noise_genes,
        "p_high_present": p_high_present,
        "p_high_absent": p_high_absent,
        "random_state": random_state,
    }
    return AnnData(
        X=sp.csr_matrix(counts),
        obs=pd.DataFrame({"genotype_group": pd.Categorical(groups)}, index=[f"cell_{i}" for i in range(n_cells)]),
        var=pd.DataFrame(index=[f"snp_gene_{i}" for i in range(n_snps)] + [f"noise_{i}" for i in range(n_noise_genes)]),
        obsm={"snps": snps},
        layers={"high": sp.csr_matrix(high)},
        uns={"simulate_genotypes": {"params": params}},
    )


def activation_rates(counts, snps: np.ndarray, *, threshold: float) -> pd.DataFrame:
    """Per SNP: the fraction of cells whose SNP gene exceeds `threshold`, when the SNP is present and absent."""
    counts = counts.toarray() if sp.issparse(counts) else np.asarray(counts)
    n_snps = snps.shape[1]
    high = counts[:, :n_snps] > threshold
    present = snps == 1
    return pd.DataFrame(
        {
            "present": [high[present[:, i], i].mean() for i in range(n_snps)],
            "absent": [high[~present[:, i], i].mean() for i in range(n_snps)],
        },
        index=pd.Index([f"snp_{i}" for i in range(n_snps)], name="snp"),
    )
