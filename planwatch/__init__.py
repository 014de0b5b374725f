"""planwatch: a Police and Crime Plan's quarterly performance update, as a checked pipeline.

plan -> ingest -> store -> measures -> analysis -> narrative -> report / web
"""

import os

__version__ = "0.1.0"

#: Threads of the BLAS library NumPy and SciPy call (OpenBLAS), unless the environment
#: says otherwise. planwatch's matrices are small (a series' periods: tens to a few hundred
#: rows), where OpenBLAS's threads cost far more than they save: on the shared 2-CPU
#: machine (load average 8 to 11) one `run_analysis` of 430 series took 5.26 s of CPU with
#: them and 2.90 s with one thread; the autocorrelation correction's table for one design
#: 0.59 s against 0.025 s (docs/performance.md, "Analyse at plan scale"). Set here, before
#: any planwatch module imports NumPy.
BLAS_THREADS = "1"
os.environ.setdefault("OPENBLAS_NUM_THREADS", BLAS_THREADS)

#: Printed wherever figures from Open Government Licence data are shown.
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
