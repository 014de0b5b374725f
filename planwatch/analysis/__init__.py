"""planwatch.analysis: the statistics, pure and typed (methodology: docs/methodology.md).

In: :class:`~planwatch.measures.series.MeasureSeries`, the plan's measures and events.
Out: frozen results from :mod:`planwatch.analysis.results`.

- :mod:`~planwatch.analysis.engine`: ``analyse_measure`` / ``analyse_measures`` run what a
  measure asks for; ``analyse_areas`` compares areas.
- :mod:`~planwatch.analysis.trend` (GLM trend) and :mod:`~planwatch.analysis.mannkendall`
  (robust check); :mod:`~planwatch.analysis.shortterm` (changes, runs, extremes, windows);
  :mod:`~planwatch.analysis.spc` (XmR); :mod:`~planwatch.analysis.proportions`;
  :mod:`~planwatch.analysis.funnel`; :mod:`~planwatch.analysis.interrupted`.
- :mod:`~planwatch.analysis.glm`, :mod:`~planwatch.analysis.design`,
  :mod:`~planwatch.analysis.dist`, :mod:`~planwatch.analysis.constants`: the fast
  fitters, design matrices, distribution functions and named constants behind them.
"""
