"""The faster scoring paths give exactly what the per-row code they replaced gave.

The reference functions below are the pre-optimisation algorithms (one row at a time, numeric
columns read per row, n-grams of each word generated afresh), kept here as the specification.
"""

from __future__ import annotations

import math
import re
import warnings
from collections import Counter

import numpy as np
import pandas as pd
import pytest

from kompred import DataQualityWarning, GrantModel, SmallDataWarning, simulate
from kompred.featurize import normalize_text, words_from_char_ngrams
from kompred.modeling import grant as G
from kompred.modeling.grant._common import _label
from kompred.render.numbers import format_number
from kompred.scoring import load_scorer, score_applications


def reference_words_from_char_ngrams(text, ngram_weights):
    words = normalize_text(text).split()
    lengths = sorted({len(g) for g in ngram_weights if isinstance(g, str) and g})
    if not words or not lengths:
        return {}
    per_word, totals = [], Counter()
    for word in words:
        padded = f" {word} "
        counts = Counter()
        for n in lengths:
            if n > len(padded):
                break
            for i in range(len(padded) - n + 1):
                if padded[i:i + n] in ngram_weights:
                    counts[padded[i:i + n]] += 1
        per_word.append(counts)
        totals.update(counts)
    result = {}
    for word, counts in zip(words, per_word, strict=True):
        key = re.sub(r"^[\W_]+|[\W_]+$", "", word) or word
        value = sum(float(ngram_weights[g]) * c / totals[g] for g, c in counts.items())
        result[key] = result.get(key, 0.0) + value
    return result


def reference_explain(model, X, top):
    """GrantModel.explain as it was: every non-zero visited in Python, numeric cells per row."""
    Z = model._features(X)
    coef = model.classifier_.coef_.ravel()
    slope = model.calibration_[0] if model.calibration_ is not None else 1.0
    C = Z.multiply(coef.reshape(1, -1)).tocsr() * slope
    fmap = model.featurizer_.feature_map_
    kinds, cols = fmap["kind"].to_numpy(), fmap["column"].to_numpy()
    values = fmap["value"].to_numpy()
    ts = model.featurizer_.text_slice_
    texts = model.featurizer_.texts(X)
    hist = {c: model.featurizer_._history_stats(X, c) for c in model.columns_["history"]}
    out = []
    for i in range(Z.shape[0]):
        s, e = C.indptr[i], C.indptr[i + 1]
        reasons, ngrams = [], {}
        for j, c in zip(C.indices[s:e], C.data[s:e], strict=True):
            if c == 0:
                continue
            if ts.start <= j < ts.stop:
                ngrams[values[j]] = ngrams.get(values[j], 0.0) + float(c)
                continue
            if kinds[j] == "numeric":  # the old per-row read
                col = cols[j]
                raw = model.featurizer_._numeric_raw(X.iloc[[i]], col)[0]
                use_log, mean, _, _ = model.featurizer_.numeric_params_[col]
                typical = math.expm1(mean) if use_log else mean
                rel = "högre" if (np.log1p(max(raw, 0)) if use_log else raw) > mean else "lägre"
                label = (f"{_label(col)} {format_number(raw)} ({rel} än typiskt "
                         f"{format_number(typical)})")
            else:
                label = model._feature_label(X, i, kinds[j], cols[j], values[j], hist)
            reasons.append(G.Reason(label, "höjer" if c > 0 else "sänker", float(c), kinds[j],
                                    cols[j]))
        if ngrams:
            for word, c in reference_words_from_char_ngrams(texts[i], ngrams).items():
                if c != 0:
                    reasons.append(G.Reason(f"ordet '{word}' i texten",
                                            "höjer" if c > 0 else "sänker", float(c), "text",
                                            "+".join(model.columns_["text"])))
        reasons.sort(key=lambda r: -abs(r.contribution))
        out.append([r for r in reasons if abs(r.contribution) >= 1e-4][:top])
    return out


