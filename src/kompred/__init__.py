"""kompred: topics, grant probabilities and decision consistency for applications to
Omställningsfonden (förebyggande insatser).

One flat public namespace over private modules. Heavy modules (spaCy, models) are imported on
first use, so ``import kompred`` is quick and does no I/O.

>>> import kompred
>>> apps = kompred.load_stockholm()
>>> apps.shape[0]
73
"""

from __future__ import annotations

import importlib

from ._version import __version__
from .exceptions import (
    ApplicationTableError,
    DataQualityWarning,
    InputFileError,
    KompredError,
    KompredWarning,
    ModelError,
    NotEnoughDataError,
    NotFittedError,
    SchemaError,
    SmallDataWarning,
    TaxonomyError,
    UnsupportedFormatError,
    UntrustedModelError,
    ValidationError,
    WrongTypeError,
)

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
    *sorted(_LAZY),
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    if name in _SUBMODULES:
        return importlib.import_module(f"kompred.{name}")
    raise AttributeError(f"module 'kompred' has no attribute {name!r}")


def __dir__():
    return sorted(set(globals()) | set(__all__) | _SUBMODULES)

