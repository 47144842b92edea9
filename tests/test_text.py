"""Tests for kompred.text: cleaning, personnummer, language, n-gram features."""

from __future__ import annotations

import pickle
import unicodedata

import joblib
import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp
from _pnr import make_number
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.pipeline import make_pipeline

from kompred import exceptions as kompred_errors
from kompred import text as featurize
from kompred.text import (
    LANGUAGES,
    PERSONNUMMER_TOKEN,
    PersonnummerMatch,
    TextCleaner,
    TextFeaturizer,
    char_ngram_vectorizer,
    content_tokens,
    detect_language,
    find_personnummer,
    get_nlp,
    is_swedish,
    language,
    normalize_text,
    redact_personnummer,
    tokenize,
    word_vectorizer,
    words_from_char_ngrams,
)

# --------------------------------------------------------------------------------------------
# Personnummer: numbers are generated here with an independent Luhn implementation.
# --------------------------------------------------------------------------------------------


def test_generator_agrees_with_known_example():
    # 121212-1212 is the customary example number; guards the test's own Luhn code.
    assert make_number("121212", "121") == "1212121212"


VALID_10 = make_number("850704")  # born 1985-07-04
assert VALID_10[:6] == "850704"


@pytest.mark.parametrize(
    "written",
    [
        f"19{VALID_10[:6]}-{VALID_10[6:]}",  # YYYYMMDD-NNNN
        f"19{VALID_10}",  # YYYYMMDDNNNN
        f"{VALID_10[:6]}-{VALID_10[6:]}",  # YYMMDD-NNNN
        f"{VALID_10[:6]}+{VALID_10[6:]}",  # YYMMDD+NNNN (aged 100+)
        VALID_10,  # YYMMDDNNNN
        f"{VALID_10[:6]} {VALID_10[6:]}",  # space instead of dash
        f"19{VALID_10[:6]} {VALID_10[6:]}",
        f"{VALID_10[:6]}\u2013{VALID_10[6:]}",  # en dash, as Word autocorrects
    ],
)
def test_find_personnummer_accepts_every_written_form(written):
    text = f"Deltagare: Anna Andersson ({written}), undersköterska."
    matches = find_personnummer(text)
    start = text.index(written)
    assert matches == [PersonnummerMatch(start, start + len(written), written, "personnummer")]


def test_find_personnummer_finds_several_in_order():
    a, b = make_number("900101"), make_number("021231", "456")
    text = f"{a[:6]}-{a[6:]} och 20{b[:6]}-{b[6:]}."
    found = find_personnummer(text)
    assert [m.text for m in found] == [f"{a[:6]}-{a[6:]}", f"20{b[:6]}-{b[6:]}"]
    assert [text[m.start : m.end] for m in found] == [m.text for m in found]


def test_samordningsnummer_has_day_plus_60():
    number = make_number("850764")  # 4 July + 60
    found = find_personnummer(f"Samordningsnummer {number[:6]}-{number[6:]}")
    assert [m.kind for m in found] == ["samordningsnummer"]


def test_samordningsnummer_day_must_be_real_after_subtracting_60():
    number = make_number("850792")  # day 92 - 60 = 32
    assert find_personnummer(f"{number[:6]}-{number[6:]}") == []


@pytest.mark.parametrize("wrong", range(1, 10))
def test_bad_checksum_is_rejected(wrong):
    good = make_number("850704")
    bad = good[:9] + str((int(good[9]) + wrong) % 10)
    assert find_personnummer(f"pnr {bad[:6]}-{bad[6:]}") == []
    assert find_personnummer(f"pnr 19{bad}") == []


def test_thirtieth_of_february_is_rejected_even_with_valid_checksum():
    number = make_number("850230")
    assert find_personnummer(f"{number[:6]}-{number[6:]}") == []
    assert find_personnummer(f"19{number}") == []


def test_leap_day_uses_the_century_when_it_is_written():
    number = make_number("000229")  # 2000-02-29 exists, 1900-02-29 does not
    assert len(find_personnummer(f"{number[:6]}-{number[6:]}")) == 1
    assert len(find_personnummer(f"20{number[:6]}-{number[6:]}")) == 1
    assert find_personnummer(f"19{number[:6]}-{number[6:]}") == []


