"""The same questions as ``bench_floor.py`` asked of retentioneering, the open-source peer.

Runs only in a virtual environment of its own, outside the repository, never in jmtools'
(``python -m venv /some/where && /some/where/bin/pip install retentioneering pyarrow``), with
its telemetry off (``RETENTIONEERING_NO_TRACK=1``, set here before the import as well). It is
called by ``bench_floor.py --rete-python /some/where/bin/python``; on its own::

    RETENTIONEERING_NO_TRACK=1 /some/where/bin/python benchmarks/bench_retentioneering.py FOLDER KNOWLEDGE_JSON

``KNOWLEDGE_JSON`` is what ``bench_floor.knowledge`` prints: event names with their stage
index and the stage names. The questions as retentioneering asks them: load the Parquet file
into an ``Eventstream``; rename events to their stages; the strict stage funnel
(``funnel_data``, same semantics as jmtools'); transitions (``transition_graph_data`` with
``count`` and ``unique_paths``); the median time between consecutive stages
(``time_median`` on the stage stream — its own definition, not the strict funnel's, so it is
timed but not compared). Prints one JSON line: phase times and the funnel and transitions.
"""

from __future__ import annotations

import json
import os
import sys
import time

os.environ["RETENTIONEERING_NO_TRACK"] = "1"


def main(folder: str, k: dict) -> dict:
    import pandas as pd
    import retentioneering as rete

    stages = k["stages"]
    names = {e: stages[s - 1] for e, s in k["stage_of"].items() if s is not None}
    times = {}
    c_all = time.process_time()
    t_all = t = time.perf_counter()
    df = pd.read_parquet(os.path.join(folder, "events.parquet"), columns=["customer_id", "timestamp", "event"])
    stream = rete.Eventstream(df, schema={"path_cols": ["customer_id"]})
    times["load"] = time.perf_counter() - t
    t = time.perf_counter()
    staged = stream.rename_events(names)
    times["stages"] = time.perf_counter() - t
    t = time.perf_counter()
    f = staged.funnel_data(steps=stages)
    staged.transition_graph_data(edge_weight="time_median")
    times["funnel_time"] = time.perf_counter() - t
    t = time.perf_counter()
    count = stream.transition_graph_data(edge_weight="count")
    paths = stream.transition_graph_data(edge_weight="unique_paths")
    times["transitions"] = time.perf_counter() - t
    times["total"] = time.perf_counter() - t_all
    pairs = []
    synthetic = {"path_start", "path_end"}           # its own markers of where a path begins and ends
    for a in count.index:
        for b in count.columns:
            n = count.loc[a, b]
            if pd.notna(n) and n > 0 and not {str(a), str(b)} & synthetic:
                pairs.append([str(a), str(b), int(n), int(paths.loc[a, b])])
    result = {"funnel": [int(s["unique_paths"]) for s in f["steps"]], "transitions": sorted(pairs),
              "rows": int(len(df))}
    return {"times": times, "wall": times["total"], "cpu_timed": time.process_time() - c_all, "result": result}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1], json.loads(sys.argv[2]))))
