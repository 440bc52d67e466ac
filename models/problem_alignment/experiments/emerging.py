"""`bench/emerging.py` with another problem encoder (MODEL_CARD.md, the emerging table).

    .venv/bin/python models/problem_alignment/experiments/emerging.py hashed --seed 1
    .venv/bin/python models/problem_alignment/experiments/emerging.py bilingual --seed 1

bench/emerging.py builds `ProblemModel("Kaffeekraft")` with the default encoder; this sets
that default for the run, then runs the benchmark unchanged.
"""

from __future__ import annotations

import runpy
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT))

from pipeline.nlp.problems import ProblemModel  # noqa: E402


def main() -> None:
    defaults = ProblemModel.__init__.__kwdefaults__
    assert defaults is not None
    defaults["encoder"] = sys.argv[1]
    sys.argv = [str(ROOT / "bench" / "emerging.py"), *sys.argv[2:]]
    runpy.run_path(sys.argv[0], run_name="__main__")


if __name__ == "__main__":
    main()
