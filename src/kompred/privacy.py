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

import numpy as np
import pandas as pd

from .text.pii import _SIX_DIGITS, redact_personnummer

__all__ = ["redact_figure", "redact_frame"]


def _redact_cells(vals: list) -> np.ndarray:
    """Redact personnummer in the str cells of ``vals`` in place; which cells changed.

    One scan of the whole column finds the cells with six digits in a row (every
    personnummer has them): only those are redacted. Other cells, and non-str cells, stay.
    """
    at = [i for i, v in enumerate(vals) if isinstance(v, str)]
    text = "\n".join(vals[i] for i in at)  # no digit run crosses a line break
    changed = np.zeros(len(vals), dtype=bool)
    if not _SIX_DIGITS.search(text):
        return changed
    starts = np.cumsum([0] + [len(vals[i]) + 1 for i in at[:-1]])
    hits = {at[k] for k in np.searchsorted(starts, [m.start() for m in _SIX_DIGITS.finditer(text)],
                                           side="right") - 1}
    for i in sorted(hits):
        red = redact_personnummer(vals[i])
        if red != vals[i]:
            vals[i] = red
            changed[i] = True
    return changed


def redact_columns(frame: pd.DataFrame) -> tuple[pd.DataFrame, np.ndarray]:
    """:func:`redact_frame`, and which rows had a personnummer in some text cell."""
    out = frame.copy()
    found = np.zeros(len(out), dtype=bool)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            values = out[col].tolist()
            changed = _redact_cells(values)
            if changed.any():
                found |= changed
                out[col] = pd.Series(values, index=out.index, dtype=out[col].dtype)
    out.attrs = dict(frame.attrs)
    return out, found


def redact_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells hold no personnummer (other cells unchanged)."""
    return redact_columns(frame)[0]


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
