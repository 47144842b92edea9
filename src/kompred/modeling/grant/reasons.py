"""Reason: one signed contribution to a prediction, in plain Swedish."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Reason:
    """One reason behind a predicted grant probability.

    Attributes
    ----------
    label : str
        The feature in plain Swedish, e.g. ``"ordet 'yrkessvenska' i texten"`` or
        ``"insatsform: föreläsning (engångsinsats)"``.
    direction : str
        ``"höjer"`` (raises the probability) or ``"sänker"`` (lowers it).
    contribution : float
        Contribution to the (calibrated) log-odds of being granted.
    kind : str
        ``text``, ``category``, ``other``, ``missing``, ``numeric``, ``numeric_missing``,
        ``history_rate`` or ``history_count``.
    column : str
        The source column.
    """

    label: str
    direction: str
    contribution: float
    kind: str
    column: str

    def __str__(self) -> str:
        return f"{self.label}: {self.direction}"
