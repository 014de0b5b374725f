"""planwatch: a Police and Crime Plan's quarterly performance update, as a checked pipeline.

plan -> ingest -> store -> measures -> analysis -> narrative -> report / web
"""

__version__ = "0.1.0"

#: Printed wherever figures from Open Government Licence data are shown.
OGL_ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0."
)
