"""The topic classifier on real text: a fixed dev/sealed split and a real-vs-synthetic table.

The real texts are ``real_insatser_dev.csv`` in the developers' shared corpora
(``../shared/corpora/``, or ``$KOMPRED_SHARED/corpora/``): verbatim excerpts of public Swedish
pages about staff training in municipalities and regions, each with a main topic (``topic``) and
the acceptable labels (``topics_ok``, ``|``-separated). The texts belong to others, so kompred
never copies them: it ships only ``evaluation/data/real_insatser_split.csv``, which assigns each
text id to ``dev`` (used to develop the classifier) or ``sealed`` (scored once, at the end) by
source page, with the SHA-1 of each text so that a changed corpus is noticed.

:func:`compare_real_synthetic` scores one fitted :class:`~kompred.modeling.topic.TopicClassifier`
on the synthetic held-out file and on the real texts, and :func:`format_real_table` prints the
table. Accuracy comes with a Wilson 95 % interval and macro-F1 with a percentile bootstrap one;
with 30 to 50 texts per set the intervals are about ±0.1 wide, so differences smaller than that
are not evidence of anything.

>>> wilson_interval(45, 50)
(0.7864, 0.9565)
>>> url_group("https://www.Example.se/nyheter/a/?section=x#top")
'example.se/nyheter/a'
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import numpy as np
import pandas as pd

from ..._intervals import wilson_interval as _wilson
from ..._resources import bundled_path
from ...exceptions import InputFileError, ValidationError
from ...taxonomy import Taxonomy, load_taxonomy
from .classifier import OSAKER, in_training_material, text_sha1

__all__ = ["REAL_COLUMNS", "RealTextScores", "compare_real_synthetic", "cross_validate_real",
           "default_real_path", "default_split_path", "format_real_table", "load_real_topics",
           "real_folds", "score_cross_validated", "score_details", "score_heldout", "score_texts",
           "text_sha1", "trained_on", "url_group", "wilson_interval"]

#: Columns the real corpus must have (others are kept but not used).
REAL_COLUMNS = ("id", "text", "topic", "topics_ok", "url")

_SPLITS = ("dev", "sealed")


def default_real_path() -> Path:
    """Where the real corpus is looked for: ``$KOMPRED_SHARED/corpora/real_insatser_dev.csv``,
    by default ``../shared/`` next to the source checkout."""
    shared = os.environ.get("KOMPRED_SHARED")
    base = Path(shared) if shared else bundled_path("..", "shared").resolve()
    return base / "corpora" / "real_insatser_dev.csv"


def default_split_path() -> Path:
    """The committed split file, ``evaluation/data/real_insatser_split.csv``."""
    return bundled_path("evaluation", "data", "real_insatser_split.csv")


def url_group(url: str) -> str:
    """The source page of a URL: host without ``www.`` plus path, without query or trailing ``/``.

    Two excerpts of one page share a group, so a split by group never puts near-duplicates on
    both sides.
    """
    parts = urlsplit(str(url).strip())
    host = parts.netloc.lower().removeprefix("www.")
    return host + parts.path.rstrip("/")


def wilson_interval(k: int, n: int) -> tuple[float, float]:
    """95 % Wilson interval for ``k`` successes in ``n`` trials, rounded to 4 decimals.

    ``n == 0`` gives ``(nan, nan)``.
    """
    return tuple(round(v, 4) for v in _wilson(k, n))  # type: ignore[return-value]


# ------------------------------------------------------------------------------------------------
# Loading
# ------------------------------------------------------------------------------------------------


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    if not path.exists():
        raise InputFileError(f"{what} {path} does not exist" + (
            "; the real corpus is in the developers' shared folder (set KOMPRED_SHARED to the "
            "folder that holds corpora/)" if what == "real corpus" else ""))
    return pd.read_csv(path, keep_default_na=False, dtype=str)


def load_real_topics(path: str | os.PathLike | None = None, *,
                     split_file: str | os.PathLike | None = None,
                     taxonomy: str | os.PathLike | Taxonomy = "default") -> pd.DataFrame:
    """The real labelled texts with their split, checked against the committed split file.

    Parameters
    ----------
    path : path, optional
        The corpus CSV (default :func:`default_real_path`).
    split_file : path, optional
        The split CSV (default :func:`default_split_path`).
    taxonomy : str, path or Taxonomy, default "default"
        Every ``topic`` and ``topics_ok`` label must be one of its topic ids.

    Returns
    -------
    pandas.DataFrame
        One row per corpus row, in file order: ``id``, ``text``, ``topic``, ``topics_ok`` (a tuple
        of acceptable labels, the main one first), ``url_group``, ``split``.

    Raises
    ------
    InputFileError
        A file is missing.
    ValidationError
        A column is missing, a cell is empty or has an unknown label, or the corpus and the split
        file disagree (an id in one only, or a text changed since the split was drawn); the
        message names the file, the row (1 = the first data row) and the column.
    """
    path = Path(path) if path is not None else default_real_path()
    split_path = Path(split_file) if split_file is not None else default_split_path()
    frame = _read_csv(path, "real corpus")
    split = _read_csv(split_path, "split file")
    for name, table, cols in ((path, frame, REAL_COLUMNS),
                              (split_path, split, ("id", "split", "text_sha1"))):
        missing = [c for c in cols if c not in table.columns]
        if missing:
            raise ValidationError(f"{name}: missing column(s) {missing}; got {list(table.columns)}")
    topics = set(load_taxonomy(taxonomy).topic_ids)
    oks = []
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        for col in ("id", "text", "topic"):
            if not str(getattr(row, col)).strip():
                raise ValidationError(f"{path}, row {i}, column {col!r}: empty")
        if row.topic not in topics:
            raise ValidationError(f"{path}, row {i} ({row.id}), column 'topic': {row.topic!r} is not "
                                  f"a topic of the taxonomy ({sorted(topics)})")
        ok = tuple(dict.fromkeys([row.topic, *(t.strip() for t in row.topics_ok.split("|")
                                                 if t.strip())]))
        bad = [t for t in ok if t not in topics]
        if bad:
            raise ValidationError(f"{path}, row {i} ({row.id}), column 'topics_ok': {bad} not topics "
                                  f"of the taxonomy ({sorted(topics)})")
        oks.append(ok)
    dup = frame["id"][frame["id"].duplicated()]
    if len(dup):
        raise ValidationError(f"{path}: id {dup.iloc[0]!r} appears more than once")
    by_id = split.set_index("id")
    for i, row in enumerate(frame.itertuples(index=False), start=1):
        if row.id not in by_id.index:
            raise ValidationError(f"{path}, row {i}, column 'id': {row.id!r} is not in {split_path}; "
                                  "the corpus has grown: redraw the split with "
                                  "evaluation/make_real_split.py")
        if by_id.at[row.id, "text_sha1"] != text_sha1(row.text):
            raise ValidationError(f"{path}, row {i} ({row.id}), column 'text': the text differs from "
                                  f"the one the split in {split_path} was drawn on")
    extra = sorted(set(by_id.index) - set(frame["id"]))
    if extra:
        raise ValidationError(f"{split_path}: id(s) {extra[:5]} are not in {path}")
    bad_split = sorted(set(split["split"]) - set(_SPLITS))
    if bad_split:
        raise ValidationError(f"{split_path}, column 'split': unknown value(s) {bad_split}; "
                              f"expected {list(_SPLITS)}")
    return pd.DataFrame({
        "id": frame["id"], "text": frame["text"], "topic": frame["topic"], "topics_ok": oks,
        "url_group": frame["url"].map(url_group),
        "split": frame["id"].map(by_id["split"]),
    })


# ------------------------------------------------------------------------------------------------
# Scoring
# ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RealTextScores:
    """Scores of one model on one set of texts (see :func:`score_texts`)."""

    name: str
    real: bool
    n: int
    accuracy: float
    accuracy_ci: tuple[float, float]
    lenient_accuracy: float
    lenient_accuracy_ci: tuple[float, float]
    macro_f1: float
    macro_f1_ci: tuple[float, float]
    n_osaker: int
    accuracy_when_sure: float
    details: pd.DataFrame
    #: texts of the set left out because the model was trained on them (``extra_sha1_``)
    n_in_training: int = 0

    @property
    def share_osaker(self) -> float:
        return self.n_osaker / self.n if self.n else math.nan

    def to_json_dict(self) -> dict:
        r = _round
        return {"set": self.name, "real": self.real, "n": self.n,
                "n_in_training_not_scored": self.n_in_training,
                "accuracy": r(self.accuracy), "accuracy_ci95_wilson": list(self.accuracy_ci),
                "accuracy_any_acceptable_label": r(self.lenient_accuracy),
                "accuracy_any_acceptable_label_ci95_wilson": list(self.lenient_accuracy_ci),
                "macro_f1": r(self.macro_f1),
                "macro_f1_ci95_bootstrap": [r(v) for v in self.macro_f1_ci],
                "n_osaker": self.n_osaker, "share_osaker": r(self.share_osaker),
                "accuracy_when_not_osaker": r(self.accuracy_when_sure)}


def _round(x: float) -> float | None:
    return None if x is None or not np.isfinite(x) else round(float(x), 4)


def score_texts(model: Any, texts: Sequence[str], topics: Sequence[str],
                topics_ok: Sequence[Sequence[str]] | None = None, *, name: str = "texts",
                real: bool = True, n_bootstrap: int = 1000, random_state: int = 0) -> RealTextScores:
    """Score a fitted topic classifier on labelled texts.

    ``accuracy`` and ``macro_f1`` compare the first-ranked topic with the main label;
    ``lenient_accuracy`` counts a first-ranked topic that is any acceptable label (``topics_ok``)
    as right. ``n_osaker`` counts the texts the classifier answers ``"osäker"`` for at its
    threshold; they are scored on their first-ranked topic all the same.

    Examples
    --------
    >>> from kompred.modeling.topic import TopicClassifier
    >>> clf = TopicClassifier(calibration_cv=0).fit()
    >>> s = score_texts(clf, ["Yrkessvenska för barnskötare", "HLR för förskolans personal"],
    ...                 ["språk", "blandat"], n_bootstrap=0)
    >>> s.n, s.accuracy
    (2, 1.0)
    """
    texts = list(texts)
    if len(texts) != len(topics):
        raise ValidationError(f"expected one label per text; got {len(texts)} texts and "
                              f"{len(topics)} labels")
    return score_details(model.predict_details(texts), texts, topics, topics_ok,
                         tuple(model.classes_), name=name, real=real, n_bootstrap=n_bootstrap,
                         random_state=random_state)


def score_details(details: pd.DataFrame, texts: Sequence[str], topics: Sequence[str],
                  topics_ok: Sequence[Sequence[str]] | None, classes: Sequence[str], *,
                  name: str = "texts", real: bool = True, n_bootstrap: int = 1000,
                  random_state: int = 0, n_in_training: int = 0) -> RealTextScores:
    """Like :func:`score_texts`, from predictions already made (``predict_details`` rows, one
    per text, in order), e.g. the out-of-fold ones of :func:`cross_validate_real`."""
    from .evaluation import score_predictions

    texts, topics = list(texts), [str(t) for t in topics]
    oks = [tuple(o) for o in topics_ok] if topics_ok is not None else [(t,) for t in topics]
    details = details.reset_index(drop=True)
    first = details["topic_first"].fillna(OSAKER).astype(str).to_numpy()
    right = first == np.asarray(topics, dtype=object)
    lenient = np.array([f in o for f, o in zip(first, oks, strict=True)], dtype=bool)
    unsure = (details["topic"] == OSAKER).to_numpy()
    n = len(texts)
    nan2 = (math.nan, math.nan)
    # an empty set (every text trained on) has no figures, only its count
    s = score_predictions(topics, first, tuple(classes), n_bootstrap=n_bootstrap,
                          random_state=random_state) if n else None
    frame = pd.DataFrame({"text": texts, "topic": topics, "topics_ok": ["|".join(o) for o in oks],
                          "topic_first": first, "confidence": details["topic_confidence"].to_numpy(),
                          "osaker": unsure, "right": right, "acceptable": lenient})
    return RealTextScores(
        name=name, real=real, n=n, accuracy=float(right.mean()) if n else math.nan,
        accuracy_ci=wilson_interval(int(right.sum()), n),
        lenient_accuracy=float(lenient.mean()) if n else math.nan,
        lenient_accuracy_ci=wilson_interval(int(lenient.sum()), n),
        macro_f1=s.macro_f1 if s else math.nan, macro_f1_ci=s.macro_f1_ci if s else nan2,
        n_osaker=int(unsure.sum()),
        accuracy_when_sure=float(right[~unsure].mean()) if (~unsure).any() else math.nan,
        details=frame, n_in_training=n_in_training)


def compare_real_synthetic(model: Any, *, real: str | os.PathLike | pd.DataFrame | None = None,
                           heldout: str | os.PathLike | None | bool = True,
                           labelled_texts: Sequence[str] = (), include_sealed: bool = False,
                           n_bootstrap: int = 1000, random_state: int = 0) -> list[RealTextScores]:
    """Score ``model`` on the synthetic held-out texts and on the real dev (and sealed) texts.

    Parameters
    ----------
    model : fitted TopicClassifier
    real : path or DataFrame, optional
        The real corpus (default :func:`default_real_path`), or a frame from
        :func:`load_real_topics`.
    heldout : path or bool, default True
        The synthetic held-out CSV (``text``, ``topic``); True uses
        ``evaluation/data/topics_heldout.csv``; False or None leaves it out. Rows that are also
        training material (a taxonomy example or ``labelled_texts``) are not scored.
    labelled_texts : sequence of str
        The labelled texts the model was trained on besides the taxonomy.
    include_sealed : bool, default False
        Also score the sealed real texts. Keep it off while developing: every look at the sealed
        set makes it less of a test.

    Returns
    -------
    list of RealTextScores
        In the order synthetic held-out, real dev, (real sealed), (real, all). A real text the
        model was trained on (its hash is in the model's ``extra_sha1_``) is not scored; each
        set counts such texts in ``n_in_training``. Their test figure is the cross-validated one
        (:func:`cross_validate_real`).
    """
    out = []
    if heldout:
        out.append(score_heldout(model, heldout=heldout, labelled_texts=labelled_texts,
                                 n_bootstrap=n_bootstrap, random_state=random_state))
    data = real if isinstance(real, pd.DataFrame) else load_real_topics(real, taxonomy=model.taxonomy_)
    parts = [("dev", data["split"] == "dev")]
    if include_sealed:
        parts += [("sealed", data["split"] == "sealed"), ("all", pd.Series(True, index=data.index))]
    trained = trained_on(model, data["text"])
    for label, sel in parts:
        sub = data.loc[sel & ~trained]
        n_in = int((sel & trained).sum())
        scores = score_texts(model, sub["text"].tolist(), sub["topic"].tolist(),
                             sub["topics_ok"].tolist(), name=f"real {label}", real=True,
                             n_bootstrap=n_bootstrap, random_state=random_state)
        out.append(replace(scores, n_in_training=n_in))
    return out


def trained_on(model: Any, texts: Sequence[str] | pd.Series) -> pd.Series | np.ndarray:
    """Which texts ``model`` was trained on as extra texts (by SHA-1, ``extra_sha1_``).

    Examples
    --------
    >>> from kompred.modeling.topic import TopicClassifier
    >>> clf = TopicClassifier(calibration_cv=0).fit(extra_X=["Kurs i HLR"], extra_y=["blandat"])
    >>> trained_on(clf, ["Kurs i HLR", "Kurs i MI"]).tolist()
    [True, False]
    """
    seen = set(getattr(model, "extra_sha1_", ()) or ())
    mask = [text_sha1(t) in seen for t in texts]
    if isinstance(texts, pd.Series):
        return pd.Series(mask, index=texts.index, dtype=bool)
    return np.array(mask, dtype=bool)


def score_heldout(model: Any, *, heldout: str | os.PathLike | None | bool = True,
                  labelled_texts: Sequence[str] = (), n_bootstrap: int = 1000,
                  random_state: int = 0) -> RealTextScores:
    """``model`` on the synthetic held-out file, without the rows that are training material."""
    path = bundled_path("evaluation", "data", "topics_heldout.csv") if heldout is True \
        else Path(heldout)
    frame = _read_csv(path, "held-out file")
    frame = frame.loc[~in_training_material(frame["text"], model.taxonomy_, labelled_texts)]
    return score_texts(model, frame["text"].tolist(), frame["topic"].tolist(),
                       name=f"synthetic held-out ({path.name})", real=False,
                       n_bootstrap=n_bootstrap, random_state=random_state)


# ------------------------------------------------------------------------------------------------
# Cross-validation over the real texts
# ------------------------------------------------------------------------------------------------


def real_folds(data: pd.DataFrame, *, n_splits: int = 5,
               random_state: int = 14) -> np.ndarray:
    """Outer fold (0 .. n_splits-1) of each real text: StratifiedGroupKFold by main topic, with
    the source page (``url_group``) as group, so no page has texts in two folds.

    With ``random_state=14`` (the split file's seed) folds 0 and 1 are the sealed texts.
    """
    from sklearn.model_selection import StratifiedGroupKFold

    fold = np.full(len(data), -1, dtype=int)
    cv = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=random_state)
    for k, (_, test) in enumerate(cv.split(np.zeros(len(data)), data["topic"], data["url_group"])):
        fold[test] = k
    return fold


def cross_validate_real(data: pd.DataFrame, fit: Callable[[pd.DataFrame], Any], *,
                        n_splits: int = 5, random_state: int = 14) -> pd.DataFrame:
    """Out-of-fold predictions on the real texts: each is scored by a model that never saw it.

    Parameters
    ----------
    data : pandas.DataFrame
        Real texts as from :func:`load_real_topics` (``id``, ``text``, ``topic``, ``topics_ok``,
        ``url_group``, ``split``).
    fit : callable
        ``fit(train)`` gets the training fold's rows of ``data`` and returns a fitted topic
        classifier (one that trains on none of them, e.g. the synthetic-only recipe, is fine).
    n_splits, random_state
        The outer folds (:func:`real_folds`).

    Returns
    -------
    pandas.DataFrame
        ``data``'s rows in order with ``fold``, ``classes`` (the model's, ``|``-joined) and the
        ``predict_details`` columns prefixed ``pred_`` (``pred_topic``, ``pred_topic_first`` ...).

    Raises
    ------
    ValidationError
        A model returned by ``fit`` was trained on a text of its test fold (by ``extra_sha1_``).
    """
    fold = real_folds(data, n_splits=n_splits, random_state=random_state)
    parts = []
    for k in range(n_splits):
        test = fold == k
        model = fit(data.loc[~test].copy())
        leaked = trained_on(model, data.loc[test, "text"])
        if leaked.any():
            raise ValidationError(f"fold {k}: the model was trained on {int(leaked.sum())} of its "
                                  f"test texts (e.g. {data.loc[test, 'id'][leaked].iloc[0]})")
        details = model.predict_details(data.loc[test, "text"].tolist())
        details.index = data.index[test]
        parts.append(details.add_prefix("pred_").assign(fold=k, classes="|".join(model.classes_)))
    out = pd.concat(parts).loc[data.index]
    return pd.concat([data, out], axis=1)


def score_cross_validated(oof: pd.DataFrame, *, sets: Sequence[str] = ("all", "dev", "sealed"),
                          n_bootstrap: int = 1000, random_state: int = 0,
                          prefix: str = "real") -> list[RealTextScores]:
    """Scores of :func:`cross_validate_real`'s out-of-fold predictions on all the real texts and
    on the former dev and sealed texts (``sets``)."""
    classes = tuple(str(oof["classes"].iloc[0]).split("|"))
    out = []
    for label in sets:
        sub = oof if label == "all" else oof.loc[oof["split"] == label]
        details = sub.filter(like="pred_").rename(columns=lambda c: c.removeprefix("pred_"))
        out.append(score_details(details, sub["text"].tolist(), sub["topic"].tolist(),
                                 sub["topics_ok"].tolist(), classes, name=f"{prefix} {label}",
                                 n_bootstrap=n_bootstrap, random_state=random_state))
    return out


def format_real_table(rows: Sequence[RealTextScores]) -> str:
    """A Markdown table of :func:`compare_real_synthetic`'s results.

    Examples
    --------
    >>> from kompred.modeling.topic import TopicClassifier
    >>> clf = TopicClassifier(calibration_cv=0).fit()
    >>> s = score_texts(clf, ["Yrkessvenska för barnskötare"], ["språk"], n_bootstrap=0, name="x")
    >>> print(format_real_table([s]).splitlines()[2])
    | x | real | 1 | 1.000 [0.206, 1.000] | 1.000 [0.206, 1.000] | 1.000 [nan, nan] | 0 (0.00) |
    """
    def ci(v, lo_hi):
        return f"{v:.3f} [{lo_hi[0]:.3f}, {lo_hi[1]:.3f}]"

    lines = ["| set | kind | n | accuracy [Wilson 95 %] | accuracy, any acceptable label "
             "[Wilson 95 %] | macro-F1 [bootstrap 95 %] | osäker (share) |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        if r.n == 0 and r.n_in_training:
            lines.append(f"| {r.name} | {'real' if r.real else 'synthetic'} | 0 | not scored: "
                         f"all {r.n_in_training} texts are in the model's training material "
                         "(see the cross-validated figure) | | | |")
            continue
        lines.append(f"| {r.name} | {'real' if r.real else 'synthetic'} | {r.n} | "
                     f"{ci(r.accuracy, r.accuracy_ci)} | {ci(r.lenient_accuracy, r.lenient_accuracy_ci)} | "
                     f"{ci(r.macro_f1, r.macro_f1_ci)} | {r.n_osaker} ({r.share_osaker:.2f}) |")
    return "\n".join(lines)
