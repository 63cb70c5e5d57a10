"""Run the benchmarks: one JSON object per line.

    python benchmarks/run.py [--only NAME]

Each line is ``{"name", "value", "unit", "baseline", "baseline_label"}``; the
baseline is the naive way, measured in the same run on the real data in
``../shared``.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

#: benchmark name → module (in ``benchmarks/``) with ``run() -> list[dict]``.
BENCHMARKS = {
    "map_payload": "benchmarks.map_payload",
    "exposure": "benchmarks.exposure_bench",
    "library_page": "benchmarks.library_page",
    "readiness_board": "benchmarks.readiness_board",
    "activation": "benchmarks.activation_bench",
    "wind_skill": "benchmarks.wind_skill",
    "weak_link": "benchmarks.weak_link",  # landing_payload, map_first_paint
    "rerun_throughput": "benchmarks.rerun_throughput",  # _landing, _map
}

FIELDS = ("name", "value", "unit", "baseline", "baseline_label")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--only", choices=sorted(BENCHMARKS), help="run one benchmark")
    args = parser.parse_args(argv)
    names = [args.only] if args.only else list(BENCHMARKS)
    for name in names:
        module = importlib.import_module(BENCHMARKS[name])
        for result in module.run():
            missing = [f for f in FIELDS if f not in result]
            if missing:
                raise SystemExit(f"benchmark {name} returned no {', '.join(missing)}")
            print(
                json.dumps({f: result[f] for f in FIELDS}, ensure_ascii=False),
                flush=True,
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