def fixed_input(n=120, seed=11) -> pd.DataFrame:
    apps = simulate(n, seed=seed).applications.drop(
        columns=["decision", "decision_date", "granted_sek", "handler", "topic"])
    apps.loc[0, "description"] = None  # empty text
    apps.loc[1, "cost_sek"] = np.nan  # missing number
    apps.loc[2, "description"] = "Kurs i HLR. " * 40  # long, repetitive
    apps.loc[3, "participants"] = pd.NA
    return apps


@pytest.fixture(scope="module")
def fitted_model():
    train = simulate(300, seed=5).applications
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", SmallDataWarning)
        return GrantModel(n_bootstrap=5, random_state=0, history_columns=("employer",),
                          time_column="submitted").fit(train)


def test_words_from_char_ngrams_matches_reference():
    text = "Demensutbildning för personal: demens, demenssjukdom och bemötande (två dagar)."
    grams = {"demen": 1.0, "emens": -0.3, " de": 0.2, "nde ": 0.7, "ag": 0.1, " och ": -0.5}
    assert words_from_char_ngrams(text, grams) == reference_words_from_char_ngrams(text, grams)
    # the cache must not carry one call's weights into the next
    other = {"demen": -2.0}
    assert words_from_char_ngrams(text, other) == reference_words_from_char_ngrams(text, other)


@pytest.mark.parametrize("which", ["bundled", "fitted"])
def test_explain_matches_reference(which, fitted_model):
    model = load_scorer().grant_model if which == "bundled" else fitted_model
    X = fixed_input()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        fast, slow = model.explain(X, top=5), reference_explain(model, X, 5)
    # the batched word sums add in another order: equal labels, contributions to 1e-12
    assert [[(r.label, r.direction, r.kind, r.column) for r in rs] for rs in fast] == \
        [[(r.label, r.direction, r.kind, r.column) for r in rs] for rs in slow]
    assert all(abs(a.contribution - b.contribution) <= 1e-12
               for ra, rb in zip(fast, slow, strict=True) for a, b in zip(ra, rb, strict=True))
    assert any(r.kind == "numeric" for rs in fast for r in rs)  # the changed path is exercised
    assert any(r.kind == "text" for rs in fast for r in rs)


def test_predict_interval_explained_is_the_two_calls(fitted_model):
    X = fixed_input()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)  # no topic column: expected
        interval, reasons = fitted_model.predict_interval_explained(X, top=3)
        pd.testing.assert_frame_equal(interval, fitted_model.predict_interval(X))
        assert reasons == fitted_model.explain(X, top=3)


def test_score_applications_unchanged_by_the_one_pass_path():
    scorer = load_scorer()
    X = fixed_input(80)

    class TwoCalls:  # the grant model without the one-pass method: the old two-call path
        def __init__(self, m):
            self.m = m

        def predict_interval(self, X):
            return self.m.predict_interval(X)

        def explain(self, X, top):
            return self.m.explain(X, top=top)

    old = type(scorer)(topic_model=scorer.topic_model, grant_model=TwoCalls(scorer.grant_model),
                       reference=scorer.reference)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        new_out = score_applications(X, scorer, reasons=3)
        old_out = score_applications(X, old, reasons=3)
    pd.testing.assert_frame_equal(new_out, old_out)
    assert (new_out["grant_reasons"].str.len() > 0).sum() >= 70


def test_cached_char_wb_transform_is_sklearns_matrix():
    from kompred.text import char_ngram_vectorizer
    from kompred.text._fastchar import char_wb_transform

    scorer = load_scorer()
    texts = [normalize_text(t) for t in fixed_input(200)["description"].fillna("").tolist()]
    texts += ["", "  a  b\tc\n", "Ååå ÄÖ éü İstanbul ß x"]
    fitted = char_ngram_vectorizer(ngram_range=(1, 3)).fit(texts[:50])
    for vec in (scorer.topic_model.vectorizers_[0], scorer.grant_model.featurizer_.text_.vectorizer_,
                fitted):
        for _ in range(2):  # cold and warm word cache
            fast, slow = char_wb_transform(vec, texts), vec.transform(texts)
            assert fast.dtype == slow.dtype and fast.shape == slow.shape
            assert np.array_equal(fast.indptr, slow.indptr)
            assert np.array_equal(fast.indices, slow.indices)
            assert np.array_equal(fast.data, slow.data)  # bit for bit


