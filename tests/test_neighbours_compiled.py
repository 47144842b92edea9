"""The compiled approximate search (numba, the ``ann`` extra) against the numpy one it replaces.

The numpy chunks (``_candidates_numpy``, ``_rowwise_dot``) stay the specification: the compiled
blocks must select the same candidates and the same exact similarities, whatever the block size.
"""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.preprocessing import normalize

from kompred import consistency as C
from kompred.text import neighbours

kern = pytest.importorskip("kompred.text._knn_compiled")


def _random_problem(n=333, d=6, f=400, density=0.02, seed=5):
    rng = np.random.default_rng(seed)
    Z = rng.normal(size=(n, d)).astype(np.float32)
    Xr = sp.random(n, f, density=density, random_state=seed, format="csr", dtype=np.float32)
    return Z, Xr


@pytest.mark.parametrize("block", [7, 64, 100, 4096, None])
def test_compiled_candidates_equal_the_numpy_chunks(block):
    Z, Xr = _random_problem()
    ref = neighbours._candidates_numpy(Z, Xr, 7)
    got = neighbours._candidates_compiled(kern, Z, Xr, 7, block=block)
    # the same sets (the compiled lists are not ordered), never the row itself
    assert np.array_equal(np.sort(ref, axis=1), np.sort(got, axis=1))
    assert not (got == np.arange(len(Z))[:, None]).any()


def test_compiled_candidates_break_ties_towards_the_lower_index():
    Z = np.zeros((50, 3), dtype=np.float32)  # every pair scores 0: all tied
    Xr = sp.csr_matrix((50, 4), dtype=np.float32)
    got = np.sort(neighbours._candidates_compiled(kern, Z, Xr, 5, block=16), axis=1)
    ref = np.array([[j for j in range(6) if j != i][:5] for i in range(50)])
    assert np.array_equal(got, ref)


def test_compiled_pair_dots_equal_the_sparse_rows():
    rng = np.random.default_rng(1)
    X = normalize(sp.random(200, 500, density=0.05, random_state=1, format="csr",
                            dtype=np.float32)).astype(np.float32)
    a = np.sort(rng.integers(0, 200, 3000))
    b = rng.integers(0, 200, 3000)
    got = kern.pair_dots(X.indptr.astype(np.int64), X.indices.astype(np.int64), X.data,
                         X.shape[1], a, b)
    assert np.allclose(got, neighbours._rowwise_dot(X, a, b), atol=1e-6)


def test_approx_search_is_the_same_with_and_without_the_kernels(monkeypatch):
    from kompred._simulate import simulate

    monkeypatch.setattr(neighbours, "COMPILED_MIN_ROWS", 0)

    apps = simulate(600, seed=8).applications
    X = neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))
    kw = dict(k=8, method="approx", n_components=32, n_common=200)
    ic, sc = C.nearest_neighbors(X, **kw)
    again = C.nearest_neighbors(X, **kw)
    assert np.array_equal(ic, again[0]) and np.array_equal(sc, again[1])  # deterministic
    monkeypatch.setattr(neighbours, "_compiled", lambda n: None)
    inp, snp = C.nearest_neighbors(X, **kw)
    # the same exact similarities; indices may differ only where two neighbours tie
    assert np.allclose(sc, snp, atol=1e-5)
    differ = ic != inp
    assert differ.mean() < 0.01
    ie, se = C.nearest_neighbors(X, k=8, method="exact")
    assert np.mean(sc >= se[:, -1:] - 1e-5) > 0.99  # value recall against the exact top 8


def test_exact_search_is_the_same_with_and_without_the_kernels(monkeypatch):
    from kompred._simulate import simulate

    monkeypatch.setattr(neighbours, "COMPILED_MIN_ROWS", 0)

    apps = simulate(700, seed=4).applications
    X = neighbours._char_matrix(neighbours._texts(apps, ("title", "description")))
    ic, sc = C.nearest_neighbors(X, k=6, method="exact")
    monkeypatch.setattr(neighbours, "_compiled", lambda n: None)
    inp, snp = C.nearest_neighbors(X, k=6, method="exact")
    assert np.allclose(sc, snp, atol=1e-5)
    assert (ic != inp).mean() < 0.01  # only where two neighbours tie within rounding
    # sorted best first, ties by index, never the row itself
    assert (np.diff(sc, axis=1) <= 1e-7).all()
    assert not (ic == np.arange(len(apps))[:, None]).any()


def test_small_searches_skip_the_kernels_and_large_ones_use_them(monkeypatch):
    # numba's import and the kernels' loading cost more than the numpy chunks on small tables
    assert neighbours._compiled(neighbours.COMPILED_MIN_ROWS - 1) is None
    assert neighbours._compiled(neighbours.COMPILED_MIN_ROWS) is kern
    calls = []
    real = neighbours._candidates_compiled
    monkeypatch.setattr(neighbours, "_candidates_compiled",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    X = sp.random(300, 400, density=0.05, format="csr", random_state=1, dtype=np.float32)
    C.nearest_neighbors(X, k=3, method="exact")
    assert calls == []
    monkeypatch.setattr(neighbours, "COMPILED_MIN_ROWS", 100)
    C.nearest_neighbors(X, k=3, method="exact")
    assert calls == [1]


def test_compiled_word_counts_equal_the_sorted_sparse_product():
    rng = np.random.default_rng(3)
    # W rows repeat columns (a word with a repeated n-gram); T has empty rows and repeated words
    W = sp.csr_array((np.ones(600, np.float32), rng.integers(0, 90, 600),
                      np.sort(np.r_[0, rng.integers(0, 600, 49), 600])), shape=(50, 90))
    T = sp.csr_array((np.ones(400, np.float32), rng.integers(0, 50, 400),
                      np.sort(np.r_[0, rng.integers(0, 400, 39), 400])), shape=(40, 50))
    want = sp.csr_array(T @ W)
    want.sort_indices()
    indptr, indices, data = kern.word_counts(T, W)
    assert np.array_equal(indptr, want.indptr) and np.array_equal(indices, want.indices)
    assert np.array_equal(data, want.data)


def test_char_matrix_is_the_same_with_and_without_the_kernels(monkeypatch):
    from kompred._simulate import simulate

    texts = neighbours._texts(simulate(400, seed=2).applications, ("title", "description"))
    monkeypatch.setattr(neighbours, "_compiled", lambda n: None)
    plain = neighbours._char_matrix(texts)
    monkeypatch.undo()
    monkeypatch.setattr(neighbours, "COMPILED_MIN_ROWS", 0)
    fast = neighbours._char_matrix(texts)
    assert plain.shape == fast.shape and np.array_equal(plain.indptr, fast.indptr)
    assert np.array_equal(plain.indices, fast.indices) and np.array_equal(plain.data, fast.data)


def test_kernels_compile_without_a_writable_cache_directory(tmp_path):
    # numba refuses cache=True when no cache directory is writable (a locked-down server);
    # the kernels then compile in each process instead of failing the search
    import os
    import subprocess
    import sys

    code = ("import numpy as np, scipy.sparse as sp\n"
            "from kompred.text import _knn_compiled as k\n"
            "T = sp.csr_array(np.eye(3, dtype=np.float32)); W = sp.csr_array(np.ones((3, 4), np.float32))\n"
            "print(k.word_counts(T, W)[2].sum())\n")
    env = {**os.environ, "NUMBA_CACHE_LOCATOR_CLASSES": "UserProvidedCacheLocator"}
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         cwd=tmp_path, timeout=300)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "12.0"
