"""Personnummer out of every output: redact a whole table's text cells at once.

:func:`kompred.featurize.redact_personnummer` finds Swedish personnummer and samordningsnummer
(validated by date and checksum) in one text. :func:`redact_frame` applies it to every text cell
of a table: the command line calls it right after reading a table for ``report``,
``consistency`` and ``handlers``, so that no title, description or supplier name shown in a
report, a pairs file or the terminal can carry one; :func:`kompred.io.write_table` calls it on
what it writes, :func:`kompred.find_divergent_pairs` on the pairs it returns (a sole trader's
organisation number, in a provider column, is a personnummer) and :func:`kompred.write_report`
on every file it writes, so a notebook that skips the command line is covered too.

>>> import pandas as pd
>>> frame = pd.DataFrame({"title": ["Kurs, kontakt 811218-9876", "Kurs"], "cost_sek": [1.0, 2.0]})
>>> redact_frame(frame)["title"].tolist()
['Kurs, kontakt [PERSONNUMMER]', 'Kurs']
"""

from __future__ import annotations

import pandas as pd

from .text.pii import redact_personnummer

__all__ = ["redact_frame"]


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells hold no personnummer (other cells unchanged)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            values = out[col].tolist()
            red = [redact_personnummer(v) if isinstance(v, str) else v for v in values]
            if red != values:
                out[col] = pd.Series(red, index=out.index, dtype=out[col].dtype)
    out.attrs = dict(frame.attrs)
    return out