def test_fast_char_wb_fit_transform_is_sklearns_fit_transform():
    from kompred.text import char_ngram_vectorizer
    from kompred.text._fastchar import char_wb_fit_transform

    texts = [normalize_text(t) for t in fixed_input(300)["description"].fillna("").tolist()]
    texts += ["", "  a  b\tc\n", "Ååå ÄÖ éü İstanbul ß x", "x"]
    for params in ({}, {"ngram_range": (1, 3), "sublinear_tf": False}):
        slow_vec, fast_vec = char_ngram_vectorizer(**params), char_ngram_vectorizer(**params)
        slow = slow_vec.fit_transform(texts)
        fast = char_wb_fit_transform(fast_vec, texts)
        assert fast_vec.vocabulary_ == slow_vec.vocabulary_
        assert np.array_equal(fast_vec.idf_, slow_vec.idf_)
        assert fast.dtype == slow.dtype and fast.shape == slow.shape
        slow.sort_indices()  # sklearn leaves each row's columns in first-seen order
        assert np.array_equal(fast.indptr, slow.indptr)
        assert np.array_equal(fast.indices, slow.indices)
        assert np.array_equal(fast.data, slow.data)  # bit for bit
        # the fitted vectorizer then transforms new text as sklearn's would
        new = ["helt ny text om vård", "språkstöd för undersköterskor"]
        assert (fast_vec.transform(new) != slow_vec.transform(new)).nnz == 0
    # settings it does not cover fall back to sklearn's own fit_transform
    vec = char_ngram_vectorizer(min_df=2)
    out = char_wb_fit_transform(vec, texts)
    assert (out != char_ngram_vectorizer(min_df=2).fit_transform(texts)).nnz == 0


def test_fast_vocabulary_is_sklearns_and_falls_back_on_nul(monkeypatch):
    from kompred.text import _fastchar, char_ngram_vectorizer

    texts = ["Ååå ÄÖ éü İstanbul ß x", "  a  b\tc\n", "ΣΊΣΥΦΟΣ 12,5 % 🙂 co-op", "x", ""]
    for params in ({}, {"ngram_range": (1, 3)}, {"ngram_range": (3, 5)}):
        want = char_ngram_vectorizer(**params).fit(texts).vocabulary_
        vocab, numbers, columns, _ = _fastchar._vocabulary_of(char_ngram_vectorizer(**params),
                                                              texts)
        assert vocab == want and list(vocab.values()) == list(range(len(want)))
        assert len(numbers) == len(columns) == len(want) and (np.diff(numbers) > 0).all()
    # U+0000 cannot stand at the end of a fixed-width numpy string: sklearn's own fit then
    nul = [*texts, "a\x00"]
    assert _fastchar._vocabulary_of(char_ngram_vectorizer(), nul) is None
    vec = char_ngram_vectorizer()
    out = _fastchar.char_wb_fit_transform(vec, nul)
    assert vec.vocabulary_ == char_ngram_vectorizer().fit(nul).vocabulary_
    assert (out != char_ngram_vectorizer().fit_transform(nul)).nnz == 0


def test_fast_content_word_transform_is_sklearns_matrix():
    from kompred.modeling.topic.classifier import _prepare_text
    from kompred.text import word_vectorizer
    from kompred.text._fastchar import clear_caches
    from kompred.text._fastwords import content_word_transform

    tm = load_scorer().topic_model
    word = tm.vectorizers_[1]
    raw = fixed_input(200)["description"].fillna("").tolist()
    texts = [_prepare_text(t, max_chars=int(tm.max_chars), expand=tm.expand_abbreviations,
                           compounds=getattr(tm, "_compounds", None),
                           occupations=bool(tm.mark_occupations)) for t in raw]
    # spaCy's special cases and affixes, other whitespace, a decomposed "ö" (not NFC), empty
    texts += ["Kurs i t.ex. HLR (t.ex. 2 dagar), bl.a. o.s.v.", "t . ex . bl. a.", "",
              "  a  b\tc\nd\u00a0e ", "Ko\u0308k och lokalvård", "e-post: a@b.se, http://x.se/y?z=1"]
    fitted = word_vectorizer().fit(texts[:60])
    for vec in (word, fitted):
        clear_caches()
        for _ in range(2):  # cold and warm chunk cache
            fast, slow = content_word_transform(vec, texts), vec.transform(texts)
            assert fast.dtype == slow.dtype and fast.shape == slow.shape
            assert np.array_equal(fast.indptr, slow.indptr)
            assert np.array_equal(fast.indices, slow.indices)
            assert np.array_equal(fast.data, slow.data)  # bit for bit
    # another tokenizer or setting: sklearn's own transform
    other = word_vectorizer(ngram_range=(1, 2)).fit(texts[:60])
    assert (content_word_transform(other, texts) != other.transform(texts)).nnz == 0


