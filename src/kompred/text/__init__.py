"""Text: normalizing, masking personnummer, vectorizing, and the one neighbour search.

:mod:`kompred.text.neighbours` holds the top-k cosine search that the consistency analyses, the
grant model's similar-applications feature and the check's similar earlier applications use.
"""
