"""Print the per-notebook wall times of the last `make test` as a Markdown table for the README.

usage: python -m tools.report_durations [build/test-durations.json]   (``make timings``)

The file is written by the root conftest.py at the end of every pytest run that ran notebooks.
"""
import json
import sys
from pathlib import Path


def durations_table(data):
    """The Markdown table of ``data`` (the JSON conftest.py writes)."""
    lines = ["| notebook | wall time under `make test` (s) |", "|---|---:|"]
    lines += [f"| {Path(notebook).name} | {seconds:.0f} |" for notebook, seconds in data["notebooks"].items()]
    whole = data.get("whole_run_seconds")
    lines.append(f"| **whole test run** | **{'n/a' if whole is None else f'{whole:.0f}'}** |")
    return "\n".join(lines)


def main(argv):
    path = Path(argv[0] if argv else "build/test-durations.json")
    if not path.exists():
        sys.exit(f"{path}: not found; run `make test` first, it writes this file")
    try:
        data = json.loads(path.read_text())
        table = durations_table(data)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        sys.exit(f"{path}: not the durations file `make test` writes ({type(error).__name__}: {error}); "
                 "delete it and run `make test` again")
    print(table)


if __name__ == "__main__":
    main(sys.argv[1:])