def test_shared_ngram_table_gives_each_vectorizer_its_own_columns():
    from kompred.text import char_ngram_vectorizer
    from kompred.text._fastchar import char_wb_transform, clear_caches, word_columns

    texts = [normalize_text(t) for t in fixed_input(60)["description"].fillna("").tolist()]
    a = char_ngram_vectorizer(ngram_range=(2, 4)).fit(texts[:20])
    b = char_ngram_vectorizer(ngram_range=(2, 4)).fit(texts[20:])
    c = char_ngram_vectorizer(ngram_range=(1, 2)).fit(texts)
    clear_caches()
    # interleaved: a's n-grams are numbered first, b and c then meet them already numbered
    for vec in (a, b, c, a, c, b):
        fast, slow = char_wb_transform(vec, texts), vec.transform(texts)
        assert np.array_equal(fast.indices, slow.indices) and np.array_equal(fast.data, slow.data)
    vocab = c.vocabulary_
    assert word_columns(c, "ab").tolist() == [vocab[g] for g in (" ", "a", "b", " ", " a", "ab", "b ")
                                                if g in vocab]


def test_personnummer_shortcuts_change_nothing():
    from kompred.text import pii
    from kompred.text.normalize import _normalize

    def reference(text):  # every regex match, no six-digit test first
        return [m.group() for m in pii._PNR_RE.finditer(text) if pii._classify_pnr(m)]

    texts = ["Tolvan 121212-1212 och 19121212-1212", "tfn 070-123 45 67", "12345 kr", "",
             "org.nr 212000-1355", "1212121212", "Ring 08-508 000 00", "ingen siffra"]
    for t in texts:
        assert [m.text for m in pii.find_personnummer(t)] == reference(t)
    # the cached normalization keys on max_chars too
    _normalize.cache_clear()
    long = "Utbildning i demens för personalen " * 3
    assert normalize_text(long) != normalize_text(long, max_chars=20)
    assert normalize_text(long, max_chars=20) == "utbildning i demens"
    # a column without six digits in a row is skipped, one with a number still redacted
    X = fixed_input(10)
    X.loc[4, "title"] = "Kurs för 121212-1212"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = score_applications(X, load_scorer(), reasons=0)
    assert "121212-1212" not in out.loc[4, "title"] and "maskerat" in out.loc[4, "status"]
    assert (out["status"].str.contains("maskerat")).sum() == 1


@pytest.mark.parametrize("which", ["bundled", "history"])
def test_batch_top_reasons_equal_the_per_row_loop(which, fitted_model, monkeypatch):
    from kompred.modeling.grant import model as grant_module

    model = load_scorer().grant_model if which == "bundled" else fitted_model
    X = fixed_input(150)
    X.loc[5, "description"] = "demens demens, Demens. (demens) och demens"  # repeated, punctuated
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        for top in (1, 3, 50):
            fast = model.explain(X, top=top)
            with monkeypatch.context() as m:  # no batch arrays: the per-row loop
                m.setattr(grant_module, "batch_word_values", lambda *a: None)
                slow = model.explain(X, top=top)
            assert fast == slow  # the same reasons, labels and floats, in the same order
    assert sum(len(r) for r in fast) > 5 * len(X)


