"""Topic classification of applications, trained on a taxonomy (weak supervision) and labels.

:class:`TopicClassifier` puts an application text into one topic of a taxonomy
(:mod:`kompred.taxonomy`). The taxonomy is data: each topic's description, seed examples and
examples are the training material, so the classifier works with **zero** labelled applications
(``fit()``) and improves with labelled ones (``fit(texts, labels)``). A new topic needs a few
examples in a TOML file, not code.

Method (measured choices, see ``evaluation/README_topic.md``):

- Text: title and description joined, normalized with :func:`kompred.text.normalize_text`
  (lowercase, numbers -> ``0``, personnummer masked) and cut to ``max_chars`` characters. Common
  abbreviations of Swedish welfare work (usk, ssk, VoO, SÄBO, MI, SFI, SvA, BPSD ...) get their
  expansion appended, so "yrkessv. för usk" shares words with "yrkessvenska för undersköterskor".
- Features: character n-gram TF-IDF (``char_wb`` 2-5, sublinear tf; it matches parts of
  Swedish compounds) plus a smaller word TF-IDF block on spaCy's Swedish tokens without stop
  words (:func:`kompred.text.content_tokens`).
- Training texts written without å/ä/ö ("aldreomsorg", "bemotande") are common: every training
  text with å, ä or ö is also added in a folded copy (å->a, ä->a, ö->o) at a lower weight.
- Model: multinomial logistic regression with classes balanced by weight; taxonomy texts weigh
  ``example_weight`` (descriptions ``description_weight``) against 1 for a labelled application.
- Probabilities: temperature scaling. The logits of the training texts are computed by
  stratified cross-validation (copies of a text stay in one fold) and one temperature ``T`` is
  fitted to minimise their log loss; ``predict_proba`` is ``softmax(logits / T)``. Calibration
  never changes which topic ranks first.
- Below ``threshold`` the answer is ``"osäker"`` and :meth:`TopicClassifier.predict_details`
  names the two most likely topics. Empty text and text that is clearly not Swedish are
  ``"osäker"`` too, with the reason.

:class:`KeywordTopicRules` is the keyword-rule baseline (the taxonomy's ``keywords``).

>>> clf = TopicClassifier().fit()
>>> clf.predict(["Yrkessvenska för undersköterskor", "Barnskötarutbildning"]).tolist()
['språk', 'yrkesutbildning']
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import minimize_scalar
from scipy.special import log_softmax, softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError as _SklearnNotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold
from sklearn.utils.validation import check_is_fitted
from threadpoolctl import threadpool_limits

from ..._compact import pack_state, unpack_state
from ..._sparse import stacked_product
from ...exceptions import ModelError, NotFittedError, ValidationError
from ...schema import is_missing
from ...taxonomy import Taxonomy, load_taxonomy
from ...text import (
    char_ngram_vectorizer,
    detect_language,
    join_texts,
    normalize_text,
    word_vectorizer,
)
from ...text.language import is_swedish_many
from .compounds import build_prefixes, build_vocabulary, compound_parts
from .occupations import MARK as _OCCUPATION_MARK
from .occupations import occupation_marks

__all__ = [
    "ABBREVIATIONS",
    "BOILERPLATE",
    "DETAIL_COLUMNS",
    "OSAKER",
    "KeywordTopicRules",
    "TopicClassifier",
    "application_texts",
    "load_default_topic_model",
    "train_default_topic_model",
    "unsure_table",
]

#: The answer when the classifier is not sure (low confidence, empty text, not Swedish).
OSAKER = "osäker"

#: Columns of :meth:`TopicClassifier.predict_details`, in order.
DETAIL_COLUMNS = ("topic", "topic_confidence", "topic_first", "topic_second",
                  "topic_second_confidence", "topic_reason", "is_swedish")

#: Abbreviations common in Swedish municipal and regional welfare work, with the words they stand
#: for. A text that contains one (as a whole word, case-insensitive, with or without a final dot)
#: gets the expansion appended before featurizing; the abbreviation itself stays in the text.
#: General domain vocabulary only; ambiguous short forms (VAL, PA, AT, DV) are left out.
ABBREVIATIONS: dict[str, str] = {
    "usk": "undersköterska undersköterskor",
    "uska": "undersköterska undersköterskor",
    "ssk": "sjuksköterska sjuksköterskor",
    "dsk": "distriktssköterska",
    "vbtr": "vårdbiträde vårdbiträden",
    "vårdbitr": "vårdbiträde vårdbiträden",
    "bitr": "biträde biträden",
    "voo": "vård och omsorg",
    "v&o": "vård och omsorg",
    "vo&o": "vård och omsorg",
    "säbo": "särskilt boende äldreboende",
    "sabo": "särskilt boende äldreboende",
    "vobo": "vård- och omsorgsboende äldreboende",
    "hemtj": "hemtjänst hemtjänsten",
    "lss": "stöd och service till funktionshindrade",
    "sol": "socialtjänstlagen socialtjänst",
    "hsl": "hälso- och sjukvårdslagen hälso- och sjukvård",
    "hvb": "hem för vård eller boende",
    "hp": "högskolepoäng",
    "yhp": "yrkeshögskolepoäng yrkeshögskola",
    "yh": "yrkeshögskola yrkeshögskolan",
    "komvux": "kommunal vuxenutbildning",
    "kpu": "kompletterande pedagogisk utbildning lärarexamen",
    "mi": "motiverande samtal",
    "lab": "lågaffektivt bemötande",
    "npf": "neuropsykiatriska funktionsnedsättningar",
    "fhs": "förvärvad hjärnskada",
    "ugl": "utveckling av grupp och ledare ledarskap",
    "ec": "enhetschef enhetschefer",
    "ecs": "enhetschefer",
    "sfi": "svenska för invandrare",
    "sva": "svenska som andraspråk",
    "svas": "svenska som andraspråk",
    "sv": "svenska",
    "bpsd": "beteendemässiga och psykiska symtom vid demens demenssjukdom",
    "adl": "aktiviteter i dagliga livet",
    "takk": "tecken som alternativ och kompletterande kommunikation",
    "bam": "bättre arbetsmiljö",
    "sam": "systematiskt arbetsmiljöarbete",
    "sba": "systematiskt brandskyddsarbete",
    "hlr": "hjärt-lungräddning",
    "gdpr": "dataskydd personuppgifter",
    "it": "digital digitala datorer",
    "utb": "utbildning",
    "utbild": "utbildning",
    "fortb": "fortbildning",
    "handl": "handledning",
    "pers": "personer personal",
    "medarb": "medarbetare",
}

#: Topic-neutral sentences of the kind every application contains (agreement, samverkan, scope,
#: cost, provider, follow-up). Each training text also appears once with two of them appended
#: (weight ``boilerplate_weight``), so the model learns that such wording says nothing about the
#: topic instead of tying it to the few examples that happen to contain it.
BOILERPLATE: tuple[str, ...] = (
    "Insatsen har samverkats med de fackliga organisationerna.",
    "Syftet är att stärka medarbetarnas anställningstrygghet och möta verksamhetens kompetensförsörjningsbehov.",
    "Insatsen går utöver den ordinarie kompetensutvecklingen i tjänsten.",
    "Utbildningen genomförs på arbetstid och vikarier sätts in vid behov.",
    "Kostnaden avser kursavgift, litteratur och resor.",
    "Utförare är en extern leverantör.",
    "Insatsen genomförs i egen regi.",
    "Insatsen pågår under hösten och följs upp av närmaste chef.",
    "Målgruppen är tillsvidareanställda medarbetare.",
    "Behovet har identifierats i förvaltningens kompetensförsörjningsplan.",
    "MBL-förhandling har genomförts och protokollförts.",
    "Vi ansöker om medel för förebyggande insatser enligt KOM-KR.",
    "Ca 20 deltagare fördelade på två grupper.",
    "Deltagarna svarar på en enkät efter avslutad insats.",
    "Insatsen ligger i linje med vår handlingsplan.",
    "Sökt belopp: 85 000 kr.",
    "Period: januari till juni.",
    "Verksamheten står inför stora pensionsavgångar de kommande åren.",
    "Insatsen ska bidra till att vi kan behålla kompetenta medarbetare.",
    "Medarbetarna har efterfrågat insatsen i medarbetarsamtalen.",
    "Insatsen är förankrad i ledningsgruppen.",
    "Kostnad per deltagare är cirka 4 000 kr.",
    "Utbildningen ges digitalt och på plats.",
    "Omfattning: fyra halvdagar.",
    "HR-avdelningen samordnar insatsen och ansvarar för uppföljningen.",
    "Offert har inhämtats från leverantören.",
    "Arbetsgivaren står för lönekostnaden under utbildningstiden.",
    "Beslutet om insatsen är fattat av förvaltningsledningen.",
    "Insatsen omfattar både tillsvidareanställda och visstidsanställda.",
    "Totalt ansöker vi om 150 000 kr.",
    "Ansökan gäller perioden 2024–2026.",
    "En projektledare på förvaltningen ansvarar för planeringen.",
    "Restid och kost ersätts enligt avtal.",
    "Vi har inte tidigare sökt medel för den här gruppen.",
    "Insatsen stärker oss som attraktiv arbetsgivare.",
    "Enhetscheferna ansvarar för att medarbetarna kan delta.",
    "Deltagare: undersköterskor och vårdbiträden.",
    "Deltagare: barnskötare och förskollärare.",
    "Deltagare: medarbetare i kök och lokalvård.",
    "Deltagare: handläggare och socialsekreterare.",
    "Deltagare: medarbetare i hemtjänst och på boenden.",
    "Deltagare: personal inom LSS och daglig verksamhet.",
)

_ABBREV_RE = re.compile(
    r"(?<![\w&])(" + "|".join(sorted((re.escape(k) for k in ABBREVIATIONS), key=len, reverse=True))
    + r")(?![\w&])"
)
_FOLD = str.maketrans({"å": "a", "ä": "a", "ö": "o", "é": "e", "ü": "u"})
_HAS_ACCENT = re.compile("[åäöéü]")
_HAS_LETTER = re.compile(r"[^\W\d_]")


def _prepare_text(text: str, *, max_chars: int, expand: bool,
                  compounds: tuple[frozenset[str], frozenset[str]] | None = None,
                  occupations: bool = False) -> str:
    """Normalized, truncated text with abbreviation expansions, the occupation mark and
    compound parts appended."""
    norm = normalize_text(text, max_chars=max_chars)
    if not norm:
        return norm
    found = (dict.fromkeys(ABBREVIATIONS[m.group(1)] for m in _ABBREV_RE.finditer(norm))
             if expand else {})
    if occupations and occupation_marks(norm):
        found[_OCCUPATION_MARK] = None
    if compounds is not None:
        found.update(dict.fromkeys(compound_parts(norm, *compounds)))
    if not found:
        return norm
    return norm + " | " + " ".join(found)


def _fold(text: str) -> str:
    return text.translate(_FOLD)


def text_sha1(text: str) -> str:
    """SHA-1 (hex) of a text's UTF-8 bytes, stripped of surrounding whitespace.

    >>> text_sha1(" abc ")
    'a9993e364706816aba3e25717850c26c9cd0d89d'
    """
    return hashlib.sha1(str(text).strip().encode("utf-8")).hexdigest()


# ------------------------------------------------------------------------------------------------
# Input handling
# ------------------------------------------------------------------------------------------------


_missing = is_missing  # None, NA, NaT or NaN


def application_texts(X: Any, *, what: str = "X") -> list[str]:
    """The texts to classify, one per input row (missing values give ``""``).

    Parameters
    ----------
    X : list, tuple, numpy array, pandas Series of str, or DataFrame
        A DataFrame with a ``description`` column gives ``"title. description"`` per row (the
        ``title`` column is optional); a one-column DataFrame gives that column.

    Returns
    -------
    list of str

    Examples
    --------
    >>> df = pd.DataFrame({"title": ["Demens", None], "description": ["Kurs om demens.", "HLR"]})
    >>> application_texts(df)
    ['Demens. Kurs om demens.', 'HLR']
    """
    if isinstance(X, str | bytes):
        raise ValidationError(f"expected {what} to be a list, array or Series of texts; got a single "
                              f"{type(X).__name__} (wrap it in a list: [text])")
    if isinstance(X, pd.DataFrame):
        if "description" in X.columns:
            titles = X["title"].tolist() if "title" in X.columns else [None] * len(X)
            return [join_texts(t, d) for t, d in zip(titles, X["description"].tolist(), strict=True)]
        if X.shape[1] == 1:
            values = X.iloc[:, 0].tolist()
        else:
            raise ValidationError(
                f"expected {what} to have a 'description' column (and optionally 'title'), or to be "
                f"one column of texts; got columns {[str(c) for c in X.columns][:10]}")
    elif isinstance(X, pd.Series | pd.Index):
        values = X.tolist()
    elif isinstance(X, np.ndarray):
        if X.ndim == 2 and X.shape[1] == 1:
            X = X[:, 0]
        if X.ndim != 1:
            raise ValidationError(f"expected {what} to be a 1-D array of texts; got shape {X.shape}")
        values = X.tolist()
    elif isinstance(X, list | tuple):
        values = list(X)
    else:
        raise ValidationError(f"expected {what} to be a list, array, Series or DataFrame of texts; "
                              f"got {type(X).__name__}")
    out = []
    for i, v in enumerate(values):
        if isinstance(v, str):
            out.append(v)
        elif _missing(v):
            out.append("")
        else:
            raise ValidationError(f"expected every value of {what} to be a str or missing "
                                  f"(None/NaN); got {type(v).__name__} {v!r:.40} at position {i}")
    return out


def _label_lookup(taxonomy: Taxonomy) -> dict[str, str]:
    lookup = {}
    for t in taxonomy.topics:
        lookup[t.name.strip().lower()] = t.id
    for t in taxonomy.topics:
        lookup[t.id] = t.id
    return lookup


def _check_labels(y: Any, n: int, taxonomy: Taxonomy) -> list[str]:
    """Map labels (topic ids or names, any case) to topic ids; errors name what is wrong."""
    if isinstance(y, str | bytes):
        raise ValidationError("expected y to be a list of topic labels; got a single string")
    values = y.tolist() if isinstance(y, pd.Series | pd.Index | np.ndarray) else list(y)
    if len(values) != n:
        raise ValidationError(f"expected one label per text: got {n} texts and {len(values)} labels")
    lookup = _label_lookup(taxonomy)
    out, missing, unknown = [], [], {}
    for i, v in enumerate(values):
        if _missing(v) or (isinstance(v, str) and not v.strip()):
            missing.append(i)
            continue
        key = str(v).strip().lower()
        if key not in lookup:
            unknown.setdefault(str(v), i)
            continue
        out.append(lookup[key])
    if unknown:
        shown = ", ".join(f"{k!r} (first at position {i})" for k, i in list(unknown.items())[:10])
        raise ValidationError(
            f"label(s) not in taxonomy {taxonomy.id!r}: {shown}; expected one of "
            f"{list(taxonomy.topic_ids)} (or a topic name). Add the topic to a taxonomy file "
            "(extends = \"default\") or fix the labels.")
    if missing:
        raise ValidationError(
            f"{len(missing)} text(s) have no label (positions {missing[:10]}"
            f"{' ...' if len(missing) > 10 else ''}); label them or leave them out of fit")
    return out


#: Thresholds at which :func:`unsure_table` reports coverage and accuracy.
UNSURE_THRESHOLDS = (0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7)


def unsure_table(confidence: Any, right: Any,
                 thresholds: Sequence[float] = UNSURE_THRESHOLDS) -> list[dict]:
    """For each threshold: the share of texts below it (osäker) and the accuracy on each side.

    With calibrated confidences, the texts just below a threshold of 0.5 are right about half
    the time; the table shows whether that holds and what another threshold would cost.

    Examples
    --------
    >>> unsure_table([0.9, 0.8, 0.45, 0.3], [True, True, False, True], thresholds=(0.5,))
    [{'threshold': 0.5, 'share_osaker': 0.5, 'accuracy_sure': 1.0, 'accuracy_osaker': 0.5}]
    """
    conf = np.asarray(confidence, dtype=float)
    ok = np.asarray(right, dtype=bool)
    out = []
    for t in thresholds:
        low = conf < t
        out.append({"threshold": float(t), "share_osaker": round(float(low.mean()), 4),
                    "accuracy_sure": round(float(ok[~low].mean()), 4) if (~low).any() else None,
                    "accuracy_osaker": round(float(ok[low].mean()), 4) if low.any() else None})
    return out


# ------------------------------------------------------------------------------------------------
# The classifier
# ------------------------------------------------------------------------------------------------


class TopicClassifier(ClassifierMixin, BaseEstimator):
    """Classify application texts into the topics of a taxonomy.

    Parameters
    ----------
    taxonomy : str, path or Taxonomy, default "default"
        A bundled taxonomy name, a TOML file, or a loaded :class:`~kompred.taxonomy.Taxonomy`.
    threshold : float, default 0.5
        Below this calibrated probability of the first topic the answer is ``"osäker"``.
    C : float, default 10.0
        Inverse regularization strength of the logistic regression.
    example_weight : float, default 1.0
        Weight of each taxonomy example (and seed example) against 1 for a labelled text.
    description_weight : float, default 0.5
        Weight of each topic's description (long, and it also names the neighbouring topics).
    word_weight : float, default 0.5
        Scale of the word TF-IDF block next to the char n-gram block (0 leaves it out).
    ngram_range : (int, int), default (2, 5)
        Character n-gram lengths (``char_wb``).
    fold_weight : float, default 0.5
        Weight of the copy without å/ä/ö of each training text (relative to the text; 0: none).
    boilerplate_weight : float, default 0.5
        Weight of the copy of each example and labelled text with two topic-neutral sentences
        from :data:`BOILERPLATE` appended (relative to the text; 0: none).
    expand_abbreviations : bool, default True
        Append the expansions of :data:`ABBREVIATIONS` found in a text.
    mark_occupations : bool, default False
        Append :data:`~kompred.modeling.topic.occupations.MARK` to a text that trains towards an
        occupation of the job-title lexicon ("läser till undersköterska", "från vårdbiträde till
        undersköterska"; :mod:`kompred.modeling.topic.occupations`), so that every such change
        of job shares one feature whatever the title.
    split_compounds : bool, default False
        Append the parts of compounds whose parts are words of the training texts
        ("förflyttningsutbildning" -> "förflyttning utbildning"; :mod:`kompred.modeling.topic.compounds`).
        Real texts name insatser with compounds the examples write apart.
    max_chars : int, default 5000
        Texts are cut to this many characters after normalizing (the title comes first, so it is
        always kept). Real descriptions are far shorter; a pasted document would otherwise
        dilute the features and slow fitting.
    calibration_cv : int, default 5
        Folds used to fit the temperature; 0 or 1 turns calibration off (temperature 1).
    check_language : bool, default True
        Flag texts that are clearly not Swedish (answer ``"osäker"``, with the language found).
    random_state : int, default 0
        Seed for the calibration folds.

    Attributes
    ----------
    classes_ : ndarray of str
        Topic ids in taxonomy order; the columns of :meth:`predict_proba`.
    taxonomy_ : Taxonomy
        The taxonomy fitted on.
    temperature_ : float
        The fitted temperature (1.0 without calibration).
    training_summary_ : dict
        Counts of training texts by source, the temperature and the fit time.
    compound_vocabulary_ : frozenset of str or None
        The training texts' words that compounds are split against (None without splitting).
    extra_sha1_ : tuple of str
        SHA-1 (:func:`text_sha1`) of each ``extra_X`` text of :meth:`fit`; empty without them.
    """

    def __init__(self, *, taxonomy: str | os.PathLike | Taxonomy = "default", threshold: float = 0.5,
                 C: float = 10.0, example_weight: float = 1.0, description_weight: float = 0.5,
                 word_weight: float = 0.5, ngram_range: tuple[int, int] = (2, 5),
                 fold_weight: float = 0.5, boilerplate_weight: float = 0.5,
                 expand_abbreviations: bool = True, mark_occupations: bool = False,
                 split_compounds: bool = False,
                 max_chars: int = 5000, calibration_cv: int = 5, check_language: bool = True,
                 random_state: int | None = 0):
        self.taxonomy = taxonomy
        self.threshold = threshold
        self.C = C
        self.example_weight = example_weight
        self.description_weight = description_weight
        self.word_weight = word_weight
        self.ngram_range = ngram_range
        self.fold_weight = fold_weight
        self.boilerplate_weight = boilerplate_weight
        self.expand_abbreviations = expand_abbreviations
        self.mark_occupations = mark_occupations
        self.split_compounds = split_compounds
        self.max_chars = max_chars
        self.calibration_cv = calibration_cv
        self.check_language = check_language
        self.random_state = random_state

    # the vectorizers' vocabularies travel as string arrays: a model file loads in milliseconds
    # instead of seconds (kompred._compact); files saved before load as they are
    def __getstate__(self):
        return pack_state(super().__getstate__(), vectorizers=("vectorizers_",))

    def __setstate__(self, state):
        state = unpack_state(state, vectorizers=("vectorizers_",))
        # models saved before the job-title lexicon existed were trained without it
        state.setdefault("mark_occupations", False)
        super().__setstate__(state)

    # -- parameters -------------------------------------------------------------------------

    def _check_params(self) -> None:
        def number(name, low, *, strict=False, high=None):
            v = getattr(self, name)
            if isinstance(v, bool) or not isinstance(v, int | float | np.integer | np.floating):
                raise ValidationError(f"expected {name} to be a number; got {v!r}")
            if (v <= low if strict else v < low) or (high is not None and v > high):
                bound = f"> {low}" if strict else f">= {low}"
                raise ValidationError(f"expected {name} {bound}{f' and <= {high}' if high else ''}; "
                                      f"got {v!r}")
        number("threshold", 0, high=1)
        number("C", 0, strict=True)
        number("example_weight", 0)
        number("description_weight", 0)
        number("word_weight", 0)
        number("fold_weight", 0)
        number("boilerplate_weight", 0)
        number("max_chars", 1)
        number("calibration_cv", 0)
        rng = tuple(self.ngram_range)
        if len(rng) != 2 or not 1 <= rng[0] <= rng[1]:
            raise ValidationError(f"expected ngram_range (min_n, max_n) with 1 <= min_n <= max_n; got {rng}")

    # -- training material --------------------------------------------------------------------

    def _training_material(self, taxonomy: Taxonomy, texts: list[str], labels: list[str],
                           compounds=None, extra: tuple[list[str], list[str], np.ndarray] | None = None):
        """(texts, labels, weights, groups, source) for the weak supervision plus the labels
        (and the ``extra`` texts, labels and weights, source ``"extra"``)."""
        rows: list[tuple[str, str, float, str]] = []
        for t in taxonomy.topics:
            for s in (*t.seed_examples, *t.examples):
                rows.append((s, t.id, float(self.example_weight), "taxonomy_example"))
            if t.description:
                rows.append((t.description, t.id, float(self.description_weight), "taxonomy_description"))
        for s, lab in zip(texts, labels, strict=True):
            rows.append((s, lab, 1.0, "labelled"))
        if extra is not None:
            for s, lab, w in zip(*extra, strict=True):
                rows.append((s, lab, float(w), "extra"))
        prepared, out_labels, weights, groups, sources = [], [], [], [], []
        skipped = 0
        rng = np.random.default_rng(self.random_state)

        def add(text, lab, w, g, src):
            prepared.append(text)
            out_labels.append(lab)
            weights.append(w)
            groups.append(g)
            sources.append(src)

        for g, (raw, lab, w, src) in enumerate(rows):
            p = _prepare_text(raw, max_chars=int(self.max_chars), expand=self.expand_abbreviations,
                              compounds=compounds, occupations=bool(self.mark_occupations))
            if not _HAS_LETTER.search(p) or w <= 0:
                skipped += src in ("labelled", "extra")
                continue
            add(p, lab, w, g, src)
            if self.fold_weight > 0 and _HAS_ACCENT.search(p):
                add(_fold(p), lab, w * float(self.fold_weight), g, src + "_folded")
            if self.boilerplate_weight > 0 and src != "taxonomy_description":
                extra = " ".join(BOILERPLATE[i] for i in rng.choice(len(BOILERPLATE), 2, replace=False))
                p2 = _prepare_text(raw.rstrip() + (" " if raw.rstrip()[-1:] in ".!?" else ". ") + extra,
                                   max_chars=int(self.max_chars), expand=self.expand_abbreviations,
                                   compounds=compounds, occupations=bool(self.mark_occupations))
                add(p2, lab, w * float(self.boilerplate_weight), g, src + "_boilerplate")
        return prepared, np.asarray(out_labels, dtype=object), np.asarray(weights), np.asarray(groups), sources, skipped

    @staticmethod
    def _balanced(labels: np.ndarray, weights: np.ndarray, classes: Sequence[str]) -> np.ndarray:
        totals = {c: weights[labels == c].sum() for c in classes}
        mean_total = np.mean([v for v in totals.values() if v > 0])
        factor = np.array([mean_total / totals[lab] for lab in labels])
        w = weights * factor
        return w * (len(w) / w.sum())

    # -- features and model -------------------------------------------------------------------

    def _make_vectorizers(self):
        char = char_ngram_vectorizer(ngram_range=tuple(self.ngram_range), min_df=1)
        word = (word_vectorizer(ngram_range=(1, 1), min_df=1) if self.word_weight > 0 else None)
        return char, word

    def _fit_features(self, texts: list[str], vocab_rows: np.ndarray | None = None):
        """Vectorizers fitted on ``texts[vocab_rows]`` (all by default) and the features of all
        ``texts``; rows outside ``vocab_rows`` add no word, n-gram or idf of their own."""
        char, word = self._make_vectorizers()
        if vocab_rows is None or vocab_rows.all():
            blocks = [char.fit_transform(texts)]
            if word is not None:
                blocks.append(word.fit_transform(texts) * float(self.word_weight))
            return (char, word), sp.hstack(blocks, format="csr")
        own = [t for t, v in zip(texts, vocab_rows, strict=True) if v]
        char.fit(own)
        if word is not None:
            word.fit(own)
        return (char, word), self._transform((char, word), texts)

    def _blocks(self, vectorizers, texts: list[str]) -> list:
        from ...text._fastchar import char_wb_transform
        from ...text._fastwords import content_word_transform

        char, word = vectorizers
        blocks = [char_wb_transform(char, list(texts))]
        if word is not None:
            blocks.append(content_word_transform(word, list(texts)) * float(self.word_weight))
        return blocks

    def _transform(self, vectorizers, texts: list[str]):
        return sp.hstack(self._blocks(vectorizers, texts), format="csr")

    def _decision(self, texts: list[str]) -> np.ndarray:
        """``model_.decision_function`` of the texts' features (a fitted LogisticRegression's
        is ``X @ coef_.T + intercept_``: taken block by block, the same floats)."""
        blocks = self._blocks(self.vectorizers_, texts)
        lr = self.model_
        if type(lr) is not LogisticRegression or lr.coef_.shape[0] == 1:
            return lr.decision_function(sp.hstack(blocks, format="csr"))
        return stacked_product(blocks, lr.coef_.T) + lr.intercept_

    def _new_lr(self) -> LogisticRegression:
        return LogisticRegression(C=float(self.C), max_iter=3000, tol=1e-4)

    def _fit_core(self, texts, labels, weights, vocab_rows=None):
        vectorizers, F = self._fit_features(texts, vocab_rows)
        # scipy's L-BFGS-B makes many tiny BLAS calls; with BLAS threads they were 15x slower on
        # a 2-core machine (0.2 s -> 3.4 s per fit), so fitting runs single-threaded.
        with threadpool_limits(limits=1, user_api="blas"):
            lr = self._new_lr().fit(F, labels, sample_weight=weights)
        return vectorizers, lr

    def _fit_temperature(self, texts, labels, weights, groups, classes,
                         base: np.ndarray | None = None,
                         vocab_rows: np.ndarray | None = None) -> tuple[float, list[dict] | None]:
        """The temperature that minimises the out-of-fold log loss, and the out-of-fold
        calibration table of the ``base`` rows (the texts as written, not their copies)."""
        counts = pd.Series(groups).groupby(labels).nunique()
        n_splits = int(min(self.calibration_cv, counts.min()))
        if n_splits < 2:
            return 1.0, None
        cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=self.random_state)
        logits = np.zeros((len(texts), len(classes)))
        index = {c: i for i, c in enumerate(classes)}
        texts_arr = np.asarray(texts, dtype=object)
        for train, test in cv.split(texts_arr, labels, groups):
            vec, lr = self._fit_core(texts_arr[train].tolist(), labels[train], weights[train],
                                     None if vocab_rows is None else vocab_rows[train])
            z = lr.decision_function(self._transform(vec, texts_arr[test].tolist()))
            cols = [index[c] for c in lr.classes_]
            full = np.full((len(test), len(classes)), -30.0)
            full[:, cols] = z
            logits[test] = full
        y_idx = np.array([index[c] for c in labels])
        w = weights / weights.sum()

        def nll(log_t):
            lp = log_softmax(logits / math.exp(log_t), axis=1)
            return -(w * lp[np.arange(len(y_idx)), y_idx]).sum()

        res = minimize_scalar(nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded")
        temperature = float(math.exp(res.x))
        keep = np.ones(len(texts), dtype=bool) if base is None else base
        proba = softmax(logits[keep] / temperature, axis=1)
        return temperature, unsure_table(proba.max(axis=1), proba.argmax(axis=1) == y_idx[keep])

    def fit(self, X: Any = None, y: Any = None, *, extra_X: Any = None, extra_y: Any = None,
            extra_weight: float | Sequence[float] = 1.0) -> TopicClassifier:
        """Fit on the taxonomy's texts, plus labelled applications if given.

        Parameters
        ----------
        X : texts or DataFrame, optional
            Labelled applications (see :func:`application_texts`). Leave out (or pass an empty
            list) to train on the taxonomy alone.
        y : labels, optional
            One topic id (or topic name, any case) per text; required when ``X`` has texts.
        extra_X : texts or DataFrame, optional
            Further labelled texts that train the classifier's weights but **not its
            vocabulary**: the vectorizers (words, character n-grams, idf) and the compound
            vocabulary are fitted on the taxonomy and ``X`` alone, so the fitted model holds no
            string that occurs only in ``extra_X``. Meant for texts that may not be copied into a
            model file, such as the real texts of ``kompred.modeling.topic.real``. The model
            keeps only their SHA-1 hashes (``extra_sha1_``), so an evaluation can tell which
            texts it was trained on.
        extra_y : labels, optional
            One topic per ``extra_X`` text; required with ``extra_X``.
        extra_weight : float or sequence of float, default 1.0
            Sample weight of each ``extra_X`` text, against 1 for a text of ``X`` (before the
            classes are balanced); one number for all or one per text.

        Returns
        -------
        self

        Raises
        ------
        ValidationError
            A label is not a topic of the taxonomy (the message names it), a label is missing,
            ``X`` and ``y`` (or ``extra_X``, ``extra_y`` and ``extra_weight``) differ in length,
            or a weight is negative.

        Examples
        --------
        >>> clf = TopicClassifier(calibration_cv=0).fit(
        ...     extra_X=["Kursen i zyxwvoteknik för förskolans personal"], extra_y=["blandat"])
        >>> any("zyxw" in term for term in clf.vectorizers_[0].vocabulary_)
        False
        >>> clf.training_summary_["n_extra"]
        1
        """
        start = time.perf_counter()
        self._check_params()
        taxonomy = load_taxonomy(self.taxonomy)
        if X is None:
            if y is not None and len(y) > 0:
                raise ValidationError("got labels y but no texts X")
            texts, labels = [], []
        else:
            texts = application_texts(X)
            if texts and y is None:
                raise ValidationError(f"got {len(texts)} texts but no labels y; pass y, or call "
                                      "fit() without X to train on the taxonomy alone")
            labels = _check_labels([] if y is None else y, len(texts), taxonomy)
        extra = self._check_extra(extra_X, extra_y, extra_weight, taxonomy)
        classes = np.asarray(taxonomy.topic_ids, dtype=object)
        compounds = None
        if self.split_compounds:
            vocab = build_vocabulary(normalize_text(t, max_chars=int(self.max_chars)) for t in
                                     (*(s for tp in taxonomy.topics for s in tp.training_texts()), *texts))
            compounds = (vocab, build_prefixes(vocab))
        prepared, labs, weights, groups, sources, skipped = self._training_material(
            taxonomy, texts, labels, compounds, extra)
        src_arr = np.asarray(sources, dtype=object)
        # the extra texts (and their folded / boilerplate copies) add nothing to the vocabulary
        vocab_rows = None if extra is None else ~np.char.startswith(src_arr.astype(str), "extra")
        absent = [c for c in classes if c not in set(labs)]
        if absent:
            raise ValidationError(f"topic(s) {absent} of taxonomy {taxonomy.id!r} have no training text")
        weights = self._balanced(labs, weights, classes)
        base = np.isin(src_arr, ("taxonomy_example", "labelled", "extra"))
        temperature, unsure = (self._fit_temperature(prepared, labs, weights, groups, classes, base,
                                                     vocab_rows)
                               if self.calibration_cv and self.calibration_cv >= 2 else (1.0, None))
        vectorizers, lr = self._fit_core(prepared, labs, weights, vocab_rows)
        self.taxonomy_ = taxonomy
        self.compound_vocabulary_ = None if compounds is None else compounds[0]
        self._compounds = compounds
        self.vectorizers_ = vectorizers
        self.model_ = lr
        self.classes_ = classes
        self._order = np.array([list(lr.classes_).index(c) for c in classes])
        self.temperature_ = temperature
        self.extra_sha1_ = tuple(text_sha1(t) for t in extra[0]) if extra is not None else ()
        src = pd.Series(sources, dtype=object)
        self.training_summary_ = {
            "taxonomy_id": taxonomy.id,
            "taxonomy_version": taxonomy.version,
            "n_taxonomy_examples": int((src == "taxonomy_example").sum()),
            "n_taxonomy_descriptions": int((src == "taxonomy_description").sum()),
            "n_labelled": int((src == "labelled").sum()),
            "n_extra": int((src == "extra").sum()),
            "n_labelled_empty_skipped": int(skipped),
            "n_training_rows": len(prepared),
            "n_features": int(sum(len(v.vocabulary_) for v in vectorizers if v is not None)),
            "temperature": round(temperature, 4),
            # out-of-fold, on the taxonomy examples and labelled texts: how the osäker threshold
            # trades coverage for accuracy (see unsure_table)
            "unsure_cv": unsure,
            "fit_seconds": round(time.perf_counter() - start, 2),
        }
        return self

    @staticmethod
    def _check_extra(extra_X, extra_y, extra_weight, taxonomy):
        """(texts, topic ids, weights) of ``fit``'s extra texts, or None without them."""
        if extra_X is None:
            if extra_y is not None and len(extra_y) > 0:
                raise ValidationError("got labels extra_y but no texts extra_X")
            return None
        texts = application_texts(extra_X, what="extra_X")
        if texts and extra_y is None:
            raise ValidationError(f"got {len(texts)} texts in extra_X but no labels extra_y")
        labels = _check_labels([] if extra_y is None else extra_y, len(texts), taxonomy)
        w = np.asarray(extra_weight, dtype=float)
        w = np.full(len(texts), float(w)) if w.ndim == 0 else w
        if w.shape != (len(texts),):
            raise ValidationError(f"expected extra_weight to be one number or one per extra_X "
                                  f"text ({len(texts)}); got shape {w.shape}")
        if not np.isfinite(w).all() or (w < 0).any():
            raise ValidationError("expected every extra_weight to be a finite number >= 0")
        return texts, labels, w

    # -- prediction ---------------------------------------------------------------------------

    def _check_fitted(self) -> None:
        try:
            check_is_fitted(self, "model_")
        except _SklearnNotFittedError as exc:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit() first "
                                 "(fit() with no arguments trains on the taxonomy alone)") from exc

    def _texts_and_proba(self, X: Any) -> tuple[list[str], np.ndarray, np.ndarray]:
        self._check_fitted()
        raw = application_texts(X)
        # models saved before compound splitting existed have no _compounds
        compounds = getattr(self, "_compounds", None)
        prepared = [_prepare_text(t, max_chars=int(self.max_chars), expand=self.expand_abbreviations,
                                  compounds=compounds, occupations=bool(self.mark_occupations))
                    for t in raw]
        empty = np.array([not _HAS_LETTER.search(p) for p in prepared], dtype=bool)
        proba = np.full((len(raw), len(self.classes_)), 1.0 / len(self.classes_))
        if (~empty).any():
            keep = [p for p, e in zip(prepared, empty, strict=True) if not e]
            z = self._decision(keep)
            proba[~empty] = softmax(z[:, self._order] / self.temperature_, axis=1)
        return raw, proba, empty

    def predict_proba(self, X: Any) -> np.ndarray:
        """Calibrated probability of each topic (columns in ``classes_`` order; rows sum to 1).

        An empty or missing text (or one without letters) gets equal probabilities.
        """
        return self._texts_and_proba(X)[1]

    def decision_function(self, X: Any) -> np.ndarray:
        """Log-probabilities (``log(predict_proba(X))``), columns in ``classes_`` order."""
        return np.log(np.clip(self.predict_proba(X), 1e-300, None))

    def predict(self, X: Any) -> np.ndarray:
        """The topic of each text, or ``"osäker"`` (see :meth:`predict_details` for why)."""
        return self.predict_details(X)["topic"].to_numpy(dtype=object)

    def predict_details(self, X: Any) -> pd.DataFrame:
        """Topic, confidence, the two most likely topics and the reason for ``"osäker"``.

        Returns
        -------
        pandas.DataFrame
            One row per input row (same index as a Series/DataFrame input), columns ``topic``
            (a topic id or ``"osäker"``), ``topic_confidence`` (probability of the first topic),
            ``topic_first``, ``topic_second``, ``topic_second_confidence``, ``topic_reason``
            (why ``"osäker"``: ``"tom text"`` for an empty or missing text or one without letters, ``"låg säkerhet: bemötande (0.41) eller äldre
            (0.38)"``, ``"texten verkar inte vara svenska (en)"``; missing otherwise) and
            ``is_swedish`` (True, False, or missing when the text is too short to tell).
        """
        raw, proba, empty = self._texts_and_proba(X)
        n = len(raw)
        order = np.argsort(-proba, axis=1, kind="stable")
        first = self.classes_[order[:, 0]] if n else np.array([], dtype=object)
        second = self.classes_[order[:, 1]] if n else np.array([], dtype=object)
        p1 = proba[np.arange(n), order[:, 0]] if n else np.array([])
        p2 = proba[np.arange(n), order[:, 1]] if n else np.array([])
        topics, reasons, swedish = [], [], []
        live = [raw[i] for i in range(n) if not empty[i]] if self.check_language else []
        sv_live = iter(is_swedish_many(live))
        for i in range(n):
            if empty[i]:
                topics.append(OSAKER)
                reasons.append("tom text")
                swedish.append(pd.NA)
                continue
            sv = next(sv_live) if self.check_language else None
            swedish.append(pd.NA if sv is None else bool(sv))
            if sv is False:
                topics.append(OSAKER)
                reasons.append(f"texten verkar inte vara svenska ({detect_language(raw[i])[0]})")
            elif p1[i] < self.threshold:
                topics.append(OSAKER)
                reasons.append(f"låg säkerhet: {first[i]} ({p1[i]:.2f}) eller {second[i]} ({p2[i]:.2f})")
            else:
                topics.append(str(first[i]))
                reasons.append(pd.NA)
        index = X.index if isinstance(X, pd.Series | pd.DataFrame) else pd.RangeIndex(n)
        out = pd.DataFrame({
            "topic": pd.array(topics, dtype="str"),
            "topic_confidence": np.where(empty, np.nan, p1) if n else p1,
            "topic_first": pd.array([None if e else str(f) for f, e in zip(first, empty, strict=True)],
                                    dtype="str"),
            "topic_second": pd.array([None if e else str(s) for s, e in zip(second, empty, strict=True)],
                                     dtype="str"),
            "topic_second_confidence": np.where(empty, np.nan, p2) if n else p2,
            "topic_reason": pd.array(reasons, dtype="str"),
            "is_swedish": pd.array(swedish, dtype="boolean"),
        }, index=index)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        return tags


