"""The Anyshire demo: an invented force area with a complete plan, commentary and data.

In: an output folder and a seed. Out: a planwatch project whose data files are in the
layouts of their real counterparts (Home Office PFA tables, data.police.uk street files,
tidy measures CSVs, offence weights, population), generated with trends set in advance
(:mod:`planwatch.demo.spec`). Entry point: :func:`planwatch.demo.generate.generate_demo_project`;
``planwatch demo`` then runs the project through ingest, analysis and report.
"""