def luhn_valid_phone(prefix: str) -> str:
    """A 10-digit number starting with prefix that passes Luhn (worst case for the matcher)."""
    return make_number(prefix[:6], prefix[6:9])


@pytest.mark.parametrize(
    "text",
    [
        "Ring 070-123 45 67 eller 08-508 000 00.",  # phone numbers
        "Mobil: " + luhn_valid_phone("070123456"),  # bare mobile number with a valid checksum
        "Mobil: +46" + luhn_valid_phone("070123456")[1:],
        "Stockholms stad, org.nr 212000-1355.",  # org.nr (valid Luhn, "month" 20)
        "Org.nr 556677-8899 och 5566778899.",
        "Kostnad 1 250 000 kr, varav 1250000 kr i lön.",  # amounts
        "Start 2023-10-01, slut 2024-06-30.",  # dates
        "Ärende STH-2021-001 och KS-2023/0412.",  # ids
        "Period 2021-2023, 20212023.",
    ],
)
def test_find_personnummer_rejects_things_that_are_not_numbers(text):
    assert find_personnummer(text) == []


@pytest.mark.parametrize(
    "template",
    [
        "1{v}",  # longer digit run before
        "{v}1",  # longer digit run after
        "12-{d}",  # second half of a dashed number
        "{d}-5",  # followed by more digits
        "123.{d}",
        "4{c}",  # 13-digit run containing a valid 12-digit number
    ],
)
def test_numbers_embedded_in_longer_digit_runs_are_rejected(template):
    text = template.format(v=VALID_10, d=f"{VALID_10[:6]}-{VALID_10[6:]}", c=f"19{VALID_10}")
    # the embedded number on its own is valid, so the rejection is due to the context
    assert find_personnummer(VALID_10) != []
    assert find_personnummer(f"Nummer {text} här.") == []


def test_find_personnummer_requires_str():
    with pytest.raises(TypeError, match="expected text to be a str"):
        find_personnummer(None)


def test_redaction_leaves_no_digits_of_the_number():
    a, b = make_number("850704"), make_number("991231", "802")
    text = f"Deltagare 19{a[:6]}-{a[6:]}, samt {b}."
    redacted = redact_personnummer(text)
    assert redacted == "Deltagare [PERSONNUMMER], samt [PERSONNUMMER]."
    assert not any(ch.isdigit() for ch in redacted)
    assert redact_personnummer(text, replacement="X") == "Deltagare X, samt X."


def test_redaction_keeps_other_numbers():
    text = "Ring 070-123 45 67, kostnad 1 250 000 kr, org.nr 212000-1355."
    assert redact_personnummer(text) == text


# --------------------------------------------------------------------------------------------
# normalize_text, TextCleaner
# --------------------------------------------------------------------------------------------


def test_normalize_text_steps():
    decomposed = unicodedata.normalize("NFD", "Bemötande i ÄLDREOMSORGEN")
    assert decomposed != unicodedata.normalize("NFC", decomposed)
    assert normalize_text(decomposed) == "bemötande i äldreomsorgen"
    assert normalize_text("  två\t\n rader  \u00a0 ") == "två rader"
    assert normalize_text("Kostnad 1 250 000 kr för 12 deltagare, 1,5 dagar") == (
        "kostnad 0 kr för 0 deltagare, 0 dagar"
    )
    assert normalize_text("vecka 3 2023: 5\u202f000 kr, kl. 8.30") == "vecka 0 0: 0 kr, kl. 0"
    assert normalize_text("lågaffektivt\u2013bemötande, \u201ddemens\u201d, ut\u00adbildning") == (
        'lågaffektivt-bemötande, "demens", utbildning'
    )


def test_normalize_text_masks_personnummer_before_mapping_digits():
    text = f"Anna {VALID_10[:6]}-{VALID_10[6:]} deltar"
    assert normalize_text(text) == f"anna {PERSONNUMMER_TOKEN} deltar"


@pytest.mark.parametrize("missing", [None, float("nan"), np.nan, pd.NA, "", "   \n"])
def test_normalize_text_missing_gives_empty(missing):
    assert normalize_text(missing) == ""


def test_normalize_text_rejects_non_text():
    with pytest.raises(TypeError, match="expected text to be a str or missing"):
        normalize_text(12)


