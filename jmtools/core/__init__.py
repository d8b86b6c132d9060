"""The bottom layer: errors, vocabulary, scales, intervals, the engine and bundled files.

Nothing here imports any other part of jmtools.
"""

__all__: list[str] = []
