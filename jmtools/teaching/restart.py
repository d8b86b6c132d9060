"""A cell run before the cells above it: a sentence saying what to do, not a bare ``NameError``.

After a kernel restart, or in a notebook just opened, a learner often runs the cell they were at;
the names the cells above make (``lesson``, ``sizes``, an import) do not exist yet and Python says
``NameError: name 'lesson' is not defined``. Importing :mod:`jmtools.teaching` in a notebook
installs :func:`explain_name_errors`: from then on a NameError raised in a cell is shown as that
line and what to do — Run ▸ Run All Above Selected Cell — without the traceback. A NameError
raised inside a library keeps its full traceback, and so does any handler a user installed first.

Every cell of the teaching notebooks that reads what an earlier cell made imports
``jmtools.teaching`` first, so that the first cell run after a restart installs it.
"""

from __future__ import annotations

import linecache
import re

__all__ = ["explain_name_errors", "name_error_lines"]

#: What to do, said for a name the cells above make (``{name}``); the first sentence differs when
#: the notebook's lesson itself is missing (none of the cells above has run).
_NOTHING_RAN = ("The cells above have not run since this notebook was opened or the kernel restarted, "
                "and this cell needs what they make (`{name}`).")
_SOME_RAN = ("If a cell above makes `{name}`, it has not run since this notebook was opened or the "
             "kernel restarted.")
_WHAT_TO_DO = ("Click this cell, choose Run ▸ Run All Above Selected Cell, then run this cell again.")
_TYPED = ("If you typed `{name}` yourself, check its spelling; text goes in quotes (\"…\").")


def _in_a_cell(filename: str) -> bool:
    """Whether code comes from a notebook cell (ipykernel's cell files, IPython's inputs)."""
    return "ipykernel" in filename or filename.startswith("<ipython-input")


def name_error_lines(error: NameError, namespace: dict, tb=None) -> list[str] | None:
    """What a notebook shows for ``error``, raised in a cell: the error, the cell's line, and what to
    do; None when the error was raised outside a cell (inside a library: keep its traceback).

    Parameters
    ----------
    error : NameError
        The error.
    namespace : dict
        The notebook's variables: whether ``lesson`` exists there decides the first sentence.
    tb : traceback, optional
        Its traceback (default ``error.__traceback__``).

    Returns
    -------
    list of str or None
        The lines to show.

    Examples
    --------
    >>> try:                                   # code compiled as a notebook cell's
    ...     exec(compile("lesson.check('0.1', 1)", "/tmp/ipykernel_1/1.py", "exec"), {})
    ... except NameError as err:
    ...     lines = name_error_lines(err, {})
    >>> lines[0]
    "NameError: name 'lesson' is not defined"
    >>> print(lines[-1])
    The cells above have not run since this notebook was opened or the kernel restarted, and this cell needs what they make (`lesson`). Click this cell, choose Run ▸ Run All Above Selected Cell, then run this cell again.
    """
    tb = tb if tb is not None else error.__traceback__
    last = None
    while tb is not None:
        last, tb = tb, tb.tb_next
    if last is None or not _in_a_cell(last.tb_frame.f_code.co_filename):
        return None
    found = re.search(r"'(.+?)'", str(error))
    name = getattr(error, "name", None) or (found.group(1) if found else "it")
    code = linecache.getline(last.tb_frame.f_code.co_filename, last.tb_lineno).strip()
    lines = [f"NameError: {error}"]
    if code:
        lines.append(f"  (your cell, line {last.tb_lineno}: {code})")
    if namespace.get("lesson") is None:
        said = f"{_NOTHING_RAN} {_WHAT_TO_DO}"
    else:
        said = f"{_SOME_RAN} {_WHAT_TO_DO} {_TYPED}"
    return lines + ["", said.format(name=name)]


def _handler(shell, etype, value, tb, tb_offset=None):
    """IPython calls this for a NameError (and shows nothing itself): show the lines, or, for an
    error raised inside a library, the usual traceback."""
    lines = name_error_lines(value, shell.user_ns, tb)
    if lines is None:
        shell.showtraceback((etype, value, tb), tb_offset=tb_offset)
        return None
    shell._showtraceback(etype, value, lines)          # ipykernel sends these lines as the error
    return lines


def explain_name_errors(shell=None) -> bool:
    """Show a NameError raised in a notebook cell as what to do (:func:`name_error_lines`).

    Installed when :mod:`jmtools.teaching` is imported in IPython. Nothing changes when another
    handler of exceptions is installed already, or outside IPython.

    Parameters
    ----------
    shell : IPython.core.interactiveshell.InteractiveShell, optional
        Default: the running one.

    Returns
    -------
    bool
        Whether the handler is in place.

    Examples
    --------
    >>> explain_name_errors(shell=object())    # no IPython shell to install it in: nothing to do
    False
    """
    if shell is None:
        try:
            from IPython import get_ipython
        except ImportError:                          # pragma: no cover - IPython comes with Jupyter
            return False
        shell = get_ipython()
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "custom_exceptions", ()) == (NameError,) and getattr(shell, "_jmtools_names", False):
        return True
    if getattr(shell, "custom_exceptions", ()):       # someone else's handler: leave it
        return False
    shell.set_custom_exc((NameError,), _handler)
    shell._jmtools_names = True
    return True