def test_normalize_text_is_idempotent():
    texts = [
        f"Deltagare {VALID_10[:6]}-{VALID_10[6:]} – kurs i HLR 2023-10-01, 1 250 000 kr.",
        "Föreläsning om \u201dstress\u201d, 3 timmar",
    ]
    for text in texts:
        once = normalize_text(text)
        assert normalize_text(once) == once


def test_normalize_text_max_chars():
    assert normalize_text("abc def ghi", max_chars=5) == "abc d"
    assert normalize_text("abc def", max_chars=4) == "abc"  # no trailing space
    with pytest.raises(ValueError, match="max_chars"):
        normalize_text("abc", max_chars=0)


def test_text_cleaner_handles_missing_empty_and_long():
    long_text = "utbildning " * 5_000  # 55,000 characters
    X = ["Kurs i HLR", None, float("nan"), "", "   ", long_text]
    out = TextCleaner(max_chars=1_000).fit_transform(X)
    assert isinstance(out, np.ndarray) and out.shape == (6,)
    assert out[:5].tolist() == ["kurs i hlr", "", "", "", ""]
    assert 0 < len(out[5]) <= 1_000
    assert len(TextCleaner().transform([long_text])[0]) == featurize.DEFAULT_MAX_CHARS


@pytest.mark.parametrize(
    "X",
    [
        pd.Series(["Kurs A", None, "Kurs B"], dtype="str"),
        pd.Series(["Kurs A", pd.NA, "Kurs B"], dtype="string"),
        np.array(["Kurs A", None, "Kurs B"], dtype=object),
        np.array([["Kurs A"], [None], ["Kurs B"]], dtype=object),
        pd.DataFrame({"description": ["Kurs A", None, "Kurs B"]}),
        ("Kurs A", None, "Kurs B"),
    ],
)
def test_text_cleaner_accepts_1d_containers(X):
    assert TextCleaner().transform(X).tolist() == ["kurs a", "", "kurs b"]


def test_text_cleaner_keeps_a_non_default_index_row_for_row():
    X = pd.Series(["B", "A"], index=[10, 3])
    assert TextCleaner().transform(X).tolist() == ["b", "a"]


@pytest.mark.parametrize(
    ("X", "match"),
    [
        ("en enda text", "single str"),
        (["ok", 3], "got int 3 at position 1"),
        (pd.DataFrame({"a": ["x"], "b": ["y"]}), "one column"),
        (np.array([["a", "b"]]), "1-D"),
        ({"a": "x"}, "got dict"),
    ],
)
def test_text_cleaner_rejects_bad_input(X, match):
    with pytest.raises(TypeError, match=match):
        TextCleaner().transform(X)


def test_text_cleaner_is_stateless_and_clonable():
    cleaner = TextCleaner(max_chars=50)
    assert cleaner.fit(["a"]) is cleaner
    assert vars(cleaner) == {"max_chars": 50}  # fit learned nothing
    assert clone(cleaner).get_params() == {"max_chars": 50}
    with pytest.raises(TypeError, match="__init__"):
        TextCleaner(50)  # keyword-only


# --------------------------------------------------------------------------------------------
# spaCy, tokens, stop words
# --------------------------------------------------------------------------------------------


def test_get_nlp_is_cached_blank_swedish():
    nlp = get_nlp()
    assert nlp is get_nlp()
    assert nlp.lang == "sv" and nlp.pipe_names == []


def test_tokenize_drops_punctuation_and_lowercases():
    assert tokenize("Kurs i HLR, t.ex. 2023-2024 – bra!") == [
        "kurs", "i", "hlr", "t.ex.", "2023-2024", "bra",
    ]  # fmt: skip
    assert tokenize(None) == []


def test_stop_words_keep_domain_words():
    from spacy.lang.sv.stop_words import STOP_WORDS as SPACY

    stop = featurize.STOP_WORDS
    assert isinstance(stop, frozenset) and stop < frozenset(SPACY)
    for word in ["beslut", "kr", "dag", "dagar", "del", "behövde", "högre", "första"]:
        assert word in SPACY and word not in stop
    assert {"och", "att", "för", "som"} <= stop
    assert content_tokens("Beslut om 2 dagar och att vi behövde kurs") == [
        "beslut", "2", "dagar", "behövde", "kurs",
    ]  # fmt: skip