@pytest.mark.parametrize("which", ["bundled", "history"])
@pytest.mark.parametrize("cells", [None, 3_000])
def test_batch_word_values_are_the_per_row_function_to_the_bit(which, cells, fitted_model,
                                                               monkeypatch):
    from kompred.text import explain

    if cells is not None:  # blocks of a few rows: the block edges are exercised
        monkeypatch.setattr(explain, "_SCRATCH_CELLS", cells)
    model = load_scorer().grant_model if which == "bundled" else fitted_model
    X = fixed_input(150)
    X.loc[5, "description"] = "demens demens, Demens. (demens) och demens"  # repeated, punctuated
    X.loc[6, "description"] = "banan ananas anananas"  # n-grams repeated inside a word
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        Z = model._features(X)
    C = Z.multiply(model.classifier_.coef_.ravel().reshape(1, -1)).tocsr()
    ts = model.featurizer_.text_slice_
    texts = model.featurizer_.texts(X)
    ptr, words, values = explain.batch_word_values(model.featurizer_.text_.vectorizer_, texts,
                                                   C[:, ts])
    grams = model.featurizer_.feature_map_["value"].to_numpy()[ts]
    Ct = C[:, ts].tocsr()
    checked = 0
    for i, text in enumerate(texts):
        row = slice(Ct.indptr[i], Ct.indptr[i + 1])
        nz = Ct.data[row] != 0
        weights = dict(zip(grams[Ct.indices[row][nz]].tolist(), Ct.data[row][nz].tolist(),
                           strict=True))
        got = list(zip(words[ptr[i]:ptr[i + 1]], values[ptr[i]:ptr[i + 1]].tolist(), strict=True))
        if weights:  # the same words in the same order, the same floats to the bit
            assert got == list(words_from_char_ngrams(text, weights).items())
            checked += 1
        else:
            assert all(v == 0 for _, v in got)
    assert checked > 140


def test_language_check_of_a_batch_is_the_per_text_check():
    from kompred.text import language

    texts = fixed_input(120)["description"].tolist() + [
        "", None, "12 345", "Kurs i HLR", "We apply for funding to train our staff in dementia care.",
        "Opplæring i demens for helsefagarbeidere i eldreomsorgen.", "KURS I DEMENS FÖR PERSONALEN",
        "Ko\u0308k och   lokalvård\n för personalen i hemtjänsten", "مرحبا بكم في الدورة التدريبية للموظفين",
        "Utbildning i lågaffektivt bemötande " * 60]
    # near races between Swedish and its neighbours: prefixes of mixed Scandinavian text
    mixed = "Opplæring och utbildning i demens for helsefagarbeidere och undersköterskor i hemtjänsten"
    texts += [mixed[:k] for k in range(20, len(mixed), 3)]
    # the same floats in the same order, not only the same answers
    ranked = [language._rank_languages(t) for t in texts]
    assert language._rank_many(texts) == ranked
    # texts the float64 bound calls surely Swedish are Swedish first in py3langid's float32
    sure = language._surely_swedish([language._for_ranking(t) or "" for t in texts],
                                    language._automaton())
    assert sure.sum() >= 100  # the shortcut is taken
    assert all(r is not None and r[0][0] == "sv" for r, s in zip(ranked, sure, strict=True) if s)
    for min_chars in (1, 20, 60):
        assert language.is_swedish_many(texts, min_chars=min_chars) == \
            [language.is_swedish(t, min_chars=min_chars) for t in texts]
    assert language.is_swedish_many([]) == []
    assert {language.is_swedish(t) for t in texts} == {True, False, None}


@pytest.mark.parametrize("ngram_range", [(1, 1), (2, 5), (3, 5), (4, 5), (5, 5), (4, 7)])
def test_char_wb_transform_of_short_words(ngram_range):
    from kompred.text import char_ngram_vectorizer
    from kompred.text._fastchar import char_wb_transform, clear_caches

    # padded words shorter than, as long as, and longer than the n-grams; repeated n-grams
    texts = ["a", "ab abc", "abcd abcde aaaa", "x y z å ä", "aaaaaaaa ababab", "a a a b"]
    vec = char_ngram_vectorizer(ngram_range=ngram_range).fit(texts + ["ba cab"])
    clear_caches()
    for _ in range(2):
        fast, slow = char_wb_transform(vec, texts), vec.transform(texts)
        assert np.array_equal(fast.indptr, slow.indptr)
        assert np.array_equal(fast.indices, slow.indices)
        assert np.array_equal(fast.data, slow.data)


