"""The 80 % band around a month-end forecast (issue 35): a count model, calibrated on the node's own backtest.

In plain words. By day D a node has counted `actual` and its chosen forecast says `forecast` by the month's end, so
`forecast − actual` are still to come. Two things make the month end elsewhere:

- **chance** — openings and joins are counts: seen `actual` events in the share `s` of the month done, the rest of
  the month is a negative binomial with mean `forecast − actual` and variance `(forecast − actual) / s` (a Poisson
  count whose rate is only known from what was seen: the Gamma–Poisson mixture). Fifteen openings a month are mostly
  chance; fifteen thousand joins hardly;
- **the forecast's own error** — how far the chosen method missed in the node's earlier months at the same day
  beyond what chance explains: `c² = Σ((truth − forecast)² − chance variance) / Σ forecast²` over those months (0 when
  chance explains it all).

The band is the 10th to the 90th percentile of the rest of the month by chance, added to `actual`, each end moved
out by the forecast's own error (k spreads with it, less k without); and it is calibrated on the node's own months:
when the earlier months' misses, in units of their spread, fell outside ±1.28 (the 80 % of a bell curve) more often
than one in five, k grows until four in five of them fall inside (`Calibration.k`, at least 1.28). A node needs
MIN_BAND_MONTHS earlier months for its own calibration; a team, a person or a center takes its zone's, else the
company's.
"""
from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import numpy as np

MIN_BAND_MONTHS = 6
Z80 = 1.2815515655446004         # the 90th percentile of the standard normal: ±Z80 holds 80 %
EXACT_BELOW = 5000.0             # a rest of the month below this is summed exactly, above it the bell curve


@dataclass(frozen=True)
class Calibration:
    """A node's band from its own backtest: `c` the forecast's relative error beyond chance, `k` how many spreads
    either side hold four in five of its earlier months (at least Z80), `months` how many it was learned from."""
    c: float
    k: float
    months: int


def chance_variance(actual: float, forecast: float, share: float) -> tuple[float, float]:
    """(mean, variance) of the rest of the month by chance alone: negative binomial with r = the events seen and p =
    the share of the month done. Nothing seen yet counts as one event seen (a geometric count)."""
    if share >= 1:
        return 0.0, 0.0
    if actual <= 0:
        return (1 - share) / share, (1 - share) / share ** 2
    mean = max(forecast - actual, 0.0)
    return mean, mean / share


def _phi(x: float) -> float:
    return 0.5 * (1 + math.erf(x / math.sqrt(2)))


def _nb_quantile(mean: float, var: float, q: float) -> float:
    """The q-quantile of a count with this mean and a variance above it (a negative binomial), summed exactly below
    EXACT_BELOW, else the bell curve's."""
    return _nb_quantiles(mean, var, (q,))[0]


def _nb_quantiles(mean: float, var: float, qs: tuple[float, ...]) -> tuple[float, ...]:
    """`_nb_quantile` at each of `qs`, the distribution summed once for all of them (a band asks for two)."""
    if mean <= 0 and var <= 0:
        return tuple(0.0 for _ in qs)
    if mean >= EXACT_BELOW or var > 4 * EXACT_BELOW ** 2:
        return tuple(float(max(0, round(mean + math.sqrt(var) * _inverse_phi(q)))) for q in qs)   # a count: whole
    r = mean * mean / (var - mean)
    p = mean / var
    # the pmf by its recursion, P(k) = P(k − 1) × (k − 1 + r) / k × (1 − p), summed in log space all at once
    n = int(mean + 12 * math.sqrt(var)) + 12
    steps = np.log(np.arange(n - 1) + r) - np.log(np.arange(1, n)) + math.log1p(-p)
    cdf = np.cumsum(np.exp(r * math.log(p) + np.concatenate([[0.0], np.cumsum(steps)])))
    return tuple(float(min(int(np.searchsorted(cdf, q)), n - 1)) for q in qs)


@functools.lru_cache(maxsize=256)
def _inverse_phi(q: float) -> float:
    """The standard normal's q-quantile (bisection: exact enough for a band); a tree asks for the same few q's
    hundreds of times, so each is worked out once."""
    lo, hi = -10.0, 10.0
    for _ in range(80):
        mid = (lo + hi) / 2
        if _phi(mid) < q:
            lo = mid
        else:
            hi = mid
    return (lo + hi) / 2


def spread(actual: float, forecast: float, share: float, c: float) -> tuple[float, float]:
    """(mean, variance) of the rest of the month: chance plus the forecast's own error `c`."""
    mean, var = chance_variance(actual, forecast, share)
    return mean, var + (c * forecast) ** 2


def count_band(actual: float, forecast: float, share: float, cal: Calibration) -> tuple[float, float]:
    """(low, high) of the month's end: `actual` plus the 10th and 90th percentiles of the rest of the month (see the
    module), widened to `cal.k` spreads where the node's own months asked for it. A month that is over: its actual."""
    if share >= 1:
        return actual, actual
    q = _phi(cal.k)
    if actual <= 0:      # nothing seen yet: the days until the first event, a geometric count
        return 0.0, float(max(0, math.ceil(math.log(1 - q) / math.log(1 - share)) - 1))
    mean, var = chance_variance(actual, forecast, share)
    # chance's own percentiles, then both ends moved out by the forecast's error: k spreads with it less k without
    # (a whole count, never below what is already counted)
    extra = math.ceil(cal.k * (math.sqrt(var + (cal.c * forecast) ** 2) - math.sqrt(var)) - 1e-9)
    low, high = _nb_quantiles(mean, var, (1 - q, q))
    return max(float(actual), actual + low - extra), actual + high + extra


def calibrate(history: list[tuple[float, float, float, float]]) -> Calibration | None:
    """A node's calibration from its earlier months — (truth, actual on day D, forecast, share by day D) each, the
    forecast the one chosen that month — or None with fewer than MIN_BAND_MONTHS."""
    months = [(t, a, f, s) for t, a, f, s in history if f is not None and 0 < s < 1]
    if len(months) < MIN_BAND_MONTHS:
        return None
    beyond = sum((t - f) ** 2 - chance_variance(a, f, s)[1] for t, a, f, s in months)
    scale = sum(f * f for _, _, f, _ in months)
    c = math.sqrt(max(0.0, beyond / scale)) if scale > 0 else 0.0
    # how many spreads hold four in five of these months (the ⌈0.8 (n + 1)⌉-th smallest miss, as a split conformal
    # interval takes it), never fewer than the bell curve's 1.28
    z = sorted(abs(t - f) / math.sqrt(v) if (v := spread(a, f, s, c)[1]) > 0 else 0.0 for t, a, f, s in months)
    rank = min(len(z), math.ceil(0.8 * (len(z) + 1))) - 1
    return Calibration(c=c, k=max(Z80, z[rank]), months=len(months))