# ------------------------------------------------------------------------------------------------
# Keyword baseline
# ------------------------------------------------------------------------------------------------


class KeywordTopicRules(ClassifierMixin, BaseEstimator):
    """Keyword-rule baseline: the topic whose taxonomy ``keywords`` occur most often in the text.

    A keyword matches when it occurs as a substring of the normalized text (padded with spaces,
    so ``" mi "`` matches the word "mi"). Ties go to the topic listed first in the taxonomy; a
    text with no match gets the taxonomy's ``fallback`` topic (or ``"osäker"`` without one).
    ``fit`` reads the keywords; labels are accepted and ignored (rules do not learn).

    >>> rules = KeywordTopicRules().fit()
    >>> rules.predict(["Utbildning i lågaffektivt bemötande", "Inspirationsdag"]).tolist()
    ['bemötande', 'blandat']
    """

    def __init__(self, *, taxonomy: str | os.PathLike | Taxonomy = "default"):
        self.taxonomy = taxonomy

    def fit(self, X: Any = None, y: Any = None) -> KeywordTopicRules:
        """Read the taxonomy's keywords (``X`` and ``y`` are checked and otherwise ignored)."""
        taxonomy = load_taxonomy(self.taxonomy)
        if X is not None and y is not None:
            _check_labels(y, len(application_texts(X)), taxonomy)
        self.taxonomy_ = taxonomy
        self.classes_ = np.asarray(taxonomy.topic_ids, dtype=object)
        self.keywords_ = {t.id: tuple(k for k in t.keywords if k.strip()) for t in taxonomy.topics}
        self.fallback_ = taxonomy.fallback or OSAKER
        return self

    def match_counts(self, X: Any) -> np.ndarray:
        """Number of keyword matches per topic (columns in ``classes_`` order)."""
        try:
            check_is_fitted(self, "keywords_")
        except _SklearnNotFittedError as exc:
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit()") from exc
        texts = [" " + normalize_text(t) + " " for t in application_texts(X)]
        counts = np.zeros((len(texts), len(self.classes_)), dtype=int)
        for j, c in enumerate(self.classes_):
            for kw in self.keywords_[c]:
                counts[:, j] += [kw in t for t in texts]
        return counts

    def predict(self, X: Any) -> np.ndarray:
        """The topic with most keyword matches; the fallback topic when none matches."""
        counts = self.match_counts(X)
        best = self.classes_[np.argmax(counts, axis=1)] if len(counts) else np.array([], dtype=object)
        return np.where(counts.max(axis=1, initial=0) > 0, best, self.fallback_).astype(object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.string = True
        tags.input_tags.one_d_array = True
        tags.input_tags.two_d_array = False
        return tags


# ------------------------------------------------------------------------------------------------
# The default model
# ------------------------------------------------------------------------------------------------


def in_training_material(texts: Any, taxonomy: Taxonomy, labelled_texts: Any = ()) -> np.ndarray:
    """Which texts (normalized) are also a taxonomy's example or seed example, or a labelled text.

    Evaluations leave such texts out of a held-out set: scoring them measures memory.

    Examples
    --------
    >>> tax = load_taxonomy("default")
    >>> in_training_material(["Äldre och sexualitet", "En helt ny kurs i vävning"], tax).tolist()
    [True, False]
    """
    seen = {normalize_text(t) for topic in taxonomy.topics
            for t in (*topic.examples, *topic.seed_examples)}
    seen |= {normalize_text(str(t)) for t in labelled_texts}
    return np.array([normalize_text(str(t)) in seen for t in texts], dtype=bool)


def _default_heldout_path() -> Path | None:
    from ..._resources import bundled_path

    path = bundled_path("evaluation", "data", "topics_heldout.csv")
    return path if path.exists() else None


def train_default_topic_model(out_dir: str | os.PathLike | None = None, *,
                              heldout: str | os.PathLike | None | bool = True) -> Path:
    """Train the default topic model and save it with :func:`~kompred.modeling.persist.save_model`.

    The model is a :class:`TopicClassifier` on the ``default`` taxonomy (its descriptions, seed
    examples and examples) plus the bundled dataset's hand-labelled rows (title + description,
    :func:`kompred.load_stockholm`).

    Parameters
    ----------
    out_dir : path, optional
        Model folder; default ``models/topic`` (:func:`~kompred.modeling.persist.bundled_model_path`).
    heldout : path, bool, default True
        A held-out file (columns ``text``, ``topic``) to *measure* the saved model on; the
        macro-F1 is written to the metadata (the file never influences training). True uses
        ``evaluation/data/topics_heldout.csv`` when it exists; False or None skips it.

    Returns
    -------
    pathlib.Path
        The model folder.
    """
    from ...datasets import load_stockholm
    from ..persist import bundled_model_path, save_model

    folder = Path(out_dir) if out_dir is not None else bundled_model_path("topic")
    start = time.perf_counter()
    apps = load_stockholm()
    apps = apps[apps["topic"].notna()]
    texts = application_texts(apps[["title", "description"]])
    clf = TopicClassifier(taxonomy="default").fit(texts, apps["topic"])
    seconds = time.perf_counter() - start
    taxonomy = clf.taxonomy_
    training = pd.DataFrame({
        "text": [*(s for t in taxonomy.topics for s in t.training_texts()), *texts],
        "topic": [*(t.id for t in taxonomy.topics for _ in t.training_texts()),
                  *apps["topic"].astype(str)],
    })
    extra = {
        "model": "topic",
        "taxonomy_id": taxonomy.id,
        "taxonomy_version": taxonomy.version,
        "topics": list(clf.classes_),
        "training_sources": {"taxonomy_texts": int(sum(len(t.training_texts()) for t in taxonomy.topics)),
                             "bundled_dataset_rows": len(texts)},
        "params": {k: (list(v) if isinstance(v, tuple) else v)
                   for k, v in clf.get_params().items() if k != "taxonomy"},
        "temperature": clf.temperature_,
        "training_seconds": round(seconds, 2),
    }
    path = _default_heldout_path() if heldout is True else (Path(heldout) if heldout else None)
    if path is not None:
        frame = pd.read_csv(path, keep_default_na=False)
        from sklearn.metrics import f1_score

        seen = in_training_material(frame["text"], taxonomy, texts)
        frame = frame.loc[~seen]
        details = clf.predict_details(frame["text"])
        extra["heldout"] = {
            "file": path.name,
            "rows": len(frame),
            "rows_in_training_material_not_scored": int(seen.sum()),
            "macro_f1": round(float(f1_score(frame["topic"], details["topic_first"].fillna(OSAKER),
                                              average="macro", labels=list(clf.classes_))), 4),
            "share_osaker": round(float((details["topic"] == OSAKER).mean()), 4),
        }
    save_model(clf, folder, training_data=training, extra=extra)
    return folder


def load_default_topic_model() -> TopicClassifier:
    """Load the bundled default topic model (``models/topic``; trusted, it ships with kompred).

    Raises
    ------
    ModelError
        The bundled model is missing (run ``kompred train``) or is not a TopicClassifier.
    """
    from ..persist import bundled_model_path, has_model, load_model

    folder = bundled_model_path("topic")
    if not has_model(folder):
        raise ModelError(f"{folder}: the default topic model is missing; create it with "
                         "'kompred train' (or kompred.modeling.topic.train_default_topic_model())")
    return load_model(folder, expected=TopicClassifier)


def _extend_taxonomy_examples(taxonomy: Taxonomy, examples: dict[str, Sequence[str]]) -> Taxonomy:
    """A copy of ``taxonomy`` whose topics' ``examples`` are replaced (used by evaluation)."""
    topics = tuple(replace(t, examples=tuple(examples.get(t.id, ()))) for t in taxonomy.topics)
    return replace(taxonomy, topics=topics)

