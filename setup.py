"""The one compiled part of planwatch: the byte check of CSV files read together
(planwatch/ingest/_csvscan.c). It is optional: without a C compiler the install goes on
and planwatch uses the same check in NumPy (planwatch/ingest/csvscan.py)."""

from setuptools import Extension, setup

setup(
    ext_modules=[
        Extension(
            "planwatch.ingest._csvscan",
            ["planwatch/ingest/_csvscan.c"],
            optional=True,
        )
    ]
)
