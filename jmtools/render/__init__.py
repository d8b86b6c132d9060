"""Render: charts turned into files that open offline (PNG, SVG, PDF, standalone HTML).

The layer above :mod:`jmtools.charts` and below :mod:`jmtools.report`: it takes the charts
the chart functions return and writes them with vl-convert, with no network. Import the
module you need (``jmtools.render.offline``); importing this package loads no plotting
library.
"""

__all__: list[str] = []
