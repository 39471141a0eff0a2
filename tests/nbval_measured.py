"""pytest plugin: strict nbval, except that measured values are compared within their printed band.

Loaded by the repository's ``conftest.py`` (``pytest_plugins``). nbval compares each cell's
outputs as strings after sanitizing; it has no numeric tolerance. This plugin wraps nbval's
``IPyNbCell.compare_outputs``: before nbval compares, every measured value of a computed output
(``0.896 ±0.02``, see ``utils/measured.py``) that lies within the band of the stored value at the
same place is replaced by the stored text. Then nbval's exact comparison runs as before, so all
exact output (counts, shapes, the bands themselves, the words around the numbers) must still match
character by character, and a measured value outside its band fails the cell with a line naming
both values and the band, above nbval's usual diff.
"""
import copy
from collections import defaultdict

from nbval.plugin import IPyNbCell

from utils.measured import reconcile

_nbval_compare_outputs = IPyNbCell.compare_outputs


def _text_fields(output):
    """(container, key) pairs of an output's text: a stream's text, or a display's text/* data."""
    if output.get("output_type") == "stream":
        return [(output, "text")]
    data = output.get("data", {})
    return [(data, key) for key in data if key.startswith("text/") and isinstance(data[key], str)]


def reconcile_outputs(computed, stored):
    """Computed outputs with in-band measured values replaced by the stored text, and the problems.

    Outputs are matched in order within each kind (stdout, stderr, execute_result, ...), as nbval
    matches them.
    """
    computed = copy.deepcopy(list(computed))
    by_kind = defaultdict(list)
    for output in stored:
        by_kind[(output.get("output_type"), output.get("name"))].append(output)
    seen = defaultdict(int)
    problems = []
    for output in computed:
        kind = (output.get("output_type"), output.get("name"))
        index, seen[kind] = seen[kind], seen[kind] + 1
        if index >= len(by_kind[kind]):
            continue
        reference = by_kind[kind][index]
        for (container, key), (ref_container, ref_key) in zip(_text_fields(output), _text_fields(reference)):
            if key == ref_key:
                text = container[key]
                container[key], found = reconcile(ref_container[ref_key], text)
                problems += found
    return computed, problems


def compare_outputs(self, test, ref, skip_compare=None):
    test, problems = reconcile_outputs(test, ref)
    same = _nbval_compare_outputs(self, test, ref, skip_compare)
    if problems:
        self.comparison_traceback[:0] = [f"{self.colors.FAIL}{p}{self.colors.ENDC}" for p in problems]
        return False
    return same


IPyNbCell.compare_outputs = compare_outputs