@pytest.mark.parametrize("which", ["bundled", "history"])
def test_bootstrap_scores_in_one_product_equal_one_product_per_member(which, fitted_model):
    model = load_scorer().grant_model if which == "bundled" else fitted_model
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DataQualityWarning)
        Z = model._features(fixed_input(100))
    clf = model.classifier_
    X = clf._check(Z)
    reference = np.stack([np.asarray(X @ c.T.astype(np.float64)) + b for c, b in
                          zip(clf.bootstrap_coef_, clf.bootstrap_intercept_, strict=True)])[..., 0]
    fast = clf.bootstrap_decision_function(Z)
    assert fast.shape == reference.shape and np.array_equal(fast, reference)  # bit for bit


def test_char_wb_transform_beyond_the_numbered_characters(monkeypatch):
    from kompred.text import _fastchar, char_ngram_vectorizer

    # more distinct characters than n-gram numbers have room for: sklearn's own transform;
    # and the caches starting afresh midway change no result
    cjk = ["".join(chr(0x4E00 + 7 * i + j) for j in range(7)) + " och vård" for i in range(700)]
    texts = ["utbildning i demens för personalen", "kurs i hlr"] + cjk
    for vec in (char_ngram_vectorizer().fit(texts),  # too many characters in the vocabulary
                char_ngram_vectorizer().fit(texts[:2])):  # ... or in the texts
        _fastchar.clear_caches()
        for part in (texts[:2], texts, texts[:2]):
            fast, slow = _fastchar.char_wb_transform(vec, part), vec.transform(part)
            assert (fast != slow).nnz == 0 and np.array_equal(fast.indices, slow.indices)
    vec = char_ngram_vectorizer().fit(texts[:2])
    monkeypatch.setattr(_fastchar, "_MAX_WORDS", 3)
    for part in (texts[:2], texts[:1], texts[1:2]):
        fast, slow = _fastchar.char_wb_transform(vec, part), vec.transform(part)
        assert np.array_equal(fast.indices, slow.indices) and np.array_equal(fast.data, slow.data)


def test_texts_called_normal_are_left_as_they_are_by_normalizing():
    from kompred.schema import join_texts
    from kompred.text.normalize import _is_normal, _normalize

    # every character below U+0300 alone and next to the characters around numbers and spaces
    chars = [chr(c) for c in range(0x300)]
    around = ["", "0", "0.", ".0", " 0", "0 ", "a", "A", " ", "å"]
    candidates = [a + c + b for c in chars for a in around for b in around]
    # normalized titles and descriptions joined, as the grant model's texts are
    X = fixed_input(200)
    candidates += [join_texts(normalize_text(t), normalize_text(d))
                   for t, d in zip(X["title"], X["description"], strict=True)]
    called = [t for t in candidates if t and _is_normal(t)]
    assert len(called) > 2_000
    assert [t for t in called if _normalize(t) != t] == []


