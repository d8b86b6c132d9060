"""Sample worlds: seeded, deterministic synthetic customers with planted truths.

Three worlds follow the reference journeys of the kit:

- ``"ecommerce"`` — running shoes online: Awareness → Consideration → Decision → Post-purchase.
- ``"b2b"`` — a B2B service provider: Initial inquiry → Qualification → Proposal review →
  Contract signing → Onboarding and delivery.
- ``"grocery"`` — an online grocery shop, shaped like a retailer's first export on purpose:
  behaviour only (customers, events, orders), a repeated purchase (``order_placed`` is the
  first and every repeat order), bulk company mailings, a date-only event, customers missing
  from the customer table and personas that do not cover everyone: Awareness → Browse →
  First order → Delivery → Restock → Repeat order.

:func:`generate_world` writes the canonical tables a world has (``customers``, ``events``,
``surveys``, ``feedback``, ``orders``, ``tickets``; see ``docs/contracts.md``; the grocery
world has no surveys, feedback or tickets and writes no file for them), the true persona of every
customer (``customer_personas``; it is *not* a column of ``customers``, so clustering has to
rediscover it), the journey file the data belongs to (``journey.yaml``) and a ``README.md``.
The facts planted in the data (persona rules and sizes, a checkout step where one persona drops
off, slow stages, emotional lows and highs, feedback themes with their key words, personal data
planted in free text, unmatched events) are the **answer key** — of the tests, which assert
that the analyses find them, and of the teaching track. It is kept out of the world's folder,
so that learners who open it find data, not answers: ``generate_world(..., truths_file=…)``
writes it as JSON and Markdown where asked; the keys of the bundled worlds are in
``jmtools/sample_worlds/truths/`` (:func:`truths_path`, :func:`load_truths`).

Customers are simulated in chunks of ``chunk_customers`` (numpy, vectorised per journey step),
each chunk from its own seed ``SeedSequence([seed, world, chunk])``, and streamed to the output
files, so memory stays bounded at 10M+ events. The same seed, size and chunk size give
byte-identical files.

:func:`generate_change_world` writes the e-commerce world with a planted change (a fix
applied from a date, for one persona, with its true effect in ``truths.json``) or its
no-change twin (:mod:`jmtools.sample_worlds.change`).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from jmtools.core.errors import ParameterError
from jmtools.core.resources import templates_dir
from jmtools.sample_worlds import b2b, ecommerce, grocery
from jmtools.sample_worlds._readme import split_answer_key
from jmtools.sample_worlds._writer import truths_json, write_world
from jmtools.sample_worlds.change import CHANGE_DATE, change_truths, generate_change_world

__all__ = ["WORLDS", "DEFAULT_CUSTOMERS", "DEFAULT_CHUNK_CUSTOMERS", "generate_world",
           "template_path", "truths_dir", "truths_path", "load_truths", "generate_change_world",
           "change_truths", "CHANGE_DATE"]

#: Names of the sample worlds.
WORLDS = ("ecommerce", "b2b", "grocery")

#: Size of the committed samples in ``data/<world>/`` (customers or accounts).
DEFAULT_CUSTOMERS = {"ecommerce": 4000, "b2b": 600, "grocery": 3000}

#: Customers simulated per chunk (and written per Parquet row group). Part of the seed:
#: another chunk size gives other (equally valid) data.
DEFAULT_CHUNK_CUSTOMERS = 25_000

_FORMATS = ("sample", "parquet")


def _world(name: str):
    if name == "ecommerce":
        return ecommerce.WORLD
    if name == "b2b":
        return b2b.WORLD
    if name == "grocery":
        return grocery.WORLD
    raise ParameterError("world", name, expected=list(WORLDS))


def template_path(world: str) -> Path:
    """Path of the journey template a world follows (``templates/journeys/*.yaml``).

    Examples
    --------
    >>> template_path("b2b").name
    'b2b_service.yaml'
    """
    path = templates_dir() / "journeys" / _world(world).template
    if not path.exists():
        raise FileNotFoundError(f"journey template {path.name} not found in {path.parent}; "
                                "reinstall jmtools or restore templates/journeys/")
    return path


def truths_dir() -> Path:
    """Folder of the answer keys of the bundled sample worlds (``<world>.json``, ``<world>.md``)."""
    return Path(__file__).resolve().parent / "truths"


def truths_path(world: str) -> Path:
    """The answer key (JSON) of a bundled sample world: what was planted in ``data/<world>/``.

    Examples
    --------
    >>> truths_path("b2b").name
    'b2b.json'
    """
    _world(world)
    return truths_dir() / f"{world}.json"


def load_truths(world: str) -> dict:
    """The planted truths of a bundled sample world, as written by :func:`generate_world`.

    Examples
    --------
    >>> load_truths("ecommerce")["funnel"]["drop_off"]["persona"]
    'Budget Ben'
    """
    path = truths_path(world)
    if not path.exists():
        raise FileNotFoundError(f"the answer key of the sample world {world!r} is missing ({path}); "
                                f"regenerate it: jmtools sample-data --world {world}")
    return json.loads(path.read_text(encoding="utf-8"))


def generate_world(world: str, out_dir, *, customers: int | None = None, seed: int = 7,
                   fmt: str = "sample", chunk_customers: int = DEFAULT_CHUNK_CUSTOMERS,
                   truths_file=None) -> dict:
    """Simulate a sample world and write its tables, journey file and README (and its answer key).

    Parameters
    ----------
    world : {"ecommerce", "b2b", "grocery"}
        Which world (see :data:`WORLDS`).
    out_dir : str or Path
        Directory to write to (created if needed). Files of the same names are replaced, and
        a table's file in the other format (``events.csv`` when writing ``events.parquet``…)
        or of a table the world does not have (``surveys.csv`` for ``"grocery"``) is removed,
        so no stale copy is left beside the new ones.
    customers : int, optional
        Number of customers (accounts in ``b2b``); default :data:`DEFAULT_CUSTOMERS`.
        E-commerce makes about 18 events per customer, B2B about 40 per account, grocery
        about 30 (half of them mailings).
    seed : int, default 7
        Seed; the same seed, size and chunk size give byte-identical files.
    fmt : {"sample", "parquet"}, default "sample"
        ``"sample"`` writes events as Parquet and every other table as CSV (for spreadsheets);
        ``"parquet"`` writes every table as Parquet (for large worlds).
    chunk_customers : int, default 25000
        Customers simulated per chunk; bounds memory, and is one Parquet row group per chunk.
    truths_file : str or Path, optional
        Where to write the answer key: the planted truths as JSON here, and as Markdown beside
        it (same name, ``.md``). Default: not written (the summary holds them). Not inside
        ``out_dir``: learners who open the data folder should find data, not answers (a
        ``truths.json`` left there by an older version is removed).

    Returns
    -------
    dict
        ``world``, ``seed``, ``customers``, ``fmt``, ``chunks``, ``rows`` (table → row count,
        for the tables the world has), ``truths`` (the planted truths), ``paths`` (table →
        file path, plus ``journey``, ``readme`` and, when written, ``truths`` and
        ``answer_key``).

    Examples
    --------
    >>> import tempfile
    >>> out = tempfile.mkdtemp()
    >>> summary = generate_world("b2b", out, customers=40, seed=1)
    >>> sorted(summary["rows"])
    ['customer_personas', 'customers', 'events', 'feedback', 'orders', 'surveys', 'tickets']
    >>> summary["rows"]["customers"]
    40
    >>> sorted(generate_world("grocery", out, customers=40, seed=1)["rows"])
    ['customer_personas', 'customers', 'events', 'orders']
    """
    spec = _world(world)
    customers = spec.default_customers if customers is None else customers
    _check_int("customers", customers, 1)
    customers = int(customers)
    _check_int("chunk_customers", chunk_customers, 1)
    _check_int("seed", seed, 0)
    if fmt not in _FORMATS:
        raise ParameterError("fmt", fmt, expected=list(_FORMATS))
    out = Path(out_dir)
    key = None if truths_file is None else Path(truths_file)
    if key is not None and key.resolve().parent == out.resolve():
        raise ParameterError("truths_file", str(truths_file),
                             expected="a path outside out_dir (the answer key stays out of the data folder)",
                             fix=f"e.g. {out.parent / 'truths' / (world + '.json')}")
    out.mkdir(parents=True, exist_ok=True)
    summary = write_world(spec, out, customers=customers, seed=seed, fmt=fmt,
                          chunk_customers=chunk_customers)
    journey = out / "journey.yaml"
    shutil.copyfile(template_path(world), journey)
    summary["paths"]["journey"] = str(journey)
    readme_text, key_text = split_answer_key(spec.readme(summary["truths"], fmt=fmt), world)
    readme = out / "README.md"
    readme.write_text(readme_text, encoding="utf-8")
    summary["paths"]["readme"] = str(readme)
    (out / "truths.json").unlink(missing_ok=True)        # the old place, inside the data folder
    if key is not None:
        key.parent.mkdir(parents=True, exist_ok=True)
        key.write_text(truths_json(summary["truths"]), encoding="utf-8")
        key.with_suffix(".md").write_text(key_text, encoding="utf-8")
        summary["paths"].update(truths=str(key), answer_key=str(key.with_suffix(".md")))
    return summary


def _check_int(name: str, value, low: int) -> None:
    import numbers

    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ParameterError(name, value, expected=f"an integer >= {low}")
