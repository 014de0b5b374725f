"""Structural check (not a timing): importing the analysis loads scipy.special without
running numpy.f2py or numpy.testing (scipy's array-API layer imports both; planwatch
uses neither), and both still work when something uses them. Each case runs in a fresh
interpreter so other tests' imports do not count."""

from __future__ import annotations

import subprocess
import sys


def _run(code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout.strip()


def test_the_analysis_imports_scipy_special_without_running_f2py_or_numpy_testing() -> None:
    out = _run(
        "import sys, planwatch.services.analyse\n"
        "print('scipy.special' in sys.modules, 'numpy.f2py.crackfortran' in sys.modules,"
        " 'numpy.testing._private.utils' in sys.modules)"
    )
    assert out == "True False False"


def test_the_deferred_modules_run_when_used() -> None:
    out = _run(
        "import planwatch.analysis.dist\n"
        "from numpy.testing import assert_allclose\n"
        "import numpy, numpy.f2py\n"
        "assert_allclose(1.0, 1.0)\n"
        "print(numpy.testing.assert_allclose is assert_allclose, callable(numpy.f2py.run_main))"
    )
    assert out == "True True"
