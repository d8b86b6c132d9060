"""What every funnel and path question shares: checks, by-groups in order, zero rows, intervals.

The checks of ``evidence``, ``level``, ``by`` and ``steps`` (one wording for every function of
:mod:`jmtools.analyses.funnels`), the by-groups with their customer counts in persona order,
the grid that keeps groups × steps nobody reached as rows with 0, and Wilson intervals for rates.
"""

from __future__ import annotations

import pandas as pd

from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.errors import ParameterError, suggest
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import NO_PERSONA

__all__ = ["LEVELS", "MAX_STEPS", "parse_steps", "step_columns"]

#: What a funnel step or a transition node can be.
LEVELS = ("stage", "touchpoint", "event")
#: Most steps a funnel takes: each is one join on the engine.
MAX_STEPS = 60
#: Prefixes that say what a step of a mixed funnel (``level="any"``) names.
STEP_PREFIXES = ("stage:", "touchpoint:", "event:")


def _check_evidence(evidence):
    if not hasattr(evidence, "columns") or not hasattr(evidence, "stages"):
        raise ParameterError("evidence", type(evidence).__name__,
                             expected="the Evidence returned by jmtools.evidence.prepare()")


def _level_col(level: str) -> str:
    if level not in LEVELS:
        raise ParameterError("level", level, expected=list(LEVELS))
    return level


def _by_list(evidence, by) -> list[str]:
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    cols = evidence.columns
    for b in by:
        if b not in cols:
            near = suggest(b, cols)
            raise ParameterError("by", b, expected=f"a column of the prepared events ({', '.join(cols)})",
                                 fix=f"did you mean {near!r}?" if near else
                                 "pass customers= to prepare() to get a 'persona' column")
    return by


def parse_steps(steps) -> list[str] | None:
    """Funnel steps from a report parameter: a list, or one string separated by commas.

    Examples
    --------
    >>> parse_steps("Newsletter, newsletter_click ,First order")
    ['Newsletter', 'newsletter_click', 'First order']
    >>> parse_steps("") is None
    True
    """
    if steps is None:
        return None
    if isinstance(steps, str):
        steps = steps.split(",")
    if isinstance(steps, (dict, bytes)) or not hasattr(steps, "__iter__"):
        raise ParameterError("funnel_steps", steps, expected="a list of step names, or one text "
                             "with the names separated by commas",
                             fix='e.g. "Newsletter, newsletter_click, First order"')
    out = [str(s).strip() for s in steps if str(s).strip()]
    return out or None


def step_columns(evidence, steps) -> list[tuple[str, str]]:
    """Each step of a mixed funnel as (column, value): a stage, touchpoint or event name.

    A plain name is looked up among stages, then touchpoints, then event names; a name that is
    two of these must say which with a prefix (``"touchpoint:Checkout"``).
    """
    known = {"stage": list(evidence.stages), "touchpoint": list(evidence.touchpoints),
             "event": list(dict.fromkeys(evidence.mapping["event"].tolist()))}
    out = []
    for step in steps:
        text = str(step)
        prefix = next((p for p in STEP_PREFIXES if text.startswith(p)), None)
        if prefix:
            col, name = prefix[:-1], text[len(prefix):].strip()
            if name not in known[col]:
                near = suggest(name, known[col])
                raise ParameterError("steps", step, expected=f"a {col} name after '{prefix}'",
                                     fix=f"did you mean '{prefix}{near}'?" if near else
                                     f"known {col}s: {', '.join(known[col][:12])}")
            out.append((col, name))
            continue
        kinds = [c for c in ("stage", "touchpoint", "event") if text in known[c]]
        if len(kinds) > 1:
            raise ParameterError("steps", step, expected="a name that is one kind of step",
                                 fix=f"{text!r} is a {' and a '.join(kinds)}: write "
                                     + " or ".join(f"'{k}:{text}'" for k in kinds))
        if not kinds:
            every = known["stage"] + known["touchpoint"] + known["event"]
            near = suggest(text, every)
            raise ParameterError("steps", step, expected="a stage, touchpoint or event name",
                                 fix=f"did you mean {near!r}?" if near else
                                 f"stages: {', '.join(known['stage'])}")
        out.append((kinds[0], text))
    return out


