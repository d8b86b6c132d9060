"""How ``jmtools … --help`` lays out a command's text: prose wrapped, examples kept as written."""

from __future__ import annotations

import argparse
import re
import textwrap

__all__ = ["ParagraphFormatter"]


class ParagraphFormatter(argparse.RawDescriptionHelpFormatter):
    """Wrap each paragraph of a description or epilog to the terminal's width; keep a paragraph
    with indented lines (examples, a config file) exactly as written.

    Examples
    --------
    >>> p = argparse.ArgumentParser(prog="x", formatter_class=ParagraphFormatter,
    ...                             description="word " * 30, epilog="example:\\n  x --long  one")
    >>> help_text = p.format_help()
    >>> max(len(line) for line in help_text.splitlines()) <= 80, "  x --long  one" in help_text
    (True, True)
    """

    def _fill_text(self, text, width, indent):
        paragraphs = re.split(r"\n\s*\n", text.strip("\n"))
        return "\n\n".join(
            par if any(line[:1].isspace() for line in par.splitlines()) else
            textwrap.fill(" ".join(par.split()), width, initial_indent=indent,
                          subsequent_indent=indent)
            for par in paragraphs)