def test_word_vectorizer_pipeline_pickles(tmp_path):
    texts = ["Utbildning i demens", "Kurs i yrkessvenska", "Demens och bemötande", "Svenska kurs"]
    pipe = make_pipeline(TextCleaner(), word_vectorizer(), LogisticRegression())
    pipe.fit(texts, [1, 0, 1, 0])
    path = tmp_path / "pipe.joblib"
    joblib.dump(pipe, path)
    loaded = joblib.load(path)
    assert np.array_equal(loaded.predict_proba(texts), pipe.predict_proba(texts))
    vocab = pipe[1].get_feature_names_out().tolist()
    assert "demens" in vocab and "och" not in vocab and "i" not in vocab


def test_char_ngram_vectorizer_defaults_and_overrides():
    vec = char_ngram_vectorizer()
    p = vec.get_params()
    assert (p["analyzer"], p["ngram_range"], p["sublinear_tf"], p["min_df"]) == (
        "char_wb", (2, 5), True, 1,
    )  # fmt: skip
    assert p["strip_accents"] is None and p["lowercase"] is True and p["dtype"] is np.float32
    assert char_ngram_vectorizer(ngram_range=(3, 4)).ngram_range == (3, 4)
    names = vec.fit(["bemötande"]).get_feature_names_out().tolist()
    assert "öt" in names and "ot" not in names  # accents kept


# --------------------------------------------------------------------------------------------
# Language
# --------------------------------------------------------------------------------------------

SWEDISH = [
    "Utbildning i demens för undersköterskor inom äldreomsorgen.",
    "Vi ansöker om medel för att ge våra medarbetare kompetensutveckling i digitala verktyg.",
    "Förvaltningen har ett stort behov av att stärka personalens kunskaper om lågaffektivt bemötande.",
    "Medarbetarna behöver yrkessvenska för att kunna dokumentera på ett rättssäkert sätt.",
    "Handledning för personal på gruppbostäder enligt LSS.",
    "Kursen ger deltagarna grundläggande kunskaper i Excel och Teams.",
]
ENGLISH = [
    "Training in dementia care for assistant nurses in elderly care.",
    "We apply for funding to give our staff skills development in digital tools.",
]
NORWEGIAN = [
    "Vi søker om midler for å gi våre ansatte kompetanseutvikling i digitale verktøy.",
    "Kurset gir deltakerne grunnleggende kunnskaper i Excel og Teams.",
    "Ansatte trenger kunnskap om vold i nære relasjoner.",
]
DANISH = [
    "Vi søger om midler til at give vores medarbejdere kompetenceudvikling i digitale værktøjer.",
    "Kurset giver deltagerne grundlæggende viden om Excel og Teams.",
]


@pytest.mark.parametrize(
    ("texts", "lang", "swedish"),
    [
        (SWEDISH, "sv", True),
        (ENGLISH, "en", False),
        (NORWEGIAN, "no", False),
        (DANISH, "da", False),
    ],
)
def test_language_of_sample_sentences(texts, lang, swedish):
    for text in texts:
        got, prob = detect_language(text)
        assert got == lang, text
        assert 0.5 < prob <= 1.0
        assert is_swedish(text) is swedish


def test_language_is_one_of_the_restricted_set():
    dutch = "Wij vragen subsidie aan om onze medewerkers te scholen in digitale vaardigheden."
    assert detect_language(dutch)[0] in LANGUAGES
    assert "nl" not in LANGUAGES


def test_language_restriction_does_not_change_py3langid_globally():
    import py3langid

    dutch = "Wij vragen subsidie aan om onze medewerkers te scholen in digitale vaardigheden."
    detect_language(dutch)
    assert py3langid.classify(dutch)[0] == "nl"


@pytest.mark.parametrize("text", [None, float("nan"), "", "   ", "12 345 - 2023", "!!!"])
def test_language_of_text_without_letters_is_undetermined(text):
    assert detect_language(text) == ("und", 0.0)
    assert is_swedish(text) is None


def test_is_swedish_too_short_is_none():
    assert is_swedish("Demens för personal") is None  # 17 letters
    assert is_swedish("Demens för personal", min_chars=5) is True
    with pytest.raises(ValueError, match="min_chars"):
        is_swedish("text", min_chars=0)


