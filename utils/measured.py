"""Measured values: numbers printed with the band within which another machine may reproduce them.

The course has two kinds of output.

* **Exact** outputs (shapes, parameter and FLOP counts, op names, identities checked to machine
  precision, error messages) come out the same on every machine, and strict nbval compares them
  character by character.
* **Measured** outputs (what a training run or a float reduction of many terms produces) depend on
  the CPU: oneDNN picks other kernels on another instruction set (AVX2, AVX-512, AMX, ARM), float
  sums run in another order, and a trained accuracy moves in its second or third decimal. On one
  machine they are still the same every run.

A measured value is printed with its band, ``0.896 ±0.02`` (absolute) or ``1.394 ±5%`` (relative
to the value), by :func:`measured`. The reader sees how far the number may move, and the course's
nbval plugin (``tests/nbval_measured.py``) enforces it: a computed value within the band of the
stored one counts as equal, one outside fails the test with both numbers and the band. Everything
else in the output, the band itself included, is still compared exactly::

    print(f"test accuracy {utils.measured(acc, 0.02)}")       # test accuracy 0.896 ±0.02
    print(f"final loss {utils.measured(loss, '10%')}")         # final loss 0.373 ±10%

A band is a claim about the spread between machines, measured with ``make check-drift``: it
must cover that spread with a margin, and be narrow enough that a real change (a broken layer, a
wrong learning rate) falls outside it.
"""
import math
import re

# "0.896 ±0.02", "1.394 ±5%", "1.1e-09 ±20%", "-0.25 ±0.1": a number, one space, "±", the band.
MEASURED = re.compile(r"(?<![\w.])(?P<value>-?\d+(?:\.\d+)?(?:e[-+]?\d+)?) ±(?P<band>\d+(?:\.\d+)?)(?P<percent>%?)")


def measured(value, band, digits=3):
    """``value`` with ``digits`` decimals and its band: ``measured(0.8962, 0.02) == "0.896 ±0.02"``.

    band: an absolute tolerance (a number, e.g. ``0.02`` for an accuracy) or a relative one (a
    string ending in ``%``, e.g. ``"5%"`` for a loss). ``digits="e"`` prints two significant
    digits in scientific notation, for values that span orders of magnitude (use a % band).
    """
    relative = isinstance(band, str)
    if relative:
        if not re.fullmatch(r"\d+(\.\d+)?%", band):
            raise ValueError(f"measured(band={band!r}): a relative band is a string like '5%'; "
                             f"an absolute band is a number like 0.02")
        band_text = band
    else:
        if not (isinstance(band, (int, float)) and band > 0 and math.isfinite(band)):
            raise ValueError(f"measured(band={band!r}): the band must be a positive number "
                             f"(absolute, e.g. 0.02) or a string like '5%' (relative)")
        band_text = f"{band:g}"
    if not (digits == "e" or (isinstance(digits, int) and not isinstance(digits, bool) and digits >= 0)):
        raise ValueError(f"measured(digits={digits!r}): give a number of decimals >= 0, e.g. digits=3, "
                         f"or digits='e' for scientific notation")
    try:
        value = float(value)
    except (TypeError, ValueError):
        raise TypeError(f"measured(value={value!r}): the value must be a number (a float, a NumPy or "
                        f"TensorFlow scalar), e.g. measured(history['accuracy'][-1], 0.02)") from None
    if not math.isfinite(value):
        # nan or inf is an outcome (a run that diverged), the same on every machine: compared exactly.
        return f"{value}"
    number = f"{value:.1e}" if digits == "e" else f"{value:.{digits}f}"
    return f"{number} ±{band_text}"


def within(stored, computed):
    """Whether the measured token ``computed`` (a :data:`MEASURED` match) lies in ``stored``'s band."""
    if (stored["band"], stored["percent"]) != (computed["band"], computed["percent"]):
        return False  # the band is part of the text: changing it is a change of the notebook
    s, c, band = float(stored["value"]), float(computed["value"]), float(stored["band"])
    limit = band / 100 * abs(s) if stored["percent"] else band
    return abs(c - s) <= limit * (1 + 1e-9)


def reconcile(stored, computed):
    """Compare the measured values of two texts; return ``(computed_text, problems)``.

    Each measured value of ``computed`` that lies within the band of the stored value at the same
    place is replaced by the stored text, so that an exact comparison of the two texts then
    compares everything else. Values outside their band are left as they are and described in
    ``problems``. Texts with a different number of measured values are returned unchanged (the
    exact comparison reports them).
    """
    s_tokens, c_tokens = list(MEASURED.finditer(stored)), list(MEASURED.finditer(computed))
    if not s_tokens or len(s_tokens) != len(c_tokens):
        return computed, []
    pieces, problems, end = [], [], 0
    for s, c in zip(s_tokens, c_tokens):
        pieces.append(computed[end:c.start()])
        end = c.end()
        if within(s, c):
            pieces.append(s.group(0))
            continue
        pieces.append(c.group(0))
        where = computed[:c.start()].rsplit("\n", 1)[-1].strip()[-60:]
        if (s["band"], s["percent"]) != (c["band"], c["percent"]):
            problems.append(f"band changed: stored {s.group(0)}, computed {c.group(0)} (after {where!r})")
        else:
            problems.append(f"measured value outside its band: stored {s.group(0)}, computed "
                            f"{c['value']} (after {where!r})")
    pieces.append(computed[end:])
    return "".join(pieces), problems
