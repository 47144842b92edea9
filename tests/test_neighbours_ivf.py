"""Tests of nearest_neighbors(method="ivf"): the faiss IVF candidates + rare n-grams, exact re-rank."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from kompred import consistency as C
from kompred.text import neighbours

pytest.importorskip("faiss")

N_SIM = 3000


@pytest.fixture(scope="module")
def sim_matrix() -> sp.csr_matrix:
    from kompred._simulate import simulate

    apps = simulate(N_SIM, seed=3).applications
    return neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))


@pytest.fixture(scope="module")
def exact(sim_matrix):
    return C.nearest_neighbors(sim_matrix, k=10, method="exact")


def test_ivf_recall_against_exact_on_simulated_texts(sim_matrix, exact):
    ie, _ = exact
    ia, _ = C.nearest_neighbors(sim_matrix, k=10, method="ivf")
    recall = np.mean([len(set(ie[i]) & set(ia[i])) for i in range(N_SIM)]) / 10
    assert recall >= 0.95


def test_ivf_similarities_are_the_exact_cosines_sorted(sim_matrix):
    idx, sim = C.nearest_neighbors(sim_matrix, k=10, method="ivf", nprobe=2)
    Xn = normalize(sim_matrix).astype(np.float64)
    rows = np.repeat(np.arange(N_SIM), 10)
    ref = np.asarray(Xn[rows].multiply(Xn[idx.ravel()]).sum(axis=1)).reshape(N_SIM, 10)
    assert np.allclose(sim, ref, atol=1e-5)
    assert (np.diff(sim, axis=1) <= 1e-7).all()
    assert not (idx == np.arange(N_SIM)[:, None]).any()
    assert all(len(set(r)) == 10 for r in idx.tolist())


def test_ivf_more_probes_do_not_lose_recall(sim_matrix, exact):
    ie, _ = exact
    rec = {}
    for nprobe in (1, 16):
        ia, _ = C.nearest_neighbors(sim_matrix, k=10, method="ivf", nprobe=nprobe,
                                    rare_max_df=0, n_candidates=20)
        rec[nprobe] = np.mean([len(set(ie[i]) & set(ia[i])) for i in range(N_SIM)])
    assert rec[16] > rec[1]


_SCRIPT = """
import hashlib, sys
import numpy as np
from kompred._simulate import simulate
from kompred.text import neighbours
apps = simulate(800, seed=1).applications
X = neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))
idx, sim = neighbours.nearest_neighbors(X, k=8, method="ivf", random_state=7)
print(hashlib.sha256(idx.tobytes() + sim.tobytes()).hexdigest())
"""


def test_ivf_is_deterministic_in_a_process_and_across_processes():
    from kompred._simulate import simulate

    apps = simulate(800, seed=1).applications
    X = neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))
    runs = [neighbours.nearest_neighbors(X, k=8, method="ivf", random_state=7) for _ in range(2)]
    assert np.array_equal(runs[0][0], runs[1][0]) and np.array_equal(runs[0][1], runs[1][1])
    here = hashlib.sha256(runs[0][0].tobytes() + runs[0][1].tobytes()).hexdigest()
    other = subprocess.run([sys.executable, "-c", _SCRIPT], capture_output=True, text=True,
                           check=True).stdout.strip()
    assert other == here


def test_ivf_caps_k_and_handles_zero_rows():
    X = sp.csr_matrix(np.array([[1.0, 0, 0], [0.9, 0.1, 0], [0, 0, 0], [0, 1.0, 0.2],
                                [0, 0, 0]]))
    idx, sim = C.nearest_neighbors(X, k=10, method="ivf")
    assert idx.shape == sim.shape == (5, 4)
    ie, se = C.nearest_neighbors(X, k=10, method="exact")
    assert np.allclose(sim, se, atol=1e-6)
    assert not (idx == np.arange(5)[:, None]).any()
    assert (sim[[2, 4]] == 0).all()  # a zero row is similar to nothing


def test_rare_candidates_are_rows_sharing_a_rare_ngram():
    # columns 0-1 in every row (common), column 2+i shared by rows 2i and 2i+1 only
    n = 40
    X = sp.lil_matrix((n, 2 + n // 2), dtype=np.float32)
    X[:, 0] = 1.0
    X[:, 1] = 1.0
    for i in range(n):
        X[i, 2 + i // 2] = 0.5
    cand = neighbours._rare_candidates(sp.csr_matrix(X), max_df=3, n_candidates=2)
    assert (cand[:, 0] == np.arange(n) ^ 1).all()  # each row's twin
    assert (cand[:, 1] == -1).all()


def test_unknown_method_is_refused():
    from kompred.exceptions import ValidationError

    with pytest.raises(ValidationError, match="ivf"):
        C.nearest_neighbors(sp.eye(3, format="csr"), method="hnsw")
