"""py3langid's model from kompred's per-user cache: the same identifier, or py3langid's own.

The specification is py3langid's path, kept here: ``LanguageIdentifier.from_model_file`` with
normalised probabilities, restricted to ``LANGUAGES``. An identifier read from the cache must hold
the very same arrays (values, dtypes, layout), so every language answer is the same; a corrupt,
stale or unwritable cache must be ignored without a word.
"""

from __future__ import annotations

import gzip
import os
from array import array

import numpy as np
import pytest

from kompred.text import _langid_model as lm
from kompred.text.language import LANGUAGES

TEXTS = [
    "Vi ansöker om medel för att ge medarbetarna utbildning i demens.",
    "We apply for funding to train our staff in dementia care.",
    "Opplæring i demens for helsefagarbeidere i eldreomsorgen.",
    "Uddannelse i demens for medarbejdere i ældreplejen.",
    "Koulutusta muistisairauksista hoitohenkilökunnalle.",
    "Kurs i HLR", "12 345", "", "ÅÄÖ åäö", "Schulung für Pflegekräfte in der Altenpflege.",
    "Szkolenie dla personelu opieki.", "Обучение персонала по уходу за пожилыми.",
]


def _reference():
    """py3langid's own identifier, as kompred built it before the cache."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    identifier = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
    identifier.set_languages(list(LANGUAGES))
    return identifier


@pytest.fixture(scope="module")
def reference():
    return _reference()


@pytest.fixture
def cache(tmp_path, monkeypatch):
    folder = tmp_path / "cache"
    monkeypatch.setenv(lm.CACHE_ENV, str(folder))
    return folder


def _assert_same(got, want):
    for name in ("nb_ptc", "nb_pc"):
        a, b = getattr(got, name), getattr(want, name)
        assert a.dtype == b.dtype and a.shape == b.shape and a.flags.c_contiguous == b.flags.c_contiguous
        np.testing.assert_array_equal(a, b)
    assert got.nb_classes == want.nb_classes and all(type(c) is str for c in got.nb_classes)
    for name in ("tk_nextmove", "tk_row"):
        a, b = getattr(got, name), getattr(want, name)
        assert isinstance(a, array) and a.typecode == b.typecode and a == b
    assert got.tk_output == want.tk_output and all(type(v) is int for v in got.tk_output[:100])
    assert got._rowbase == want._rowbase
    for text in TEXTS:
        assert got.rank(text) == want.rank(text)


def _files(folder):
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_first_load_writes_the_cache_and_the_next_reads_it(cache, reference):
    first = lm.load_identifier(LANGUAGES)
    _assert_same(first, reference)
    (written,) = _files(cache)
    assert written.startswith("py3langid-") and written.endswith(".npz")
    stamp = os.stat(cache / written).st_mtime_ns
    calls = []
    from py3langid.langid import LanguageIdentifier

    original = LanguageIdentifier.from_model_file.__func__

    def spy(cls, *args, **kwargs):
        calls.append(args)
        return original(cls, *args, **kwargs)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(LanguageIdentifier, "from_model_file", classmethod(spy))
        second = lm.load_identifier(LANGUAGES)
    assert calls == []  # read from the cache, py3langid's model file not decompressed
    _assert_same(second, reference)
    assert os.stat(cache / written).st_mtime_ns == stamp  # not rewritten


def test_the_cache_is_read_without_pickle(cache):
    lm.load_identifier(LANGUAGES)
    (written,) = cache.iterdir()
    with np.load(written, allow_pickle=False) as data:
        assert all(data[name].dtype != object for name in data.files)


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty", "gzip"])
def test_a_corrupt_cache_is_ignored_and_replaced(cache, reference, damage):
    lm.load_identifier(LANGUAGES)
    (written,) = cache.iterdir()
    good = written.read_bytes()
    bad = {"garbage": b"not an npz at all" * 100, "truncated": good[: len(good) // 2],
           "empty": b"", "gzip": gzip.compress(good)}[damage]
    written.write_bytes(bad)
    _assert_same(lm.load_identifier(LANGUAGES), reference)
    assert written.read_bytes() == good  # rewritten for the next process


def test_a_stale_or_foreign_cache_is_ignored(cache, reference):
    lm.load_identifier(LANGUAGES)
    (written,) = cache.iterdir()
    with np.load(written, allow_pickle=False) as data:
        arrays = {name: data[name] for name in data.files}
    # the same file name, another key (another py3langid, model or language set): wrong arrays
    arrays["key"] = np.array("1|py3langid 0.0|0|x|sv")
    arrays["pc"] = arrays["pc"] + 1
    np.savez(written, **arrays)
    _assert_same(lm.load_identifier(LANGUAGES), reference)
    # right key, a missing array
    arrays = {k: v for k, v in arrays.items() if k != "output"}
    np.savez(written, **arrays)
    _assert_same(lm.load_identifier(LANGUAGES), reference)


def test_another_model_file_or_version_gives_another_entry(cache, tmp_path):
    from py3langid.langid import MODEL_DIR, MODEL_FILE

    path, key = lm._cache_entry(MODEL_DIR / MODEL_FILE, "0.4.0", LANGUAGES)
    other = tmp_path / "model.npz.xz"
    other.write_bytes((MODEL_DIR / MODEL_FILE).read_bytes()[:-1] + b"\0")
    assert lm._cache_entry(other, "0.4.0", LANGUAGES)[1] != key
    assert lm._cache_entry(MODEL_DIR / MODEL_FILE, "0.4.1", LANGUAGES)[1] != key
    assert lm._cache_entry(MODEL_DIR / MODEL_FILE, "0.4.0", ("sv", "da"))[1] != key
    assert path.parent == cache
    assert lm._cache_entry(MODEL_DIR / MODEL_FILE, None, LANGUAGES) == (None, "")


def test_an_unwritable_or_disabled_cache_still_loads(tmp_path, monkeypatch, reference):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    monkeypatch.setenv(lm.CACHE_ENV, str(blocker / "cache"))  # cannot be created
    _assert_same(lm.load_identifier(LANGUAGES), reference)
    assert not (blocker / "cache").exists()
    monkeypatch.setenv(lm.CACHE_ENV, "")
    assert lm.cache_dir() is None
    _assert_same(lm.load_identifier(LANGUAGES), reference)
    assert not any(p.suffix == ".tmp" for p in tmp_path.rglob("*"))


def test_no_home_folder_means_no_cache(monkeypatch, reference):
    from pathlib import Path

    def nowhere():
        raise RuntimeError("Could not determine home directory.")

    monkeypatch.delenv(lm.CACHE_ENV, raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(Path, "home", staticmethod(nowhere))
    _assert_same(lm.load_identifier(LANGUAGES), reference)


def test_cache_folder_follows_xdg_and_home(tmp_path, monkeypatch):
    monkeypatch.delenv(lm.CACHE_ENV, raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert lm.cache_dir() == tmp_path / "xdg" / "kompred"
    monkeypatch.delenv("XDG_CACHE_HOME")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert lm.cache_dir() == tmp_path / "home" / ".cache" / "kompred"
    monkeypatch.setenv(lm.CACHE_ENV, str(tmp_path / "mine"))
    assert lm.cache_dir() == tmp_path / "mine"


def test_language_answers_are_the_same_with_and_without_the_cache(cache, monkeypatch, reference):
    from kompred.text import language

    texts = TEXTS * 3 + ["Ledarskapsutbildning för första linjens chefer inom äldreomsorgen."]
    with_cache = lm.load_identifier(LANGUAGES)
    monkeypatch.setenv(lm.CACHE_ENV, "")
    without = lm.load_identifier(LANGUAGES)
    for identifier in (with_cache, without):
        monkeypatch.setattr(language, "_language_identifier", lambda identifier=identifier: identifier)
        language._automaton.cache_clear()
        try:
            got = ([language.detect_language(t) for t in texts],
                   language.is_swedish_many(texts, min_chars=5))
        finally:
            language._automaton.cache_clear()
        monkeypatch.setattr(language, "_language_identifier", lambda: reference)
        assert got == ([language.detect_language(t) for t in texts],
                       language.is_swedish_many(texts, min_chars=5))


def test_a_few_texts_are_ranked_text_by_text_with_the_same_floats(monkeypatch):
    from kompred.text import language

    few = TEXTS[: language._BATCH_MIN - 1] + [None, ""]
    language._automaton.cache_clear()
    try:
        got = language._rank_many(few)
        assert language._automaton.cache_info().currsize == 0  # no arrays built for a check
        assert got == [language._rank_languages(t) for t in few]
        # at the threshold the batch automaton answers, with the same floats
        lettered = [t for t in TEXTS if language._for_ranking(t) is not None]
        many = (lettered * language._BATCH_MIN)[: language._BATCH_MIN]
        assert language._rank_many(many) == [language._rank_languages(t) for t in many]
        assert language._automaton.cache_info().currsize == 1
    finally:
        language._automaton.cache_clear()
