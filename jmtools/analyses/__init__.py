"""Analyses: prepared evidence and loaded tables in, small tidy pandas frames out.

Each module answers one kind of question (funnels, KPIs, emotions, pain points, themes,
priorities…); none draws, loads files or imports a chart. Import the module you need
(``from jmtools.analyses import funnels``); importing this package loads nothing.
"""

__all__: list[str] = []
