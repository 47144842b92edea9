"""The similar-applications index of a Scorer: built with the fast char_wb fit, the same answers.

The specification is the index as it was built before (``TfidfVectorizer.fit_transform``), kept
here; ``Scorer.similar`` must give the same indices and the same similarities, bit for bit.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from kompred.datasets import simulate
from kompred.scoring import _texts, load_scorer
from kompred.text import char_ngram_vectorizer, normalize_text


def test_similar_with_the_fast_index_is_similar_with_sklearns_index():
    scorer = load_scorer()
    apps = simulate(300, seed=11).applications
    apps.loc[0, "description"] = ""
    apps.loc[1, "description"] = "Utbildning i lågaffektivt bemötande för personal på gruppbostäder"
    scorer._ref_index = None
    fast = scorer.similar(apps, k=5)
    vec = char_ngram_vectorizer()
    R = vec.fit_transform([normalize_text(t) for t in _texts(scorer.reference)])
    scorer._ref_index = (vec, sp.csr_matrix(R))  # the index as built before
    slow = scorer.similar(apps, k=5)
    assert np.array_equal(fast[0], slow[0])
    assert np.array_equal(fast[1], slow[1])  # the same floats
    assert (fast[1] > 0).any()
