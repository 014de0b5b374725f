"""planwatch.store: the project's DuckDB file (``Project.store_path``), steps 3 of the pipeline.

Reads (for everything downstream) are in :mod:`planwatch.store.selectors`:

* ``measure_frame(con_or_store, plan, measure)`` -> DataFrame with columns
  period_start (``datetime.date``), frequency (``'month'``/``'quarter'``), area,
  category, value, numerator, denominator, status;
* ``weights_frame``, ``population_frame``, ``offence_codes_frame``, ``loads_frame``,
  ``revisions_frame``, ``warnings_frame``;
* :func:`planwatch.store.status.store_status` -> frozen ``StoreStatus`` (loads,
  coverage and gaps, per-measure latest period and lag, warnings).

``con_or_store`` is an open DuckDB connection, a project folder, a
:class:`~planwatch.project.Project` or a path ending in ``.duckdb``.

Writes go through :mod:`planwatch.store.services` (one transaction per ingest call),
driven by :mod:`planwatch.services.ingest`. Tables are defined in
:mod:`planwatch.store.schema`; canonical force and offence-group names in
:mod:`planwatch.store.names`.
"""
