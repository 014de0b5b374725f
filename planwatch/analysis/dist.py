"""Fast distribution functions (scipy.special ufuncs rather than scipy.stats objects,
which cost tens of microseconds a call; the engine makes thousands of calls).

In: floats. Out: floats. Each agrees with its scipy.stats twin (tests/analysis/test_dist.py).
"""

from __future__ import annotations

import importlib
import importlib.util
import math
import sys
import types

#: The scipy.special functions planwatch calls, all compiled ufuncs.
UFUNCS = ("ndtr", "ndtri", "stdtr", "stdtrit", "chdtri", "bdtr", "bdtrc", "pdtr", "pdtrik")
#: scipy.special's module of compiled ufuncs (the cephes functions).
COMPILED = "scipy.special._ufuncs"


def _compiled_ufuncs() -> types.ModuleType:
    """scipy.special's compiled ufuncs without running scipy.special's ``__init__``,
    whose array-API layer (``array_api_compat``, which copies every public name of numpy,
    and a wrapper with its documentation for each function) costs about 0.2 s of CPU at
    start-up against 0.03 s for the compiled module alone. The package is stood in for
    by its module not yet run (its path, no names) while the compiled module is imported,
    then taken out again: a later ``import scipy.special`` runs the real package, which
    takes the same compiled module (and so the very ufuncs used here) from
    ``sys.modules``. The whole of scipy.special when it is imported already, or when the compiled module cannot
    be imported alone or lacks one of :data:`UFUNCS` (another scipy version)."""
    if "scipy.special" in sys.modules:
        return importlib.import_module("scipy.special")
    spec = importlib.util.find_spec("scipy.special")
    if spec is None or not spec.submodule_search_locations:
        return importlib.import_module("scipy.special")
    stand_in = importlib.util.module_from_spec(spec)  # the package, its __init__ not run
    sys.modules["scipy.special"] = stand_in
    try:
        compiled = importlib.import_module(COMPILED)
    except ImportError:  # another scipy's compiled module needs its package run first
        compiled = None
    finally:
        if sys.modules.get("scipy.special") is stand_in:
            del sys.modules["scipy.special"]
    if compiled is not None and all(hasattr(compiled, name) for name in UFUNCS):
        return compiled
    return importlib.import_module("scipy.special")


#: The module the functions below call (``special.ndtri`` and so on).
special = _compiled_ufuncs()


def normal_sf(z: float) -> float:
    """P(Z > z) for a standard normal Z."""
    return float(special.ndtr(-z))


def normal_two_sided_p(z: float) -> float:
    return 2.0 * normal_sf(abs(z))


def normal_quantile(p: float) -> float:
    return float(special.ndtri(p))


def t_two_sided_p(t: float, df: float) -> float:
    return 2.0 * float(special.stdtr(df, -abs(t)))


def t_quantile(p: float, df: float) -> float:
    return float(special.stdtrit(df, p))


def chi2_upper_quantile(level: float, df: float) -> float:
    """The value exceeded with probability ``level`` by chi-squared(df)."""
    return float(special.chdtri(df, level))


#: Relative tolerance for "as probable as the observed count" in the two-sided exact
#: binomial p-value (the value scipy.stats.binomtest uses).
BINOMIAL_RELATIVE_TOLERANCE = 1 + 1e-7


def _log_binomial_pmf(k: int, n: int, p: float) -> float:
    if p <= 0.0:
        return 0.0 if k == 0 else -math.inf
    if p >= 1.0:
        return 0.0 if k == n else -math.inf
    return (
        math.lgamma(n + 1)
        - math.lgamma(k + 1)
        - math.lgamma(n - k + 1)
        + k * math.log(p)
        + (n - k) * math.log1p(-p)
    )


def binomial_two_sided_p(k: int, n: int, p: float) -> float:
    """Exact two-sided p-value of k successes in n trials, summing every outcome no more
    probable than k (the "minlike" method; same answer as scipy.stats.binomtest)."""
    if n <= 0:
        return 1.0
    expected = n * p
    limit = _log_binomial_pmf(k, n, p) + math.log(BINOMIAL_RELATIVE_TOLERANCE)
    if k == expected:
        return 1.0
    if k < expected:
        lo, hi = math.ceil(expected), n  # first i in the upper tail with pmf(i) <= limit
        if _log_binomial_pmf(hi, n, p) > limit:
            return min(1.0, float(special.bdtr(k, n, p)))
        while lo < hi:
            mid = (lo + hi) // 2
            if _log_binomial_pmf(mid, n, p) <= limit:
                hi = mid
            else:
                lo = mid + 1
        return min(1.0, float(special.bdtr(k, n, p)) + float(special.bdtrc(lo - 1, n, p)))
    lo, hi = 0, math.floor(expected)  # last i in the lower tail with pmf(i) <= limit
    if _log_binomial_pmf(lo, n, p) > limit:
        return min(1.0, float(special.bdtrc(k - 1, n, p)))
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if _log_binomial_pmf(mid, n, p) <= limit:
            lo = mid
        else:
            hi = mid - 1
    return min(1.0, float(special.bdtr(lo, n, p)) + float(special.bdtrc(k - 1, n, p)))