def test_chunks_called_one_token_are_one_spacy_token():
    import re

    import spacy

    from kompred.text import _fastwords
    from kompred.text.tokens import get_nlp

    texts = fixed_input(300)["description"].fillna("").tolist() + [
        "Kurs i t.ex. HLR (t.ex. 2 dagar), bl.a. o.s.v. 10km 5kg 3st US$ A$ 12% §4 e-post:",
        "hajaru Kl kl. dvs ÄLDREOMSORG äldre-omsorg 'citat' «citat» ”citat” 1,5 m² km² ½ ™ 😀",
        "http://x.se/y?z=1 a@b.se #tagg @namn 2023-10-01 kl.08.30 08:30 nr.5 st: ca. 50%"]
    chunks = list(dict.fromkeys(c for t in texts for x in (t, normalize_text(t)) for c in x.split()))
    # spaCy's Swedish tokenizer, and one whose suffixes and infixes take letters too
    other = spacy.blank("sv").tokenizer
    other.suffix_search = re.compile(other.suffix_search.__self__.pattern + "|ing$|(?<=a)b$").search
    other.infix_finditer = re.compile(r"(?<=[a-z])x(?=[a-z])|" +
                                      other.infix_finditer.__self__.pattern).finditer
    for tokenizer in (get_nlp().tokenizer, other):
        pattern, no_letters = _fastwords._one_token_pattern(tokenizer)
        assert no_letters == (tokenizer is not other)
        whole = [c for c in chunks if pattern.search(c) is None and c not in tokenizer.rules]
        assert len(whole) > (0.4 if tokenizer is not other else 0.1) * len(chunks)
        assert [c for c in whole if [t.text for t in tokenizer(c)] != [c]] == []
    assert not any(w.endswith("ing") or "x" in w for w in
                   [c for c in chunks if _fastwords._one_token_pattern(other)[0].search(c) is None])


def test_products_of_blocks_equal_the_stacked_matrix_product():
    import scipy.sparse as sp

    from kompred._sparse import _matvecs, stacked_product
    from kompred.modeling.topic.classifier import _prepare_text

    assert _matvecs() is not None  # the block path is taken here
    rng = np.random.default_rng(3)
    blocks = [sp.random(300, m, density=d, format="csr", dtype=t, random_state=s)
              for m, d, t, s in ((500, 0.05, np.float32, 1), (40, 0.2, np.float64, 2),
                                 (7, 0.0, np.float32, 3))]
    W = rng.standard_normal((547, 5))
    assert np.array_equal(stacked_product(blocks, W), sp.hstack(blocks, format="csr") @ W)
    # the topic model's decision function, as sklearn computes it on the stacked features
    tm = load_scorer().topic_model
    texts = [_prepare_text(t, max_chars=int(tm.max_chars), expand=tm.expand_abbreviations)
             for t in fixed_input(200)["description"].fillna("x").tolist()]
    fast = tm._decision(texts)
    assert np.array_equal(fast, tm.model_.decision_function(tm._transform(tm.vectorizers_, texts)))


def test_character_codes_start_afresh_when_they_run_out():
    from kompred.text import _fastchar, char_ngram_vectorizer

    # three batches of 1,500 new characters each: the third needs fresh codes, and gets them
    batches = [["".join(chr(0x4E00 + 1500 * b + 5 * i + j) for j in range(5)) for i in range(300)]
               for b in range(3)]
    vec = char_ngram_vectorizer().fit(["kurs i vård"] + [t for b in batches for t in b[:3]])
    _fastchar.clear_caches()
    for texts in batches:
        fast, slow = _fastchar.char_wb_transform(vec, texts), vec.transform(texts)
        assert np.array_equal(fast.indices, slow.indices) and np.array_equal(fast.data, slow.data)
        assert _fastchar.word_matrices(vec, texts) is not None  # numbered, not sklearn's path
    assert 1500 <= _fastchar._STATE.alphabet.n_codes < 3000


def test_tokens_of_plain_chunks_are_spacys():
    from kompred.text import _fastwords
    from kompred.text.tokens import content_tokens

    texts = fixed_input(300)["description"].fillna("").tolist() + [
        "(Kurs) i t.ex. HLR, bl.a. (t.ex.), o.s.v.; dvs. kl. 8. Ca. 50 %, ca 50%. US$5 \"demens\"",
        "hajaru, Kl. kl.. ang. etc.) (obs!) e-post: 'citat', «citat» ”citat” km. kg: …vård",
        "http://x.se/y?z=1, a@b.se. #tagg (@namn) 2023-10-01. kl.08.30; nr.5: st. äldre-omsorg."]
    chunks = list(dict.fromkeys(c for t in texts for x in (t, normalize_text(t)) for c in x.split()))
    known, rest = _fastwords._plain_chunks(chunks)
    assert len(known) > 0.7 * len(chunks) and rest  # most without spaCy, some with it
    assert {c: content_tokens(c) for c in known} == known
    assert any(c.endswith(",") for c in known) and any(c.startswith("(") for c in known)


