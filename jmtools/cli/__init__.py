"""The ``jmtools`` command line: a thin layer over the pipeline, the report runner and the renderer."""

__all__: list[str] = []
