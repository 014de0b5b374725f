"""planwatch.ingest: read and check source files (step 2) before anything is stored.

One module per source: :mod:`~planwatch.ingest.prc` (Home Office recorded crime,
offence- or group-level; CSV, XLSX, ODS), :mod:`~planwatch.ingest.police_uk`
(data.police.uk street archives: folders, zips, CSVs; counted and checked in one DuckDB
pass by :mod:`~planwatch.ingest.police_uk_scan`), :mod:`~planwatch.ingest.measures`
(tidy measures CSV), :mod:`~planwatch.ingest.reference` (offence weights, population,
Home Office offence code lookup). Shared parts: :mod:`~planwatch.ingest.files` (file
type, SHA-256, encodings), :mod:`~planwatch.ingest.source` (a table into DuckDB with
header matching), :mod:`~planwatch.ingest.checks` (SQL checks that name file, row and
field), :mod:`~planwatch.ingest.suspect` (hundredfold jumps). Each reader returns a
:class:`~planwatch.ingest.staged.StagedBatch` for :mod:`planwatch.store.services`.
"""
