"""What every editor widget shares: errors as text, JSON-safe values, the journey file to save.

Nothing here is public; the widgets of :mod:`jmtools.widgets` use these helpers.
"""

from __future__ import annotations

import html
import math
from pathlib import Path
from typing import Callable

import ipywidgets as w

from jmtools.core.errors import JmtoolsError, ParameterError
from jmtools.journey import Journey

__all__ = ["ErrorArea", "error_area", "error_text", "error_html", "number", "journey_path",
           "USER_ERRORS", "saved", "quietly", "as_saved", "saved_words", "NOT_SAVED", "SaveHooks"]

#: The status beside Save when the save was refused (the error area says why).
NOT_SAVED = "not saved: fix the error shown, then save again"

#: Errors an editor shows in its error area instead of a traceback: what the user can fix.
USER_ERRORS = (JmtoolsError, OSError, ValueError)


def error_text(err: BaseException) -> str:
    """The message a user reads for ``err``: what is wrong, what was received, the fix.

    Examples
    --------
    >>> error_text(PermissionError(13, "Permission denied", "journey.yaml"))
    "cannot write 'journey.yaml': Permission denied\\n  Fix: check the file's permissions, or save elsewhere: .save(path=...)"
    """
    if isinstance(err, OSError) and not isinstance(err, JmtoolsError):
        where = err.filename if err.filename is not None else "the file"
        return (f"cannot write {str(where)!r}: {err.strerror or err}\n"
                "  Fix: check the file's permissions, or save elsewhere: .save(path=...)")
    return str(err)


def error_html(text: str) -> str:
    """``text`` as the HTML of an inline error area (empty when there is no error)."""
    if not text:
        return ""
    return ('<div class="jm-error" role="alert" style="color:#b00020;white-space:pre-wrap;'
            f'font-family:monospace;font-size:90%">{html.escape(text)}</div>')


def number(value) -> float | None:
    """A plain float for JSON, or None for a missing value (None, NaN, pandas NA).

    Examples
    --------
    >>> number(1), number(float("nan")), number(None)
    (1.0, None, None)
    """
    try:
        out = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(out) else out


def journey_path(journey, path=None) -> Path:
    """The journey file an editor saves to: ``path``, else where ``journey`` was loaded from."""
    target = path if path is not None else getattr(journey, "path", None)
    if target is None:
        raise ParameterError("journey_path", None, expected="the journey file to save to",
                             fix="pass journey_path='journey.yaml' when building the editor")
    return Path(target)


def as_saved(journey, path=None):
    """The journey as its file holds it now: an editor built after a save shows the saved values.

    ``journey`` itself when there is no file yet (or none is named); the file read again
    otherwise, so two editors built from one loaded journey never show (and save back) the
    values the file held before the first one saved.
    """
    target = path if path is not None else getattr(journey, "path", None)
    if target is None or not Path(target).is_file():
        return journey
    return Journey.load(target)


def saved_words(target: Path) -> str:
    """The status after a save: the whole path, so the folder is never a guess.

    Examples
    --------
    >>> saved_words(Path("/tmp/j.yaml"))
    'saved to /tmp/j.yaml'
    """
    return f"saved to {Path(target).resolve()}"


class SaveHooks:
    """``on_save(callback)``: called with the file after each successful save (the workshop
    re-runs its focus on the saved journey)."""

    def on_save(self, callback: Callable) -> Callable:
        """Call ``callback(path)`` after each successful save (usable as a decorator)."""
        self.__dict__.setdefault("_save_hooks", []).append(callback)
        return callback

    def _told(self, target: Path) -> Path:
        for callback in self.__dict__.get("_save_hooks", []):
            callback(target)
        return target


class ErrorArea(w.HTML):
    """An inline error area: HTML showing the message, ``text`` holding it as plain text.

    ``area.show(err)`` shows an exception (or text) with its fix; ``area.show("")`` clears it.

    Examples
    --------
    >>> area = ErrorArea()
    >>> area.show(ValueError("no")); area.text
    'no'
    """

    text = ""

    def show(self, err) -> None:
        """Show ``err`` (an exception or a message); an empty message clears the area."""
        self.text = err if isinstance(err, str) else error_text(err)
        self.value = error_html(self.text)


def error_area() -> ErrorArea:
    """A new :class:`ErrorArea` (CSS class ``jm-errors``)."""
    area = ErrorArea()
    area.add_class("jm-errors")
    return area


def saved(widget, write: Callable[[], Path]) -> Path:
    """Run ``write`` (which saves and returns the file); show the outcome in ``widget``.

    An error the user can fix goes to ``widget.errors`` and is raised again; success clears it
    and says where the file went in ``widget.status``.
    """
    try:
        target = write()
    except USER_ERRORS as err:
        widget.errors.show(err)
        widget.status.value = NOT_SAVED
        raise
    widget.errors.show("")
    widget.status.value = saved_words(target)
    return widget._told(target)


def quietly(action: Callable[[], object]) -> Callable[..., None]:
    """A button or observer callback running ``action``; its errors are already shown inline."""
    def callback(*_args) -> None:
        try:
            action()
        except USER_ERRORS:
            pass  # shown in the widget's error area by the action itself
    return callback
