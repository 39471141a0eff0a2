"""Timing: a Timer for code blocks and ``time_tensorflow_run`` for repeated TensorFlow steps.

``time_tensorflow_run`` follows TensorFlow's old TF1 benchmark scripts (AlexNet, ResNet-152): run a few burn-in
steps that are not counted (graph optimisation, memory allocation, caches), then time N steps and
report the mean and standard deviation per step.
"""
import math
import time
from dataclasses import dataclass, field

from utils.checks import whole_number


@dataclass
class TimingResult:
    """Seconds per step of a repeated run: ``mean``, ``sd`` and the raw ``times``."""
    name: str
    times: list = field(repr=False)

    @property
    def mean(self):
        return sum(self.times) / len(self.times)

    @property
    def sd(self):
        m = self.mean
        return math.sqrt(sum((t - m) ** 2 for t in self.times) / len(self.times))

    def __str__(self):
        return f"{self.name}: {self.mean:.4f} +/- {self.sd:.4f} s/step over {len(self.times)} steps"


class Timer:
    """Wall-clock timer: ``with Timer() as t: ...`` then ``t.elapsed``; ``t.lap()`` records laps.

    >>> t = Timer()
    >>> with t:
    ...     pass
    >>> t.elapsed >= 0
    True
    """

    def __init__(self, name="timer"):
        self.name = name
        self.laps = []
        self.elapsed = None
        self._start = self._last = None

    def __enter__(self):
        self._start = self._last = time.perf_counter()
        return self

    def __exit__(self, *exc):
        self.elapsed = time.perf_counter() - self._start
        return False

    def lap(self):
        """Seconds since the previous lap (or the start); also appended to ``laps``."""
        if self._start is None:
            raise RuntimeError("Timer.lap() called outside `with Timer() as t:`; enter the timer first")
        now = time.perf_counter()
        self.laps.append(now - self._last)
        self._last = now
        return self.laps[-1]

    def result(self):
        """The laps as a :class:`TimingResult` (mean and sd)."""
        if not self.laps:
            raise RuntimeError("no laps recorded: call t.lap() after each step")
        return TimingResult(self.name, list(self.laps))


def time_tensorflow_run(target, fetches=None, feed_dict=None, num_steps=10, num_burn_in=2,
                        name="step", verbose=False):
    """Time ``num_steps`` runs of a TensorFlow step after ``num_burn_in`` uncounted ones.

    target: a ``tf.compat.v1.Session`` (then ``fetches`` and optional ``feed_dict`` are run with
        ``session.run``), or any callable (a Python function or a ``tf.function``) taking no
        arguments. A callable's result is read back to the host (``.numpy()``), as ``session.run``
        does, so asynchronous work is not left out of the time.
    Returns a :class:`TimingResult`; with ``verbose`` it is also printed.
    """
    if hasattr(target, "run") and hasattr(target, "graph"):
        if fetches is None:
            raise ValueError("time_tensorflow_run(session, ...) needs fetches=: the tensors or ops to run")
        def step():
            return target.run(fetches, feed_dict=feed_dict)
    elif callable(target):
        if fetches is not None or feed_dict is not None:
            raise ValueError("fetches/feed_dict go with a Session; for a callable, close over the inputs")
        def step():
            return to_host(target())
    else:
        raise TypeError(f"target must be a tf.compat.v1.Session or a callable, not {type(target).__name__}")
    whole_number("num_steps", num_steps, minimum=1, example=10)
    whole_number("num_burn_in", num_burn_in, minimum=0, example=2)
    for _ in range(num_burn_in):
        step()
    times = []
    for _ in range(num_steps):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    result = TimingResult(name, times)
    if verbose:
        print(result)
    return result


def to_host(value):
    """Bring tensors (possibly nested in lists/tuples/dicts) back to NumPy, waiting for them."""
    if hasattr(value, "numpy"):
        return value.numpy()
    if isinstance(value, (list, tuple)):
        return type(value)(to_host(v) for v in value)
    if isinstance(value, dict):
        return {k: to_host(v) for k, v in value.items()}
    return value