def test_is_swedish_says_none_when_a_neighbour_barely_wins():
    # A short Swedish text py3langid reads as Danish, with Swedish still likely.
    text = "Onsdagen den 22 maj tog statsminister Ulf"
    ranked = dict(language._rank_languages(text))
    assert max(ranked, key=ranked.get) in {"da", "no"} and ranked["sv"] >= 0.05
    assert is_swedish(text) is None


# --------------------------------------------------------------------------------------------
# TextFeaturizer
# --------------------------------------------------------------------------------------------


@pytest.fixture
def applications() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["a1", "a2", "a3", "a4"],
            "title": ["Demens", "Yrkessvenska", None, "HLR."],
            "description": [
                "Utbildning om demenssjukdom för undersköterskor.",
                "Kurs i svenska för medarbetare i hemtjänsten.",
                "Handledning i lågaffektivt bemötande.",
                None,
            ],
            "decision": ["beviljad", "avslag", "beviljad", "avslag"],
        },
        index=[7, 3, 11, 0],
    )


def test_prepare_texts_puts_title_first(applications):
    texts = TextFeaturizer().prepare_texts(applications)
    assert texts == [
        "demens. utbildning om demenssjukdom för undersköterskor.",
        "yrkessvenska. kurs i svenska för medarbetare i hemtjänsten.",
        "handledning i lågaffektivt bemötande.",
        "hlr.",
    ]
    no_title = TextFeaturizer(extra_text_columns=())
    assert (
        no_title.prepare_texts(applications)[0]
        == "utbildning om demenssjukdom för undersköterskor."
    )


def test_fit_transform_shapes_and_attributes(applications):
    feat = TextFeaturizer()
    X = feat.fit_transform(applications)
    assert sp.issparse(X) and X.format == "csr" and X.dtype == np.float32
    assert X.shape == (4, len(feat.get_feature_names_out()))
    assert feat.feature_names_in_.tolist() == ["title", "description"]
    assert feat.n_features_in_ == 2
    assert np.allclose(sp.linalg.norm(X, axis=1), 1.0)
    X2 = feat.transform(applications)
    assert (X != X2).nnz == 0
    assert (TextFeaturizer().fit(applications).transform(applications) != X).nnz == 0


def test_transform_unseen_empty_and_1d(applications):
    feat = TextFeaturizer().fit(applications)
    n = len(feat.get_feature_names_out())
    new = pd.DataFrame({"description": ["Utbildning om demens", "ξψζ", None, ""]})  # no title
    X = feat.transform(new)
    assert X.shape == (4, n)
    assert X[0].nnz > 0
    assert X[1].nnz == 0 and X[2].nnz == 0 and X[3].nnz == 0  # unseen or empty: zero rows
    X1 = feat.transform(["Utbildning om demens"])
    assert np.allclose(X1.toarray(), X[0].toarray())


def test_fit_on_1d_texts_sets_n_features_in_only(applications):
    feat = TextFeaturizer().fit(applications)
    feat.fit(["Utbildning om demens", "Kurs i svenska"])
    assert feat.n_features_in_ == 1
    assert not hasattr(feat, "feature_names_in_")


def test_missing_text_column_and_all_empty_are_errors(applications):
    with pytest.raises(ValueError, match="expected a text column 'beskrivning'"):
        TextFeaturizer(text_column="beskrivning").fit(applications)
    with pytest.raises(ValueError, match="at least one non-empty text"):
        TextFeaturizer().fit(["", None, "  "])
    with pytest.raises(TypeError, match="single str"):
        TextFeaturizer().fit("Utbildning om demens")


def test_not_fitted_error():
    with pytest.raises(NotFittedError):
        TextFeaturizer().transform(["Utbildning om demens"])
    with pytest.raises(NotFittedError):
        TextFeaturizer().get_feature_names_out()


def test_clone_preserves_params_and_drops_state(applications):
    feat = TextFeaturizer(
        text_column="description", extra_text_columns=("title",), ngram_range=(3, 4),
        max_features=50, min_df=1, sublinear_tf=False,
    )  # fmt: skip
    feat.fit(applications)
    copy = clone(feat)
    assert copy.get_params() == feat.get_params()
    assert not hasattr(copy, "vectorizer_")
    X = copy.fit_transform(applications)
    assert X.shape[1] <= 50
    assert all(3 <= len(g) <= 4 for g in copy.get_feature_names_out())
    with pytest.raises(TypeError):
        TextFeaturizer("description")  # keyword-only


