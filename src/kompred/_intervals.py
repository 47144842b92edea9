"""The Wilson interval of a proportion: the one implementation every module uses."""

from __future__ import annotations

import math

#: The standard normal's 97.5 % quantile: a two-sided 95 % interval.
Z95 = 1.959963984540054


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval of a binomial proportion ``k / n``.

    It stays inside [0, 1] and is sensible at 0 or n successes, where the normal approximation
    is not. ``n <= 0`` gives ``(nan, nan)``.

    Examples
    --------
    >>> lo, hi = wilson_interval(68, 100)
    >>> round(lo, 3), round(hi, 3)
    (0.583, 0.763)
    >>> wilson_interval(0, 10)[0], wilson_interval(10, 10)[1]
    (0.0, 1.0)
    """
    if n <= 0:
        return (float("nan"), float("nan"))
    p = k / n
    den = 1 + z * z / n
    mid = (p + z * z / (2 * n)) / den
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / den
    # exact ends at 0 and n (the formula leaves rounding dust there)
    return (0.0 if k == 0 else max(0.0, mid - half), 1.0 if k == n else min(1.0, mid + half))
