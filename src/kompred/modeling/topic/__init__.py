"""Topics of application texts: the classifier, its evaluation, and real-text figures.

==================  ==========================================================================
module              owns
==================  ==========================================================================
``classifier``      :class:`TopicClassifier` (taxonomy keywords + char and word n-grams), the
                    keyword rules, the bundled model's loader and trainer
``compounds``       optional splitting of Swedish compounds against the training vocabulary
``evaluation``      held-out and cross-validated figures with intervals (:func:`evaluate_topics`)
``real``            the real municipal texts' dev/sealed split and their figures
==================  ==========================================================================
"""

from .classifier import (
    ABBREVIATIONS,
    BOILERPLATE,
    DETAIL_COLUMNS,
    OSAKER,
    KeywordTopicRules,
    TopicClassifier,
    application_texts,
    load_default_topic_model,
    train_default_topic_model,
)

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
]

# The public classes keep the module name users and saved model files know them by.
for _cls in (KeywordTopicRules, TopicClassifier):
    _cls.__module__ = __name__
del _cls
