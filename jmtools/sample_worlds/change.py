"""Sample worlds with a planted change: a fix applied from a date, for one persona, or nothing.

:func:`generate_change_world` writes the e-commerce world (same seed, same customers) where
the opportunity ``show-fees-early`` went live on ``date``: from then on the delivery fee is
shown early, so Budget Ben's chance to order once at the payment step rises by ``effect``
(0.40 → 0.40 + effect). With ``effect=0`` it is the *no-change* variant: the same files as
the plain world, with the same change date and target in the journey file, so a comparison
around the date has nothing to find.

The journey file carries the opportunity's ``change_date`` and ``target`` (touchpoint
Checkout, persona Budget Ben, going on = Order confirmation). The truths (the summary's
``truths``, and the answer key when ``truths_file`` is given, kept out of the data folder as
for every sample world) carry a ``change`` block with the true effect on each measure a
comparison may look at:

- ``payment_to_order``: the planted chance itself (checkout_payment → order_placed);
- ``checkout_to_order``: the opportunity's measure (reached Checkout → Order confirmation),
  the planted effect times Ben's chance to get from checkout_start to checkout_payment;
- ``decision_to_post_purchase``: the stage conversion, times his chance to start checkout.

Customers count as *after* when they reach the step after the date (the split of
:func:`jmtools.analyses.compare.split_by_date`); the planted effect acts on the payment
step, a few minutes later, so the few customers who start checkout before midnight and pay
after it are the only ones the split and the truth disagree on.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from pathlib import Path

from jmtools.core.errors import ParameterError
from jmtools.core.resources import templates_dir
from jmtools.journey import Journey
from jmtools.sample_worlds import ecommerce
from jmtools.sample_worlds._common import Effect
from jmtools.sample_worlds._engine import epoch_s
from jmtools.sample_worlds._readme import split_answer_key
from jmtools.sample_worlds._writer import truths_json, write_world

__all__ = ["CHANGE_DATE", "CHANGE_OPPORTUNITY", "generate_change_world", "change_truths"]

#: The default change date: half-way through the e-commerce world's six months.
CHANGE_DATE = "2026-06-01"
#: The opportunity that goes live, and where it acts.
CHANGE_OPPORTUNITY = {"id": "show-fees-early", "touchpoint": "Checkout", "persona": "Budget Ben",
                      "to": "Order confirmation"}


def change_truths(effect: float, date: str = CHANGE_DATE) -> dict:
    """The planted change as designed: before and after for each measure a comparison may use.

    Examples
    --------
    >>> t = change_truths(0.25)
    >>> t["measures"]["payment_to_order"]
    {'before': 0.4, 'after': 0.65, 'effect': 0.25}
    >>> round(t["measures"]["checkout_to_order"]["effect"], 4)
    0.1913
    """
    k = ecommerce.PERSONAS.index(CHANGE_OPPORTUNITY["persona"])
    order = float(ecommerce._ORDER[k])
    to_pay = float(ecommerce._SHIP[k] * ecommerce._PAY_REACH[k])
    to_checkout = float(ecommerce._START[k])

    def measure(scale: float) -> dict:
        before = scale * order
        after = scale * min(1.0, order + effect)
        return {"before": round(before, 6), "after": round(after, 6), "effect": round(after - before, 6)}

    return {"kind": "fix applied" if effect else "no change", "date": date,
            "opportunity": CHANGE_OPPORTUNITY["id"], "persona": CHANGE_OPPORTUNITY["persona"],
            "touchpoint": CHANGE_OPPORTUNITY["touchpoint"], "to": CHANGE_OPPORTUNITY["to"],
            "planted": effect,
            "measures": {"payment_to_order": measure(1.0), "checkout_to_order": measure(to_pay),
                         "decision_to_post_purchase": measure(to_pay * to_checkout)},
            "note": "the persona is the planted one (customer_personas); a persona rule selects "
                    "about 95% of the same customers"}


def generate_change_world(out_dir, *, effect: float = 0.25, date: str = CHANGE_DATE,
                          customers: int | None = None, seed: int = 7, fmt: str = "sample",
                          chunk_customers: int = 25_000, truths_file=None) -> dict:
    """Write the e-commerce world with a fix applied from ``date`` (or, ``effect=0``, without).

    Parameters
    ----------
    out_dir : str or Path
        Folder to write (as :func:`jmtools.sample_worlds.generate_world`).
    effect : float, default 0.25
        Added to Budget Ben's chance to order at the payment step from ``date`` on (0.40
        before); 0 gives the no-change variant.
    date : str, default :data:`CHANGE_DATE`
        The first day of the change (within 2026-03-02 … 2026-09-01, the world's months).
    customers, seed, fmt, chunk_customers, truths_file
        As for :func:`~jmtools.sample_worlds.generate_world` (the answer key, with the
        planted change, is written only when ``truths_file`` is given, outside ``out_dir``).

    Returns
    -------
    dict
        The summary of :func:`~jmtools.sample_worlds.generate_world`, with ``change`` (the
        truths' change block).

    Examples
    --------
    >>> import tempfile
    >>> out = generate_change_world(tempfile.mkdtemp(), effect=0.2, customers=300, seed=2)
    >>> out["change"]["kind"], out["change"]["measures"]["payment_to_order"]["after"]
    ('fix applied', 0.6)
    """
    if isinstance(effect, bool) or not isinstance(effect, (int, float)) or not -0.4 <= effect <= 0.6:
        raise ParameterError("effect", effect, expected="a change of the chance to order between "
                             "-0.4 and 0.6 (it is 0.40 before the change)", fix="use e.g. 0.25, or 0")
    try:
        day = dt.date.fromisoformat(str(date))
    except ValueError:
        raise ParameterError("date", date, expected="a date (YYYY-MM-DD)", fix="use 2026-06-01") from None
    if not dt.date(2026, 3, 3) <= day <= dt.date(2026, 9, 1):
        raise ParameterError("date", date, expected="a day within the world's months "
                             "(2026-03-03 to 2026-09-01)", fix=f"use {CHANGE_DATE}")
    spec = ecommerce.WORLD
    customers = spec.default_customers if customers is None else customers
    for name, value, low in (("customers", customers, 1), ("chunk_customers", chunk_customers, 1),
                             ("seed", seed, 0)):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ParameterError(name, value, expected=f"an integer >= {low}")
    planted = Effect("order", ecommerce.PERSONAS.index(CHANGE_OPPORTUNITY["persona"]),
                     epoch_s(dt.datetime.combine(day, dt.time())), float(effect))
    variant = dataclasses.replace(spec, simulate=functools.partial(ecommerce.simulate, effect=planted))
    out = Path(out_dir)
    key = None if truths_file is None else Path(truths_file)
    if key is not None and key.resolve().parent == out.resolve():
        raise ParameterError("truths_file", str(truths_file),
                             expected="a path outside out_dir (the answer key stays out of the data folder)",
                             fix=f"e.g. {out.parent / 'truths' / 'change.json'}")
    out.mkdir(parents=True, exist_ok=True)
    summary = write_world(variant, out, customers=int(customers), seed=seed, fmt=fmt,
                          chunk_customers=chunk_customers)
    journey = Journey.load(templates_dir() / "journeys" / spec.template)
    opportunity = next(o for o in journey.opportunities if o.id == CHANGE_OPPORTUNITY["id"])
    opportunity.change_date = day
    opportunity.target = {k: CHANGE_OPPORTUNITY[k] for k in ("touchpoint", "persona", "to")}
    summary["paths"]["journey"] = str(journey.save(out / "journey.yaml"))
    truths = summary["truths"]
    truths["change"] = change_truths(float(effect), day.isoformat())
    readme_text, key_text = split_answer_key(spec.readme(truths, fmt=fmt), "ecommerce")
    readme = out / "README.md"
    readme.write_text(readme_text + _README.format(**truths["change"]), encoding="utf-8")
    summary["paths"]["readme"] = str(readme)
    (out / "truths.json").unlink(missing_ok=True)
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(truths_json(truths), encoding="utf-8")
        key.with_suffix(".md").write_text(key_text + _KEY.format(**truths["change"]), encoding="utf-8")
        summary["paths"].update(truths=str(key), answer_key=str(key.with_suffix(".md")))
    summary["change"] = truths["change"]
    return summary


_README = """
## The change to measure

The opportunity `{opportunity}` went live on {date} for {persona} (`journey.yaml` carries its
`change_date` and `target`). Whether it worked, and by how much, is for
`jmtools.pipeline.measure_opportunity` to find; the planted effect is in the answer key.
"""

_KEY = """
## The planted change ({kind})

From {date} on, {persona}'s chance to order at the payment step moves by {planted:+.2f} (it is
0.40 before). The JSON beside this file has the true effect on each measure under `change`.
"""