def test_joblib_and_pickle_round_trip_give_identical_output(applications, tmp_path):
    feat = TextFeaturizer().fit(applications)
    path = tmp_path / "feat.joblib"
    joblib.dump(feat, path)
    for loaded in (joblib.load(path), pickle.loads(pickle.dumps(feat))):
        new = ["Utbildning om demens för personal", "Kurs i yrkessvenska"]
        assert np.array_equal(loaded.transform(new).toarray(), feat.transform(new).toarray())
        assert np.array_equal(loaded.get_feature_names_out(), feat.get_feature_names_out())


def test_fitted_vocabulary_holds_no_personnummer_digits():
    number = f"{VALID_10[:6]}-{VALID_10[6:]}"
    feat = TextFeaturizer().fit([f"Deltagare {number} går kurs", "Kurs i HLR"])
    vocab = "".join(feat.get_feature_names_out())
    assert not any(ch.isdigit() for ch in vocab)


def test_compound_similarity_sanity():
    corpus = [
        "demenssjukdom",
        "utbildning om demens",
        "yrkessvenska",
        "kurs i svenska för vårdpersonal",
        "lågaffektivt bemötande",
        "ledarskap för chefer",
    ]
    X = TextFeaturizer().fit_transform(corpus)
    sim = cosine_similarity(X)
    assert sim[0, 1] > sim[0, 2]
    assert sim[0, 1] > 0.1


# --------------------------------------------------------------------------------------------
# words_from_char_ngrams
# --------------------------------------------------------------------------------------------


def test_demens_ngrams_map_to_demenssjukdom():
    analyzer = char_ngram_vectorizer().build_analyzer()
    weights = dict.fromkeys(analyzer("demens"), 1.0)
    words = words_from_char_ngrams("Kurs om demenssjukdom för personal", weights)
    assert set(words) == {"kurs", "om", "demenssjukdom", "för", "personal"}
    assert max(words, key=words.get) == "demenssjukdom"
    assert words["demenssjukdom"] > 10 * max(v for k, v in words.items() if k != "demenssjukdom")


def test_word_values_add_up_to_the_linear_score():
    texts = ["Föreläsning om stress", "Utbildning i demens", "Kurs i yrkessvenska", "Föreläsning"]
    feat = TextFeaturizer().fit(texts)
    rng = np.random.default_rng(0)
    coef = rng.normal(size=len(feat.get_feature_names_out()))
    x = feat.transform([texts[0]]).toarray()[0]
    names = feat.get_feature_names_out()
    weights = {names[j]: coef[j] * x[j] for j in np.flatnonzero(x)}
    words = words_from_char_ngrams(texts[0], weights)
    assert list(words) == ["föreläsning", "om", "stress"]
    assert sum(words.values()) == pytest.approx(float(coef @ x), rel=1e-5)


def test_shared_ngram_is_split_by_occurrence_and_punctuation_merged():
    words = words_from_char_ngrams("a aa. A", {"a": 1.0, "zz": 5.0})
    # "a" occurs in " a " twice (two words "a") and twice in " aa. "
    assert words == pytest.approx({"a": 0.5, "aa": 0.5})
    assert words_from_char_ngrams(None, {"a": 1.0}) == {}
    with pytest.raises(TypeError, match="mapping"):
        words_from_char_ngrams("a", [("a", 1.0)])


def test_the_former_featurize_module_still_gives_every_name():
    # saved models and users' code name kompred.featurize.TextFeaturizer
    import kompred.featurize as old

    for name in featurize.__all__:
        assert getattr(old, name) is getattr(featurize, name)


@pytest.mark.parametrize("call", [
    lambda: normalize_text(12),
    lambda: redact_personnummer(None),
    lambda: TextCleaner(max_chars="many").fit_transform(["a"]),
    lambda: TextFeaturizer(text_column="description", extra_text_columns=[3]).fit(
        pd.DataFrame({"description": ["a"]})),
])
def test_text_errors_are_validation_errors_like_everywhere_else(call):
    # kompred's own error (so `except kompred.ValidationError` catches it) and still a TypeError
    with pytest.raises(kompred_errors.ValidationError) as err:
        call()
    assert isinstance(err.value, TypeError)
