"""jmtools.core.engine.kept_answer: a small answer computed once per evidence (D155)."""

from __future__ import annotations

import pandas as pd

from jmtools.core.engine import kept_answer


class _Evidence:
    def __init__(self, answers=None):
        if answers is not None:
            self.answers = answers


def test_an_answer_is_computed_once_and_a_caller_cannot_change_what_is_kept():
    calls = []
    ev = _Evidence({})

    def ask():
        calls.append(1)
        return pd.DataFrame({"step": ["A", "B"], "n": [5, 3]})

    first = kept_answer(ev, ("chain", ("A", "B")), ask)
    first.loc[0, "n"] = 99                                      # the caller edits its frame
    again = kept_answer(ev, ("chain", ("A", "B")), ask)
    assert len(calls) == 1 and again["n"].tolist() == [5, 3]
    again.loc[1, "n"] = -1
    assert kept_answer(ev, ("chain", ("A", "B")), ask)["n"].tolist() == [5, 3]
    kept_answer(ev, ("chain", ("A",)), ask)                     # another key: asked again
    assert len(calls) == 2


def test_an_object_without_answers_computes_every_time():
    calls = []
    ev = _Evidence()
    for _ in range(2):
        kept_answer(ev, ("groups", ()), lambda: calls.append(1) or pd.DataFrame({"n": [1]}))
    assert len(calls) == 2