def _steps(evidence, steps, level) -> list[str]:
    if level not in (*LEVELS, "any"):
        raise ParameterError("level", level, expected=[*LEVELS, "any"])
    if steps is not None and not isinstance(steps, str) and len(list(steps)) > MAX_STEPS:
        raise ParameterError("steps", f"{len(list(steps))} steps", expected=f"at most {MAX_STEPS} steps",
                             fix="a funnel is read step by step: keep the steps that matter")
    if level == "any":
        if steps is None:
            return list(evidence.stages)
        steps = [steps] if isinstance(steps, str) else list(steps)
        if not steps:
            raise ParameterError("steps", steps, expected="at least one step")
        step_columns(evidence, steps)
        return [str(s) for s in steps]
    if steps is None:
        if level == "stage":
            return list(evidence.stages)
        if level == "touchpoint":
            return list(evidence.touchpoints)
        raise ParameterError("steps", None, expected="a list of event names when level='event'")
    steps = [steps] if isinstance(steps, str) else list(steps)
    if not steps:
        raise ParameterError("steps", steps, expected="at least one step")
    known = {"stage": evidence.stages, "touchpoint": evidence.touchpoints}.get(level)
    if known is None:
        known = evidence.mapping["event"].tolist()
    for s in steps:
        if s not in known:
            raise ParameterError("steps", s, expected=list(known))
    return steps


def _wilson(frame, k, n, prefix=""):
    low, high = wilson_interval(frame[k].to_numpy(float), frame[n].to_numpy(float))
    frame[f"{prefix}ci_low"], frame[f"{prefix}ci_high"] = low, high
    return frame


def _table(evidence, by):
    """The table to count from: the stored narrow one (:attr:`Evidence.narrow`) when the events
    are its projection and it has the ``by`` columns, otherwise the prepared events."""
    core = getattr(evidence, "narrow", None)
    return core if core is not None and set(by) <= set(core.columns) else evidence.events


def _company_rows(evidence, t):
    """Per row of ``t`` (the prepared events or the stored narrow table), whether it is a contact
    the company started (a touchpoint marked ``initiated_by: company``); None when the journey
    marks none. The one rule by which the customer's own steps are told apart (D14)."""
    company = list(getattr(evidence, "company_touchpoints", None) or [])
    if not company:
        return None
    if t is getattr(evidence, "narrow", None):
        names = list(evidence.touchpoints)
        return t._tp.isin([names.index(c) + 1 for c in company]).fill_null(False)
    return t.touchpoint.isin(company).fill_null(False)


def _contact_stages(evidence) -> frozenset:
    """Stages every touchpoint of which is a contact the company starts (a monthly bill): the
    customer comes to them only so, so that contact is their step there and counts as their own
    (D177); elsewhere a contact is not the customer arriving (D119)."""
    rules = list(getattr(evidence, "rules", None) or [])
    own = {r.stage for r in rules if r.initiated_by != "company"}
    return frozenset(r.stage for r in rules if r.initiated_by == "company" and r.stage not in own)


def _groups(evidence, by):
    """All by-groups that have customers, with their customer counts (pandas)."""
    if not by:
        return pd.DataFrame({"n_customers": [int(evidence.n_customers)]})
    def count():
        t = _table(evidence, by)
        first = t.filter(t.position == 1)          # one row per customer; by-columns are per customer
        return _order_groups(evidence, to_pandas(first.group_by(by).agg(n_customers=first.count())), by)
    return kept_answer(evidence, ("groups", tuple(by)), count)


def _order_groups(evidence, frame, by):
    """Sort by-groups: personas in file order, others by value; missing groups last."""
    keys = []
    for b in by:
        vals = frame[b]
        if b == "persona" and evidence.personas:
            order = {p: i for i, p in enumerate(evidence.personas)}
            keys.append(vals.map(lambda v: order.get(v, len(order))).astype(float))
        else:
            keys.append(vals)
    if not by:
        return frame
    tmp = frame.assign(**{f"_k{i}": k for i, k in enumerate(keys)})
    tmp = tmp.sort_values([f"_k{i}" for i in range(len(keys))], na_position="last", kind="stable")
    out = tmp.drop(columns=[f"_k{i}" for i in range(len(keys))]).reset_index(drop=True)
    if "persona" in by:                  # how charts name the group without a persona
        out.attrs["nobody"] = getattr(evidence, "nobody", NO_PERSONA)
    return out


def _complete(evidence, frame, by, steps, groups, value_cols):
    """Cross all groups × steps so that zero rows stay, in journey order."""
    grid = pd.DataFrame({"step_index": range(1, len(steps) + 1), "step": steps})
    full = grid.merge(groups, how="cross") if by else grid.assign(n_customers=groups["n_customers"].iloc[0])
    out = full.merge(frame, on=["step_index", *by], how="left")
    for c in value_cols:
        out[c] = out[c].fillna(0).astype("int64")
    if by:
        out = _order_groups(evidence, out.sort_values("step_index", kind="stable"), by)
    return out
