"""Topics of application texts: the classifier, its evaluation, and real-text figures.

==================  ==========================================================================
module              owns
==================  ==========================================================================
``classifier``      :class:`TopicClassifier` (taxonomy keywords + char and word n-grams), the
                    keyword rules, the bundled model's loader and trainer
``compounds``       optional splitting of Swedish compounds against the training vocabulary
``occupations``     optional job-title lexicon: phrases that train towards an occupation
``evaluation``      held-out and cross-validated figures with intervals (:func:`evaluate_topics`)
``real``            the real municipal texts' dev/sealed split and their figures
==================  ==========================================================================
"""

from .classifier import *  # noqa: F403 - the classifier's public names are the package's
from .classifier import KeywordTopicRules, TopicClassifier, __all__  # noqa: F401

# The public classes keep the module name users and saved model files know them by.
for _cls in (KeywordTopicRules, TopicClassifier):
    _cls.__module__ = __name__
del _cls
