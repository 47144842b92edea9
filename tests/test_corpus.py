"""One prepared corpus: each expensive step runs once however many analyses read it."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pandas as pd
import pytest

import kompred
from kompred import corpus as corpus_module
from kompred.cli import main
from kompred.modeling import content as content_module
from kompred.text import neighbours as neighbours_module


@pytest.fixture(scope="module")
def sim() -> pd.DataFrame:
    return kompred.simulate(400, n_handlers=8, seed=3).applications


def _count_calls(monkeypatch) -> Counter:
    """Wrap the three expensive steps where they are defined and where the corpus binds them."""
    calls: Counter = Counter()

    def counting(name, fn):
        def wrapper(*args, **kwargs):
            calls[name] += 1
            return fn(*args, **kwargs)
        return wrapper

    for module in (corpus_module, neighbours_module):
        monkeypatch.setattr(module, "_char_matrix",
                            counting("vectorize", neighbours_module._char_matrix))
        monkeypatch.setattr(module, "nearest_neighbors",
                            counting("neighbours", neighbours_module.nearest_neighbors))
    fit = counting("content_model", content_module._content_logits)
    for module in (corpus_module, content_module):
        monkeypatch.setattr(module, "_content_logits", fit)
    return calls


def test_every_analysis_on_one_corpus_shares_one_search_and_one_content_model(sim, monkeypatch):
    calls = _count_calls(monkeypatch)
    corpus = kompred.prepare(sim)
    assert not calls  # preparing computes nothing yet
    kompred.find_divergent_pairs(corpus)
    kompred.find_divergent_pairs(corpus, include_agreeing=True, min_similarity=0.3)
    kompred.find_divergent_groups(corpus)
    kompred.handler_effect(corpus, n_permutations=99)
    kompred.period_effect(corpus)
    kompred.inconsistency_index(corpus, n_bootstrap=50)
    assert calls == {"vectorize": 1, "neighbours": 1, "content_model": 1}
    assert corpus.counts == Counter(texts=1, vectorize=1, neighbours=1, content_model=1,
                                    word_vectorize=1)


def test_the_report_runs_each_expensive_step_once(sim, tmp_path, monkeypatch, capsys):
    path = tmp_path / "sim.csv"
    sim.to_csv(path, index=False)
    calls = _count_calls(monkeypatch)
    assert main(["report", str(path), "--out", str(tmp_path / "rapport")]) == 0
    assert calls == {"vectorize": 1, "neighbours": 1, "content_model": 1}
    assert "Handläggare:" in capsys.readouterr().out


def test_a_dataframe_and_its_corpus_give_the_same_results(sim):
    corpus = kompred.prepare(sim)
    a = kompred.find_divergent_pairs(sim)
    b = kompred.find_divergent_pairs(corpus)
    pd.testing.assert_frame_equal(a, b)
    he_df = kompred.handler_effect(sim, n_permutations=99)
    he_c = kompred.handler_effect(corpus, n_permutations=99)
    assert he_df.handler_sd == pytest.approx(he_c.handler_sd)


def test_content_scores_match_the_public_function(sim):
    corpus = kompred.prepare(sim)
    direct = kompred.cross_fitted_content_scores(sim, nuisance_columns=("agreement",))
    np.testing.assert_allclose(corpus.content_scores, direct)


def test_a_larger_k_searches_again_and_a_smaller_one_does_not(sim):
    corpus = kompred.prepare(sim, k=5)
    idx5, _ = corpus.neighbours()
    idx3, _ = corpus.neighbours(3)
    assert corpus.counts["neighbours"] == 1
    np.testing.assert_array_equal(idx3, idx5[:, :3])
    idx8, _ = corpus.neighbours(8)
    assert corpus.counts["neighbours"] == 2 and idx8.shape[1] == 8


def test_prepare_rejects_what_is_not_a_table():
    with pytest.raises(kompred.ValidationError, match="DataFrame"):
        kompred.prepare([1, 2, 3])
    with pytest.raises(kompred.ValidationError, match="DataFrame or a kompred Corpus"):
        kompred.find_divergent_pairs("apps.csv")


def test_analyse_returns_results_and_render_writes_both_languages(sim):
    from kompred.report import render_analysis

    result = kompred.analyse(sim)
    assert set(result.done) == {"topics", "pairs", "groups", "handler", "period"}
    sv = render_analysis(result)
    en = render_analysis(result, lang="en")
    assert any(h == "Beror besluten på handläggaren?" for h, _ in sv.sections)
    assert any(h == "Do decisions depend on the handler?" for h, _ in en.sections)
    fig = dict(en.figures)["handlaggare_tratt.png"]
    assert fig.axes[0].get_xlabel() == "decisions per handler"
    fig_sv = dict(sv.figures)["handlaggare_tratt.png"]
    assert fig_sv.axes[0].get_xlabel() == "beslut per handläggare"
    with pytest.raises(kompred.ValidationError, match="lang"):
        render_analysis(result, lang="de")


def test_every_message_has_both_languages():
    from kompred.render import LANGS, WORDS

    missing = [k for k, v in WORDS.items() if set(v) != set(LANGS) or not all(v.values())]
    assert not missing
