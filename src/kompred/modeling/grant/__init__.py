"""Probability that an application is granted, with intervals and reasons.

Three layers, each a scikit-learn estimator:

- :class:`ApplicationFeaturizer` turns an application table (any grant programme's columns) into
  a sparse numeric matrix: character n-gram TF-IDF of the text, one-hot categoricals with an
  "övrigt" (rare/unseen) and a "saknas" (missing) level, standardized numeric columns with
  missing-indicators, ``log`` cost per participant, and optional *time-aware history* features
  (an entity's smoothed earlier approval rate, computed only from decisions made before the row).
  It keeps ``feature_names_out_`` and a map from every feature back to its source column/value.
- :class:`BootstrapLogisticClassifier` is an L2-regularized logistic regression plus a bootstrap
  ensemble of refits on resampled rows, which gives per-row intervals.
- :class:`GrantModel` puts both together on a DataFrame, takes the decision from a column,
  calibrates (Platt/sigmoid on out-of-fold scores) when there are enough decisions, and explains
  each prediction in plain Swedish (:meth:`GrantModel.explain`).

:func:`evaluate_grant_model` gives model-level metrics (AUC, Brier, log loss, ECE, each with a
bootstrap 95 % CI) from repeated stratified cross-validation and from a time split, always beside
a majority-class and a prior-rate baseline.

Computation never prints; :mod:`kompred.report._grant` formats the results.

The package, one responsibility per module: ``features`` (ApplicationFeaturizer), ``bootstrap``
(BootstrapLogisticClassifier), ``model`` (GrantModel), ``reasons`` (Reason), ``evaluation``
(metrics and evaluate_grant_model), ``_common`` (shared constants and helpers).

>>> import pandas as pd
>>> from kompred.modeling.grant import expected_calibration_error
>>> round(expected_calibration_error([0, 1, 1, 0], [0.2, 0.8, 0.6, 0.4]), 3)
0.3
"""

from ...exceptions import SmallDataWarning
from ._common import MIN_CALIBRATION, MIN_DECISIONS, MIN_MINORITY
from .bootstrap import BootstrapLogisticClassifier
from .evaluation import (
    GrantEvaluation,
    evaluate_grant_model,
    expected_calibration_error,
    grant_metrics,
    reliability_table,
)
from .features import ApplicationFeaturizer
from .model import GrantModel
from .reasons import Reason

__all__ = [
    "MIN_DECISIONS",
    "MIN_MINORITY",
    "MIN_CALIBRATION",
    "ApplicationFeaturizer",
    "BootstrapLogisticClassifier",
    "GrantEvaluation",
    "GrantModel",
    "Reason",
    "SmallDataWarning",
    "evaluate_grant_model",
    "expected_calibration_error",
    "grant_metrics",
    "reliability_table",
]

# The public classes keep the module name users and saved model files know them by.
for _cls in (ApplicationFeaturizer, BootstrapLogisticClassifier, GrantEvaluation, GrantModel,
             Reason):
    _cls.__module__ = __name__
del _cls
