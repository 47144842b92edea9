"""kompred: topics, grant probabilities and decision consistency for applications to
Omställningsfonden (förebyggande insatser).

One flat public namespace over private modules. Every name except the version and the errors
is imported on first use (PEP 562 ``__getattr__``; a ``TYPE_CHECKING`` block shows type checkers
and IDEs the same names), and ``NotFittedError`` is made on first use too (it subclasses
scikit-learn's), so ``import kompred`` loads no scikit-learn, pandas or spaCy and does no I/O
(``tests/test_imports.py``; times in ``python -m benchmarks --only startup``).

>>> import kompred
>>> apps = kompred.load_stockholm()
>>> apps.shape[0]
73
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from ._version import __version__
from .exceptions import (  # light: the exceptions module imports no third-party package
    ApplicationTableError,
    DataQualityWarning,
    InputFileError,
    KompredError,
    KompredWarning,
    ModelError,
    NotEnoughDataError,
    SchemaError,
    SmallDataWarning,
    TaxonomyError,
    UnsupportedFormatError,
    UntrustedModelError,
    ValidationError,
    WrongTypeError,
)

if TYPE_CHECKING:  # what type checkers and IDEs see; at run time __getattr__ imports on first use
    from . import (  # noqa: F401 -- the submodules, for completion
        analysis,
        check,
        cli,
        consistency,
        corpus,
        datasets,
        featurize,
        io,
        modeling,
        render,
        report,
        schema,
        taxonomy,
        text,
    )
    from .analysis import Analysis, analyse
    from .check import check_application
    from .consistency import (
        HandlerEffectResult,
        InconsistencyResult,
        PeriodEffectResult,
        agreement_by_similarity,
        cross_fitted_content_scores,
        design_power,
        find_divergent_groups,
        find_divergent_pairs,
        handler_effect,
        inconsistency_index,
        nearest_neighbors,
        period_effect,
    )
    from .corpus import Corpus, prepare
    from .datasets import load_stockholm, simulate
    from .exceptions import NotFittedError
    from .io import read_applications, read_table, validate_applications, write_table
    from .modeling.grant import GrantModel
    from .modeling.persist import load_model, save_model
    from .modeling.topic import TopicClassifier
    from .report import seed_tables
    from .scoring_dask import score_dask
    from .taxonomy import Taxonomy, Topic, load_taxonomy

# public name -> module that defines it (imported lazily)
_LAZY = {
    "read_applications": "kompred.io",
    "read_table": "kompred.io",
    "write_table": "kompred.io",
    "validate_applications": "kompred.io",
    "load_stockholm": "kompred.datasets",
    "simulate": "kompred.datasets",
    "load_taxonomy": "kompred.taxonomy",
    "Taxonomy": "kompred.taxonomy",
    "Topic": "kompred.taxonomy",
    "TopicClassifier": "kompred.modeling.topic",
    "GrantModel": "kompred.modeling.grant",
    "save_model": "kompred.modeling.persist",
    "load_model": "kompred.modeling.persist",
    "prepare": "kompred.corpus",
    "Corpus": "kompred.corpus",
    "find_divergent_pairs": "kompred.consistency",
    "find_divergent_groups": "kompred.consistency",
    "handler_effect": "kompred.consistency",
    "period_effect": "kompred.consistency",
    "inconsistency_index": "kompred.consistency",
    "cross_fitted_content_scores": "kompred.consistency",
    "design_power": "kompred.consistency",
    "nearest_neighbors": "kompred.consistency",
    "agreement_by_similarity": "kompred.consistency",
    "HandlerEffectResult": "kompred.consistency",
    "PeriodEffectResult": "kompred.consistency",
    "InconsistencyResult": "kompred.consistency",
    "analyse": "kompred.analysis",
    "Analysis": "kompred.analysis",
    "check_application": "kompred.check",
    "score_dask": "kompred.scoring_dask",
    "seed_tables": "kompred.report",
}
_SUBMODULES = {"datasets", "schema", "io", "featurize", "text", "taxonomy", "modeling", "corpus",
               "analysis", "render",
               "consistency", "check", "report", "exceptions", "cli"}

# written out (not built from _LAZY) so that tools read it; tests/test_imports.py checks the two agree
__all__ = [
    "ApplicationTableError",
    "DataQualityWarning",
    "InputFileError",
    "KompredError",
    "KompredWarning",
    "ModelError",
    "NotEnoughDataError",
    "NotFittedError",
    "SchemaError",
    "SmallDataWarning",
    "TaxonomyError",
    "UnsupportedFormatError",
    "UntrustedModelError",
    "ValidationError",
    "WrongTypeError",
    "__version__",
    "Analysis",
    "Corpus",
    "GrantModel",
    "HandlerEffectResult",
    "InconsistencyResult",
    "PeriodEffectResult",
    "Taxonomy",
    "Topic",
    "TopicClassifier",
    "agreement_by_similarity",
    "analyse",
    "check_application",
    "cross_fitted_content_scores",
    "design_power",
    "find_divergent_groups",
    "find_divergent_pairs",
    "handler_effect",
    "inconsistency_index",
    "load_model",
    "load_stockholm",
    "load_taxonomy",
    "nearest_neighbors",
    "period_effect",
    "prepare",
    "read_applications",
    "read_table",
    "save_model",
    "score_dask",
    "seed_tables",
    "simulate",
    "validate_applications",
    "write_table",
]


def __getattr__(name: str):
    if name in _LAZY or name == "NotFittedError":
        # NotFittedError subclasses scikit-learn's, so kompred.exceptions makes it on first use
        value = getattr(importlib.import_module(_LAZY.get(name, "kompred.exceptions")), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"kompred.{name}")
    raise AttributeError(f"module 'kompred' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)

