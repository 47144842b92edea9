"""Personnummer out of every output: redact a whole table's text cells at once.

:func:`kompred.featurize.redact_personnummer` finds Swedish personnummer and samordningsnummer
(validated by date and checksum) in one text. :func:`redact_frame` applies it to every text cell
of a table: the command line calls it right after reading a table for ``report``,
``consistency`` and ``handlers``, so that no title, description or supplier name shown in a
report, a pairs file or the terminal can carry one; :func:`kompred.io.write_table` calls it on
what it writes, :func:`kompred.find_divergent_pairs` on the pairs it returns (a sole trader's
organisation number, in a provider column, is a personnummer) and :func:`kompred.write_report`
on every file it writes, its figures included (:func:`redact_figure`), so a notebook that skips
the command line is covered too.

>>> import pandas as pd
>>> frame = pd.DataFrame({"title": ["Kurs, kontakt 811218-9876", "Kurs"], "cost_sek": [1.0, 2.0]})
>>> redact_frame(frame)["title"].tolist()
['Kurs, kontakt [PERSONNUMMER]', 'Kurs']
"""

from __future__ import annotations

import pandas as pd

from .text.pii import redact_personnummer

__all__ = ["redact_figure", "redact_frame"]


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells hold no personnummer (other cells unchanged)."""
    out = frame.copy()
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            # most columns hold no personnummer: check each distinct text once (a pairs table
            # of 100,000 texts has 634,809 rows and 24 text columns) and rewrite a column only
            # when one of its texts changes
            try:
                distinct = pd.unique(out[col])
            except TypeError:  # unhashable cells: check them all
                distinct = out[col].tolist()
            if not any(isinstance(v, str) and redact_personnummer(v) != v for v in distinct):
                continue
            values = out[col].tolist()
            seen: dict[str, str] = {}  # a pairs table repeats each text in about ten rows
            red = [(seen[v] if v in seen else seen.setdefault(v, redact_personnummer(v)))
                   if isinstance(v, str) else v for v in values]
            if red != values:
                out[col] = pd.Series(red, index=out.index, dtype=out[col].dtype)
    out.attrs = dict(frame.attrs)
    return out


def redact_figure(fig) -> None:
    """Redact personnummer in every text of a matplotlib figure, tick labels included, in place.

    Tick labels are made only when the figure is drawn, so it is drawn first; an axis whose
    labels needed redacting gets them fixed, so that the next draw (``savefig``) keeps them.
    """
    from matplotlib.text import Text

    fig.canvas.draw()
    for ax in fig.axes:
        for axis in (ax.xaxis, ax.yaxis):
            labels = [t.get_text() for t in axis.get_ticklabels()]
            red = [redact_personnummer(t) for t in labels]
            if red != labels:
                axis.set_ticks(axis.get_ticklocs(), labels=red)
    for text in fig.findobj(Text):
        value = text.get_text()
        if value and redact_personnummer(value) != value:
            text.set_text(redact_personnummer(value))
