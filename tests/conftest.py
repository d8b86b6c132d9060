"""Shared test data, built once per test session.

The sample worlds (``data/ecommerce``, ``data/b2b``, ``data/grocery``) are loaded once and
handed to every test file through the session fixtures below (``sample_worlds``,
``ecommerce_world``, ``b2b_world``, ``grocery_world``); each expensive piece (the loaded world, the persona assignment, the prepared
evidence) is computed on first use only. Frames are handed out as copies, so a test that
changes one cannot change what the next test sees.

Kernel runs (``notebook_runs``, see tests/notebook_runs.py) start in the background right after
collection; ``feedback_maya_run`` is the tiny fixture notebook
``tests/notebooks/chart_records_feedback.ipynb`` run once for persona Maya.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"
WORLDS = ("ecommerce", "b2b", "grocery")


class SampleWorld:
    """One sample world, loaded lazily: each attribute is computed once, on first use."""

    def __init__(self, name: str):
        self.name = name
        self.folder = DATA / name

    def __repr__(self) -> str:
        return f"<SampleWorld {self.name}>"

    @property
    def available(self) -> bool:
        from jmtools.sample_worlds import truths_path

        return truths_path(self.name).exists() and (self.folder / "journey.yaml").exists()

    @cached_property
    def truths(self) -> dict:
        """The planted truths (the world's answer key, kept out of its data folder)."""
        from jmtools.sample_worlds import load_truths

        return load_truths(self.name)

    @cached_property
    def world(self):
        """``jmtools.sources.load_world(folder)``."""
        from jmtools.sources import load_world

        return load_world(self.folder)

    @property
    def journey(self):
        return self.world.journey

    @cached_property
    def _frames(self) -> dict:
        return {}

    def table(self, kind: str):
        """A loaded table as pandas (``world.tables[kind].to_pandas()``), a fresh copy per call."""
        if kind not in self._frames:
            self._frames[kind] = self.world.tables[kind].to_pandas()
        return self._frames[kind].copy()

    def read(self, name: str, **kw):
        """A file of the folder read by pandas alone (``events.parquet``, ``customers.csv``…)."""
        import pandas as pd

        path = self.folder / name
        return pd.read_parquet(path, **kw) if path.suffix == ".parquet" else pd.read_csv(path, **kw)

    @cached_property
    def _assignment(self):
        from jmtools.personas import assign_personas

        return assign_personas(self.table("customers"), self.journey)

    @property
    def assignment(self):
        """``assign_personas(customers, journey)`` (every column), a fresh copy per call."""
        return self._assignment.copy()

    @property
    def personas(self):
        """``customer_id, persona`` of :attr:`assignment`."""
        return self._assignment[["customer_id", "persona"]].copy()

    @cached_property
    def prepared(self):
        """``pipeline.prepare_world(world)``: the persona-independent half of a run, done once."""
        from jmtools import pipeline

        return pipeline.prepare_world(self.world)

    @cached_property
    def evidence(self):
        """``prepare(events, journey, customers=customers)`` on the loaded tables."""
        from jmtools.evidence import prepare

        return prepare(self.world.tables["events"], self.journey,
                       customers=self.world.tables.get("customers"))


@pytest.fixture(scope="session")
def sample_worlds() -> dict[str, SampleWorld]:
    """The sample worlds by name; each is loaded on first use."""
    return {name: SampleWorld(name) for name in WORLDS}


def _available(world: SampleWorld) -> SampleWorld:
    if not world.available:
        pytest.skip(f"sample world {world.name} not generated (jmtools sample-data)")
    return world


@pytest.fixture(scope="session")
def ecommerce_world(sample_worlds) -> SampleWorld:
    return _available(sample_worlds["ecommerce"])


@pytest.fixture(scope="session")
def b2b_world(sample_worlds) -> SampleWorld:
    return _available(sample_worlds["b2b"])


@pytest.fixture(scope="session")
def grocery_world(sample_worlds) -> SampleWorld:
    """Behaviour only (customers, events, orders): ``table("surveys")`` raises KeyError."""
    return _available(sample_worlds["grocery"])


@pytest.fixture(scope="session")
def table_subset(tmp_path_factory):
    """``table_subset(name)``: the data folder of a table subset (tests/table_subsets.py), built
    once per session on first use."""
    import table_subsets

    if not table_subsets.available():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    base, built = tmp_path_factory.mktemp("table-subsets"), {}

    def folder(name: str) -> Path:
        if name not in built:
            built[name] = table_subsets.make_subset(name, base / name.replace("+", "_"))
        return built[name]

    return folder


@pytest.fixture(scope="session")
def stageless_folder(tmp_path_factory) -> Path:
    """Events and customers beside a survey and a feedback export that name no stage or
    touchpoint (tests/stageless.py), built once per session."""
    import stageless

    if not stageless.available():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    return stageless.stageless_world(tmp_path_factory.mktemp("stageless") / "world")


@pytest.fixture()
def ecommerce_copy(tmp_path) -> Path:
    """A copy of the e-commerce sample world's folder that a test may change."""
    import shutil

    folder = tmp_path / "world"
    shutil.copytree(DATA / "ecommerce", folder)
    return folder


@pytest.fixture()
def unmarked_ecommerce(ecommerce_copy) -> Path:
    """The e-commerce sample world as it was before D172: no touchpoint takes a later order, so
    its 330 repeat buyers' second round counts as loops and detours."""
    from journey_samples import unmark_repeat_orders

    path = ecommerce_copy / "journey.yaml"
    path.write_text(unmark_repeat_orders(path.read_text(encoding="utf-8"))[1], encoding="utf-8")
    return ecommerce_copy


@pytest.fixture(scope="session")
def prefixed_ids_folder(tmp_path_factory) -> Path:
    """The e-commerce world whose customer table writes each id with a prefix and zeros
    (``C0000123`` in the events, ``CUST-000000123`` in customers.csv), as an outside tester's
    exports did (D145, D154); built once per session."""
    import shutil

    import pandas as pd

    if not (DATA / "ecommerce" / "customers.csv").exists():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    folder = tmp_path_factory.mktemp("prefixed-ids") / "world"
    shutil.copytree(DATA / "ecommerce", folder)
    customers = pd.read_csv(folder / "customers.csv", dtype={"customer_id": str})
    customers["customer_id"] = [f"CUST-{int(v.lstrip('C')):09d}" for v in customers["customer_id"]]
    customers.to_csv(folder / "customers.csv", index=False)
    (folder / "customer_personas.csv").unlink()     # the planted truth, keyed like the events
    return folder


@pytest.fixture(scope="session")
def feedback_maya_run(notebook_runs):
    """The fixture notebook run once for persona Maya (runner and browser tests share it)."""
    return notebook_runs.get("feedback_maya")[1]


# ------------------------------------------------------------------ notebook runs (kernels)
_RUNS = None
#: Under pytest-xdist: the folder the test processes share their notebook runs in (made by the
#: controlling process, handed to each test process, removed at the end).
_SHARED_KEY = "jmtools_notebook_runs"


def _runs(config=None):
    global _RUNS
    if _RUNS is None:
        from notebook_runs import NotebookRuns

        shared = getattr(config, "workerinput", {}).get(_SHARED_KEY) if config is not None else None
        _RUNS = NotebookRuns(shared)
    return _RUNS


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node):
    """pytest-xdist: every test process gets the one folder of notebook runs."""
    import tempfile

    config = node.config
    if not hasattr(config, "_jm_shared_runs"):
        config._jm_shared_runs = tempfile.mkdtemp(prefix="jmtools-notebook-runs-")
    node.workerinput[_SHARED_KEY] = config._jm_shared_runs


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(session, config, items):
    """Start the notebook runs the selected tests use, in the background, right away."""
    if config.option.collectonly:
        return
    from notebook_runs import USED_BY

    needed = {name for item in items if "notebook_runs" in getattr(item, "fixturenames", ())
              for name in USED_BY.get(item.path.name, ())}
    if needed:
        _runs(config).start(needed)


def pytest_sessionfinish(session, exitstatus):
    if _RUNS is not None:
        _RUNS.close()
    shared = getattr(session.config, "_jm_shared_runs", None)
    if shared is not None:                  # the controlling process of pytest-xdist
        import shutil

        shutil.rmtree(shared, ignore_errors=True)


@pytest.fixture(scope="session")
def notebook_runs(pytestconfig):
    """The kernel runs of the report notebooks (``tests/notebook_runs.py``): ``.get(name)``."""
    return _runs(pytestconfig)


@pytest.fixture(scope="module")
def local_spark():
    """A local[2] Spark session in UTC for a module's Spark checks; skips when pyspark or Java is missing."""
    import importlib.util
    import shutil

    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        pytest.skip("pyspark or Java is missing — the Spark path is not tested here")
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("jmtools-tests")
               .config("spark.sql.shuffle.partitions", "2").config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
