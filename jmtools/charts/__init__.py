"""Charts: functions that take the tidy frames of the compute modules and return ``alt.Chart``.

They never compute statistics and never display anything; every chart uses the one jmtools
theme (:mod:`jmtools.charts.theme`). Import the module you need
(``jmtools.charts.funnels``, ``jmtools.charts.emotions``…); importing this package loads
no plotting library.
"""

__all__: list[str] = []
