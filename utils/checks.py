"""Argument checks shared by the course's helpers: each error names the argument, the value and the fix."""
import numbers


def whole_number(name, value, minimum=1, example=None):
    """``value`` as an int if it is a whole number >= ``minimum``; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < minimum:
        hint = f", e.g. {name}={example}" if example is not None else ""
        raise ValueError(f"{name}={value!r}: must be a whole number >= {minimum}{hint}")
    return int(value)


def positive_number(name, value, example=None):
    """``value`` as a float if it is a number > 0; otherwise a ValueError naming ``name``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not value > 0:
        hint = f", e.g. {name}={example}" if example is not None else ""
        raise ValueError(f"{name}={value!r}: must be a number > 0{hint}")
    return float(value)


def whole_numbers(value, length):
    """``value`` as a tuple of ``length`` whole numbers >= 1, or None if it is not one."""
    try:
        items = tuple(value)
    except TypeError:
        return None
    if len(items) != length or not all(
            isinstance(i, numbers.Integral) and not isinstance(i, bool) and i >= 1 for i in items):
        return None
    return tuple(int(i) for i in items)


def image_size(name, value, example="(32, 32)"):
    """``value`` as a ``(height, width)`` tuple of whole numbers >= 1, or a ValueError naming ``name``."""
    size = whole_numbers(value, 2)
    if size is None:
        raise ValueError(f"{name}={value!r}: must be (height, width), two whole numbers >= 1, "
                         f"e.g. {name}={example}")
    return size
