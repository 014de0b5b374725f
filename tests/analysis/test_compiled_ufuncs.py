"""Structural check (not a timing): the analysis takes scipy.special's compiled ufuncs
without running scipy.special's ``__init__`` (its array-API layer, which imports
numpy.f2py and numpy.testing and wraps every function, about 0.2 s of start-up), and the
functions it calls are the very objects scipy.special exports, also when scipy.special is
imported afterwards or before. Each case runs in a fresh interpreter so other tests'
imports do not count."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_analysis_loads_the_compiled_ufuncs_not_scipy_special() -> None:
    out = _run(
        "import sys, planwatch.services.analyse\n"
        "print('scipy.special._ufuncs' in sys.modules, 'scipy.special' in sys.modules,"
        " 'scipy._lib.array_api_compat' in sys.modules, 'numpy.f2py' in sys.modules)"
    )
    assert out == "True False False False"


def test_scipy_special_imported_afterwards_has_the_same_functions() -> None:
    out = _run(
        "from planwatch.analysis import dist\n"
        "import scipy.special, scipy.stats\n"
        "print(all(getattr(scipy.special, n) is getattr(dist.special, n) for n in dist.UFUNCS),"
        " scipy.special._ufuncs is dist.special, round(float(scipy.stats.norm.ppf(0.975)), 4))"
    )
    assert out == "True True 1.96"


def test_scipy_special_imported_before_is_used_as_it_is() -> None:
    out = _run(
        "import scipy.special\n"
        "from planwatch.analysis import dist\n"
        "print(dist.special is scipy.special, dist.normal_quantile(0.975) == scipy.special.ndtri(0.975))"
    )
    assert out == "True True"
