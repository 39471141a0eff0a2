"""Print the per-notebook wall times of the last `make test` as a Markdown table for the README.

usage: python tests/report_durations.py build/test-durations.json
"""
import json
import sys
from pathlib import Path

path = Path(sys.argv[1] if len(sys.argv) > 1 else "build/test-durations.json")
if not path.exists():
    sys.exit(f"{path}: not found; run `make test` first, it writes this file")
data = json.loads(path.read_text())
print("| notebook | wall time under `make test` (s) |")
print("|---|---:|")
for notebook, seconds in data["notebooks"].items():
    print(f"| {Path(notebook).name} | {seconds:.0f} |")
print(f"| **whole test run** | **{data['whole_run_seconds']:.0f}** |")