def test_redacting_only_the_cells_with_six_digits_is_redacting_every_cell():
    from kompred.privacy import _redact_cells
    from kompred.text import redact_personnummer

    cells = ["Tolvan 121212-1212", None, float("nan"), "inga siffror", "belopp 1234567 kr",
             "121212", "1212", "19121212-1212 och 121272-1219", "", 5, "x\n121212-1212",
             "org.nr 212000-1355", pd.NA, "slut 121212-"]
    for k in range(len(cells) + 1):  # every prefix: first, last and lone cells
        vals = cells[:k]
        expected = [redact_personnummer(v) if isinstance(v, str) else v for v in vals]
        changed = _redact_cells(got := list(vals))
        assert [a is b or a == b for a, b in zip(got, expected, strict=True)] == [True] * k
        assert changed.tolist() == [isinstance(a, str) and a != b
                                    for a, b in zip(vals, expected, strict=True)]


def _old_redact_cells(vals):
    """score_applications' redaction before: every str cell of a column with six digits."""
    from kompred.text import redact_personnummer
    from kompred.text.pii import _SIX_DIGITS

    changed = np.zeros(len(vals), dtype=bool)
    if not _SIX_DIGITS.search("\n".join(v for v in vals if isinstance(v, str))):
        return changed
    red = [redact_personnummer(v) if isinstance(v, str) else v for v in vals]
    for i, (a, b) in enumerate(zip(vals, red, strict=True)):
        if isinstance(a, str) and a != b:
            vals[i], changed[i] = b, True
    return changed


def test_score_applications_equals_the_pipeline_without_its_fast_paths(monkeypatch):
    import scipy.sparse as sp

    from kompred import privacy, scoring
    from kompred.modeling.grant import model as grant_model
    from kompred.modeling.topic import classifier
    from kompred.text import _fastchar, _fastwords, explain, language, normalize

    X = fixed_input(150)
    edge = ["We apply for funding to train our staff in dementia care.",
            "Opplæring i demens for helsefagarbeidere i eldreomsorgen, to dager.",
            "Deltagare: Tolvan 19121212-1212, usk och ssk; (t.ex. VoO) 1 250 000 kr.",
            "Yrkessv. för usk, SFI/SvA; MI-utbildning & LAB 2023-10-01 kl. 08.30!",
            "Kurs i HLR", "ÄLDREOMSORG: DEMENSVÅRD, ”bemötande” – 12 st. (bl.a. natt)."]
    for i, text in enumerate(edge):
        X.loc[10 + i, "description"] = text
        X.loc[20 + i, "title"] = text
    scorer = load_scorer()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        _fastchar.clear_caches()
        fast = {r: score_applications(X, scorer, reasons=r) for r in (0, 3)}
        with monkeypatch.context() as m:  # scikit-learn's, spaCy's, py3langid's own paths
            def plain(vec, texts):
                return vec.transform(texts)
            for module in (_fastchar, scoring):
                m.setattr(module, "char_wb_transform", plain)
            m.setattr(_fastwords, "content_word_transform", plain)
            m.setattr(classifier, "is_swedish_many",
                      lambda texts: [language.is_swedish(t) for t in texts])
            m.setattr(classifier.TopicClassifier, "_decision", lambda self, texts:
                      self.model_.decision_function(sp.hstack(
                          self._blocks(self.vectorizers_, texts), format="csr")))
            for module in (grant_model, explain):  # the per-row word sums
                m.setattr(module, "batch_word_values", lambda *a: None)
            m.setattr(privacy, "_redact_cells", _old_redact_cells)
            m.setattr(normalize, "_is_normal", lambda text: False)
            normalize._normalize.cache_clear()
            slow = {r: score_applications(X, scorer, reasons=r) for r in (0, 3)}
    for r in (0, 3):
        pd.testing.assert_frame_equal(fast[r], slow[r], check_exact=True)
    assert fast[3]["status"].str.contains("maskerat").any()
    assert fast[3]["topic"].eq("osäker").any() and (fast[3]["grant_reasons"] != "").sum() > 140
