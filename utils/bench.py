"""Benchmark the course's architectures three ways: TF1 Session, tf.function and XLA.

Chapter 17's library. The command that runs it for every architecture is ``tools/bench.py``
(``make bench``), from the repository root::

    python -m tools.bench                 # --quick: small batch and inputs, a few minutes on 2 cores
    python -m tools.bench --full          # ImageNet sizes (224x224) for the big models: much longer
    python -m tools.bench --models lenet alexnet --out build/bench

For every architecture it times two passes, as TensorFlow's old TF1 benchmark scripts (AlexNet, ResNet-152) did with ``time_tensorflow_run``
(uncounted burn-in steps, then mean +/- sd over N steps):

* **forward**: the model's output for one batch, in inference mode (``training=False``);
* **forward-backward**: the loss and its gradients with respect to every trainable weight, what a
  training step hands to the optimizer (the update itself is left out, as in those scripts).
  Inference mode here too, so dropout is the identity and batch norm uses its moving statistics:
  the three paths then compute the same numbers and can be checked against each other.

and runs each pass three ways on the same weights and the same input batch:

* ``session``: a TF1 graph. The Keras model is built inside ``with tf.Graph().as_default():``,
  its output tensor and ``tf.gradients`` of the loss are fetched with ``tf.compat.v1.Session.run``;
  the eager model's weights are copied into the graph's variables first;
* ``function``: ``tf.function`` around the eager Keras model (``tf.GradientTape`` for gradients);
* ``xla``: the same with ``tf.function(jit_compile=True)``: XLA compiles the whole pass and fuses
  element-wise work into the convolutions and matrix products around it.

**The same work on every path.** ``session`` and ``function`` run the same graph: before Grappler
both contain the same compute ops (:func:`pass_ops`; they differ only in how variables enter,
Identity ops on a function's outputs and how the gradient is seeded with 1), and after Grappler
and oneDNN's rewrite the same kernels (:func:`optimized_ops`); Grappler options and thread pools
are the defaults on both. Two things around that graph made the ``function`` path look slower
(measured on 2 cores at batch 32; chapter 17 shows the measurements), and are removed here:

* **read-back**: ``Session.run`` hands over NumPy arrays that alias the fetched tensors' buffers;
  ``EagerTensor.numpy()`` *copies* (a NumPy array is mutable, a tensor is not). Copying AlexNet's
  86.5 MB of gradients took 18 ms of its 110 ms step (forward-backward 1.17 x the Session's with
  ``.numpy()``, 1.00 x without); VGG's 34 MB took 3.5 ms. Every path now reads its results back
  without a copy, :func:`read_back` (``np.asarray(memoryview(t))``);
* **drift**: each path used to be timed for all its steps, one path after the other, so a job
  that started or stopped on a shared machine moved one path's numbers and not the other's
  (and a peak measured under such a load put fractions of it above 100 %). The paths are now
  timed **interleaved**, one step of each in turn (:func:`time_interleaved`), a path's time
  relative to the Session's is the median of the per-round ratios (:func:`paired_ratio`), and the
  peak is measured before and after the models (:func:`rescale_to_peak`).

A third is Python in front of the graph, measurable only on a step of a few milliseconds:
calling a ``tf.function`` first looks its trace up in a cache keyed by its inputs *and its
captured variables*, hashing each of them (107 for DenseNet): 0.25-0.8 ms a call more than
calling the trace itself, so LeNet's forward pass took 1.19 x the Session's, DenseNet's 1.10 x. A Session's graph is fixed and chooses nothing, so
the function paths time the traced graph itself, ``tf.function.get_concrete_function()``
(LeNet's forward 0.99 x, DenseNet's 1.03 x). ``Session.run`` has its own Python, which grows with
the number of fetches, and it is left in.

It reports mean +/- sd seconds per step and the time relative to the Session path (0.5 = twice as
fast), the pass's FLOPs from :mod:`utils.flops` (forward per image x batch; forward-backward is
counted as 3 x forward: the backward pass computes a gradient for the activations and one for the
weights, each about as costly as the forward), the achieved GFLOP/s and their fraction of the
machine's peak, which is measured in the same run with a large float32 matrix product. A memory
bandwidth measurement (a large reduction) gives the other roof of the roofline model. The command
prints a table (:func:`format_table`) and writes ``results.csv``, ``results.json`` and
``results.png`` into the results folder (:func:`write_results`).
A GPU, when TensorFlow sees one, is used by all three paths (TensorFlow places ops on it).
"""
import collections
import contextlib
import csv
import importlib
import json
import math
import os
import platform
from dataclasses import asdict, dataclass

import utils  # noqa: F401  (sets TensorFlow's environment before it is imported)

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from tensorflow.python.framework import config as tf_config  # noqa: E402

from utils import flops as flop_counter  # noqa: E402
from utils.timing import TimingResult, time_tensorflow_run  # noqa: E402

PATHS = ("session", "function", "xla")
PASSES = ("forward", "forward-backward")
BACKWARD_FACTOR = 3  # forward + gradient w.r.t. activations + gradient w.r.t. weights


# ---------------------------------------------------------------------------------------------
# The architectures. Each entry builds one model per size from its builder in utils.models.
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Config:
    """One architecture at one size: the module in ``utils.models``, the builder and its input."""
    name: str
    module: str
    builder: str         # the builder function's name in that module
    input_shape: tuple
    kwargs: tuple = ()   # extra keyword arguments as (key, value) pairs (hashable)


QUICK = (
    Config("lenet", "lenet", "lenet", (32, 32, 1)),
    Config("alexnet", "alexnet", "alexnet", (64, 64, 3)),
    Config("vgg16", "vgg", "vgg16", (32, 32, 3), (("width", 0.5),)),
    Config("nin", "nin", "nin_small", (32, 32, 3)),
    Config("googlenet", "googlenet", "mini_googlenet", (32, 32, 3)),
    Config("resnet", "resnet", "small_resnet", (32, 32, 3)),
    Config("densenet", "densenet", "small_densenet_bc", (32, 32, 3)),
    Config("senet", "senet", "small_se_resnet", (32, 32, 3)),
)
FULL = (
    Config("lenet", "lenet", "lenet", (32, 32, 1)),
    Config("alexnet", "alexnet", "alexnet", (224, 224, 3)),
    Config("vgg16", "vgg", "vgg16", (224, 224, 3)),
    Config("nin", "nin", "nin_imagenet", (224, 224, 3)),
    Config("googlenet", "googlenet", "googlenet", (224, 224, 3)),
    Config("resnet50", "resnet", "resnet50", (224, 224, 3)),
    Config("densenet121", "densenet", "densenet121", (224, 224, 3)),
    Config("se_resnet50", "senet", "se_resnet50", (224, 224, 3)),
)
SIZES = {
    # batch, timed rounds, burn-in steps, side of the square matrices of the peak measurement,
    # float32 elements of the bandwidth measurement, number of classes, and the least time the
    # timed rounds of one model add up to (more rounds, up to 50 x steps, for a fast model)
    # (a 2048 matmul reached only 75% of a 4096 one on 2 cores: too small to keep both busy)
    "quick": dict(configs=QUICK, batch=8, steps=10, burn_in=2, matmul=4096, stream=2 ** 24, classes=10,
                  min_seconds=10),
    "full": dict(configs=FULL, batch=32, steps=20, burn_in=5, matmul=4096, stream=2 ** 26, classes=1000,
                 min_seconds=10),
}


def find_builder(config):
    """The builder function of ``config`` in ``utils.models``.

    Every architecture's module exists, so a missing module or builder is a mistake in the
    config (or a renamed builder): :class:`ValueError` naming both.
    """
    try:
        module = importlib.import_module(f"utils.models.{config.module}")
    except ModuleNotFoundError as error:
        if error.name != f"utils.models.{config.module}":
            raise  # a real import error inside an existing module must not be hidden
        raise ValueError(f"bench config {config.name!r}: there is no module utils.models.{config.module} "
                         f"(utils/models/{config.module}.py); fix Config.module") from None
    if not hasattr(module, config.builder):
        raise ValueError(f"bench config {config.name!r}: utils.models.{config.module} has no builder named "
                         f"{config.builder!r}; fix Config.builder")
    return getattr(module, config.builder)


def select_configs(size="quick", models=None):
    """``(settings, configs)``: ``SIZES[size]`` and its configs, only ``models`` if given (names).

    Raises :class:`ValueError` naming the choices for an unknown size or model.
    """
    if size not in SIZES:
        raise ValueError(f"size must be one of {sorted(SIZES)}, got {size!r}")
    settings = SIZES[size]
    known = [c.name for c in settings["configs"]]
    unknown = [m for m in (models or []) if m not in known]
    if unknown:
        raise ValueError(f"unknown model(s) {unknown}; choose from {known}")
    return settings, [c for c in settings["configs"] if not models or c.name in models]


def model_factory(config, classes):
    """A zero-argument function that builds a fresh copy of the model (same layer order each time)."""
    builder = find_builder(config)
    kwargs = dict(config.kwargs, num_classes=classes)  # one builder signature for every family

    def build():
        return builder(input_shape=config.input_shape, **kwargs)
    return build


# ---------------------------------------------------------------------------------------------
# FLOPs and bytes
# ---------------------------------------------------------------------------------------------

def count_flops(model):
    """Forward FLOPs per image (utils.flops' convention, a multiply-add = 2) or None if a layer
    type has no rule (then GFLOP/s are not reported for that model)."""
    try:
        return flop_counter.count_flops(model)
    except ValueError as error:
        print(f"  note: no FLOP count for {model.name}: {error}")
        return None


def _elements(shapes):
    return sum(math.prod(d for d in shape[1:]) for shape in shapes)


def layer_traffic(model, batch, dtype_bytes=4):
    """``[(layer, class, FLOPs, bytes, FLOPs per byte), ...]`` of one forward pass of ``batch`` images.

    Bytes are an estimate for an executor that runs one layer at a time (no fusion): each layer
    reads its weights once per batch, reads its inputs and writes its output. That is what makes
    a layer memory-bound: a 3x3 convolution reuses each weight at every pixel and each input
    pixel for every filter (many FLOPs per byte), a dense layer at a small batch reads each weight
    for one multiply-add per image, and ReLU or batch norm do one or two FLOPs per element moved.
    """
    rows = []
    by_name = {n: (k, f) for n, k, f in flop_counter.flops_by_layer(model)}
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        inputs = [tuple(t.shape) for t in keras.tree.flatten(layer.input)]
        outputs = [tuple(t.shape) for t in keras.tree.flatten(layer.output)]
        weights = sum(math.prod(w.shape) for w in layer.weights)
        moved = dtype_bytes * (weights + batch * (_elements(inputs) + _elements(outputs)))
        kind, per_image = by_name[layer.name]
        flop = per_image * batch
        rows.append((layer.name, kind, flop, moved, flop / moved))
    return rows


def arithmetic_intensity(model, batch):
    """FLOPs per byte moved of one forward pass (see :func:`layer_traffic` for the byte estimate)."""
    rows = layer_traffic(model, batch)
    return sum(r[2] for r in rows) / sum(r[3] for r in rows)


# ---------------------------------------------------------------------------------------------
# The machine's roofs: peak FLOP/s and memory bandwidth
# ---------------------------------------------------------------------------------------------

def peak_gflops(n=2048, steps=5, burn_in=2):
    """GFLOP/s of an n x n float32 matrix product (2 n^3 FLOPs), the best case for the machine: a
    compute-bound kernel doing n FLOPs per element loaded. Returns (GFLOP/s, TimingResult).

    The peak is taken from the fastest timed step, not the mean: a roof is what the machine can
    do, and steps slowed down by other processes on a shared machine would lower it.
    """
    a = tf.random.stateless_normal((n, n), seed=(1, 2))
    b = tf.random.stateless_normal((n, n), seed=(3, 4))
    matmul = tf.function(lambda: tf.reduce_sum(tf.matmul(a, b)))  # sum: n^2 adds, read back 4 bytes
    timing = time_tensorflow_run(matmul, num_steps=steps, num_burn_in=burn_in, name=f"matmul {n}")
    return 2 * n ** 3 / min(timing.times) / 1e9, timing


def rescale_to_peak(rows, peak, peak_again):
    """The peak measured again after the models: keep the larger, and express every row's
    GFLOP/s as a fraction of it. Returns the peak used.

    A peak measured while another job ran is too low and makes every fraction of it too high
    (fractions above 100 % were seen on a shared machine); the machine can do at least the
    larger of two measurements.
    """
    peak = max(peak, peak_again)
    for row in rows:
        row.fraction_of_peak = row.gflops_per_s / peak
    return peak


def bandwidth_gbs(elements=2 ** 24, steps=5, burn_in=2):
    """GB/s read by a sum over ``elements`` float32 numbers (one FLOP per 4 bytes: memory-bound),
    from the fastest step as for :func:`peak_gflops`. Returns (GB/s, TimingResult)."""
    x = tf.random.stateless_uniform((elements,), seed=(5, 6))
    total = tf.function(lambda: tf.reduce_sum(x))
    timing = time_tensorflow_run(total, num_steps=steps, num_burn_in=burn_in, name="stream")
    return 4 * elements / min(timing.times) / 1e9, timing


# ---------------------------------------------------------------------------------------------
# The three ways to run a pass
# ---------------------------------------------------------------------------------------------

def loss_fn(labels, probabilities):
    """Mean cross-entropy of the softmax outputs: the objective whose gradients are timed."""
    return tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(labels, probabilities))


def read_back(tensors):
    """A pass's result as NumPy arrays that share the tensors' memory: what ``Session.run`` returns.

    ``EagerTensor.numpy()`` copies every tensor (TensorFlow's docstring: "Tensors are immutable, so
    this method has to copy"); ``Session.run`` gives arrays that alias the fetched buffers. Timing
    the function path with ``.numpy()`` charged it a copy of all gradients that the Session path
    never makes. ``np.asarray(memoryview(t))`` waits for ``t`` and aliases it on a CPU (on a GPU it
    copies to the host, as ``Session.run`` does).
    """
    if isinstance(tensors, (list, tuple)):
        return [np.asarray(memoryview(t)) for t in tensors]
    return np.asarray(memoryview(tensors))


def function_passes(model, images, labels, jit_compile=False):
    """``(forward, forward_backward)`` as zero-argument ``tf.function`` s (XLA with jit_compile).

    The images and labels are NumPy arrays captured by the trace, so they become constants of the
    function's graph, as ``tf.constant`` makes them constants of the Session's graph.
    """
    weights = model.trainable_weights

    @tf.function(jit_compile=jit_compile)
    def forward():
        return model(images, training=False)

    @tf.function(jit_compile=jit_compile)
    def forward_backward():
        with tf.GradientTape() as tape:
            loss = loss_fn(labels, model(images, training=False))
        return [loss] + tape.gradient(loss, weights)

    return forward, forward_backward


class SessionPasses:
    """The model rebuilt as a TF1 graph, with the eager model's weights, run in a Session.

    ``build`` is the zero-argument builder; ``weights`` the eager model's ``get_weights()``.
    ``forward`` is the output tensor, ``forward_backward`` the loss and ``tf.gradients`` of it.
    Use as a context manager (closes the session).
    """

    def __init__(self, build, weights, images, labels):
        self.graph = tf.Graph()
        with self.graph.as_default():
            tf.compat.v1.set_random_seed(0)  # utils.setup() enables op determinism
            model = build()
            x = tf.constant(images, name="images")
            y = tf.constant(labels, name="labels")
            self.forward = model(x, training=False)
            loss = loss_fn(y, self.forward)
            variables = [w.value for w in model.trainable_weights]  # the graph's tf.Variables
            self.forward_backward = [loss] + tf.gradients(loss, variables)
            # Copy the eager weights in through placeholders (not constants: the graph stays small).
            feeds = [tf.compat.v1.placeholder(w.dtype, w.shape) for w in model.weights]
            assigns = [w.value.assign(p) for w, p in zip(model.weights, feeds)]
            init = tf.compat.v1.global_variables_initializer()
        self.graph.finalize()  # nothing may be added while timing
        self.session = tf.compat.v1.Session(graph=self.graph)
        self.session.run(init)
        self.session.run(assigns, dict(zip(feeds, weights)))

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.session.close()
        return False


# Ops that differ between the two graphs only in how the graph is put together, not in the work
# done: a function receives its captured variables as inputs (Placeholder in the trace) where a TF1
# graph looks them up (VarHandleOp); it passes its outputs through Identity and has a NoOp for
# its control outputs; the gradient is seeded with a 1 that tf.gradients builds with Fill and the
# tape stores as a Const. Everything else is the pass's computation.
BOOKKEEPING_OPS = frozenset({"Const", "Fill", "Identity", "NoOp", "Placeholder", "VarHandleOp",
                             "_Arg", "_Retval", "_DeviceArg", "_DeviceRetval"})


def graph_ops(graph_def, outputs):
    """``Counter`` of op types in the part of ``graph_def`` that computes ``outputs`` (tensors)."""
    names = sorted({t.op.name for t in outputs})
    sub = tf.compat.v1.graph_util.extract_sub_graph(graph_def, names)
    return collections.Counter(node.op for node in sub.node)


def compute_ops(counts):
    """``counts`` without :data:`BOOKKEEPING_OPS`: the ops that do the pass's arithmetic."""
    return collections.Counter({k: v for k, v in counts.items() if k not in BOOKKEEPING_OPS})


def kernel_ops(counts):
    """The convolutions, matrix products and pooling ops of ``counts`` (whatever names oneDNN's
    rewrite gave them): where nearly all of a pass's time goes."""
    return collections.Counter({k: v for k, v in counts.items()
                                if any(word in k for word in ("Conv", "MatMul", "Pool"))})


def pass_ops(session_passes, forward_backward):
    """The forward-backward graphs as built, before Grappler: ``{"session": Counter, "function":
    Counter}`` of op types, each restricted to the ops its outputs depend on (a function's trace
    also holds unused gradients, e.g. of the input images, that Grappler prunes)."""
    concrete = forward_backward.get_concrete_function()
    return {"session": graph_ops(session_passes.graph.as_graph_def(), session_passes.forward_backward),
            "function": graph_ops(concrete.graph.as_graph_def(), concrete.outputs)}


def optimized_ops(session_passes, model, images, labels):
    """The forward-backward graphs as they run, after Grappler and oneDNN's rewrites
    (``_MklNativeFusedConv2D`` ...): ``{"session": Counter, "function": Counter}`` of op types.

    The Session's come from ``RunOptions(output_partition_graphs=True)``; the function's from
    the eager context's run metadata, which records a function's graphs when it is first run
    (hence a fresh ``tf.function``); the pass is the largest function run in that call.
    """
    from tensorflow.python.eager import context

    metadata = tf.compat.v1.RunMetadata()
    session_passes.session.run(session_passes.forward_backward, run_metadata=metadata,
                               options=tf.compat.v1.RunOptions(output_partition_graphs=True))
    session = collections.Counter(n.op for g in metadata.partition_graphs for n in g.node)
    _, forward_backward = function_passes(model, images, labels)
    forward_backward.get_concrete_function()  # trace outside the recorded call
    context.enable_run_metadata()
    try:
        forward_backward()
        recorded = context.export_run_metadata()
    finally:
        context.disable_run_metadata()
    graphs = [collections.Counter(n.op for g in f.partition_graphs for n in g.node)
              for f in recorded.function_graphs]
    return {"session": session, "function": max(graphs, key=lambda c: sum(c.values()))}


@contextlib.contextmanager
def op_determinism_off():
    """Switch off the op determinism of ``utils.setup()`` for a block, then restore it.

    XLA refuses to compile max-pool gradients while op determinism is on ("MaxPool gradient ops
    do not yet have a deterministic XLA implementation"), and all three paths must be timed under
    the same setting, so the whole benchmark of a model runs without it. TensorFlow has no public
    switch back, hence the internal ``disable_op_determinism``.
    """
    was_on = tf_config.is_op_determinism_enabled()
    if was_on:
        tf_config.disable_op_determinism()
    try:
        yield
    finally:
        if was_on:
            tf.config.experimental.enable_op_determinism()


def check_paths_agree(results, rtol=1e-4, atol=1e-5):
    """Assert that every path computed the same forward output and gradients as the Session path
    (relative to the size of each array). ``results``: {path: (forward, [loss, *gradients])}."""
    reference_forward, reference_grads = results["session"]
    for path, (forward, grads) in results.items():
        np.testing.assert_allclose(forward, reference_forward, rtol=rtol, atol=atol,
                                   err_msg=f"{path} forward differs from the Session's")
        for g, ref in zip(grads, reference_grads):
            scale = max(float(np.abs(ref).max()), 1e-12)
            np.testing.assert_allclose(g / scale, ref / scale, rtol=rtol, atol=atol * 10,
                                       err_msg=f"{path} gradients differ from the Session's")


# ---------------------------------------------------------------------------------------------
# One model, all paths
# ---------------------------------------------------------------------------------------------

@dataclass
class Row:
    """One line of the results table."""
    model: str
    input: str
    batch: int
    params: int
    pass_: str
    path: str
    mean_s: float
    sd_s: float
    vs_session: float
    gflop: float = float("nan")
    gflops_per_s: float = float("nan")
    fraction_of_peak: float = float("nan")
    agree: bool = True  # all three paths computed the same outputs and gradients


def time_interleaved(steps, num_steps=5, num_burn_in=2, min_seconds=0.0):
    """Time several steps side by side with :func:`time_tensorflow_run`, one step of each in turn.

    steps: ``{key: target}``, a target being a zero-argument callable or a ``(session, fetches)``
    pair. Each target first runs ``num_burn_in`` uncounted steps; then come ``num_steps`` rounds,
    each timing one step of every target, the order rotating from round to round (so no target
    always runs right after the same other one). A load that comes and goes on a shared machine
    then slows every target alike instead of the one that happened to be timed at that moment.
    ``min_seconds``: more rounds (up to 50 x ``num_steps``) until the timed steps add up to that
    long, so that millisecond steps are measured as precisely as long ones.
    Returns ``{key: TimingResult}``, ``times[r]`` being round ``r``, for :func:`paired_ratio`.
    """
    def run(target, n, burn_in):
        if isinstance(target, tuple):
            return time_tensorflow_run(*target, num_steps=n, num_burn_in=burn_in)
        return time_tensorflow_run(target, num_steps=n, num_burn_in=burn_in)

    keys = list(steps)
    if num_burn_in:
        for key in keys:
            run(steps[key], num_burn_in, 0)
    times = {key: [] for key in keys}
    r, total = 0, 0.0
    while r < num_steps or (total < min_seconds and r < 50 * num_steps):
        for key in keys[r % len(keys):] + keys[:r % len(keys)]:
            times[key] += run(steps[key], 1, 0).times
            total += times[key][-1]
        r += 1
    return {key: TimingResult(" ".join(map(str, key)) if isinstance(key, tuple) else str(key), t)
            for key, t in times.items()}


def paired_ratio(timing, reference):
    """Median over rounds of ``timing``'s step time divided by ``reference``'s in the same round
    (both from one :func:`time_interleaved`): a relative speed that a load lasting a few rounds
    does not move, unlike a ratio of two means."""
    return float(np.median(np.array(timing.times) / np.array(reference.times)))


def benchmark_model(name, build, batch, steps=5, burn_in=2, peak=None, seed=0, check=True,
                    verbose=True, min_seconds=0.0):
    """Time forward and forward-backward of one model on the three paths; returns
    ``(rows, outputs)`` where ``outputs[path] = (forward output, [loss, *gradients])``.

    The six (path, pass) steps are timed interleaved (:func:`time_interleaved`), every path
    reading its results back without a copy (:func:`read_back`, as ``Session.run`` does) and the
    function paths calling their traced ``ConcreteFunction`` (a Session's graph is fixed; a
    ``tf.function`` call first picks its trace), so that the paths differ only in how they run
    the graph. ``vs_session`` is the paired ratio.
    ``min_seconds``: time more rounds for a fast model (see :func:`time_interleaved`).
    """
    model = build()
    shape = tuple(model.input_shape[1:])
    classes = model.output_shape[-1]
    rng = np.random.default_rng(seed)
    images = rng.random((batch, *shape), dtype=np.float32)
    labels = rng.integers(0, classes, batch).astype(np.int32)
    flops_per_image = count_flops(model)

    outputs, targets = {}, {}
    with op_determinism_off(), SessionPasses(build, model.get_weights(), images, labels) as s:
        outputs["session"] = s.session.run([s.forward, s.forward_backward])
        for p, fetch in zip(PASSES, (s.forward, s.forward_backward)):
            targets["session", p] = (s.session, fetch)
        for path, jit in (("function", False), ("xla", True)):
            forward, forward_backward = function_passes(model, images, labels, jit_compile=jit)
            outputs[path] = (forward().numpy(), [g.numpy() for g in forward_backward()])  # traces
            for p, fn in zip(PASSES, (forward, forward_backward)):
                # Time the traced graph, the ConcreteFunction: calling the tf.function first looks
                # its trace up in a cache keyed by its captured variables too (0.25-0.8 ms per
                # call for these models), a choice of graph a Session never makes.
                # Read back without a copy, like Session.run.
                targets[path, p] = lambda c=fn.get_concrete_function(): read_back(c())
        timings = time_interleaved(targets, steps, burn_in, min_seconds)
    if check:
        check_paths_agree(outputs)

    rows = []
    for p in PASSES:
        for path in PATHS:
            t = timings[path, p]
            row = Row(name, "x".join(map(str, shape)), batch, model.count_params(), p, path,
                      t.mean, t.sd, paired_ratio(t, timings["session", p]))
            if flops_per_image is not None:
                row.gflop = flops_per_image * batch * (1 if p == "forward" else BACKWARD_FACTOR) / 1e9
                row.gflops_per_s = row.gflop / t.mean
                if peak:
                    row.fraction_of_peak = row.gflops_per_s / peak
            rows.append(row)
            if verbose:
                print("  " + format_row(row))
    return rows, outputs


# ---------------------------------------------------------------------------------------------
# Output: table, CSV, JSON, plot
# ---------------------------------------------------------------------------------------------

HEADER = (f"{'model':<12} {'input':<10} {'batch':>5} {'pass':<16} {'path':<8} "
          f"{'s/step':>17} {'vs sess':>7} {'GFLOP':>8} {'GFLOP/s':>8} {'peak':>6}")


def format_row(r):
    return (f"{r.model:<12} {r.input:<10} {r.batch:>5} {r.pass_:<16} {r.path:<8} "
            f"{r.mean_s:>8.4f} +/-{r.sd_s:>6.4f} {r.vs_session:>7.2f} {r.gflop:>8.3f} "
            f"{r.gflops_per_s:>8.2f} {r.fraction_of_peak:>6.1%}")


def format_table(rows):
    return "\n".join([HEADER, "-" * len(HEADER)] + [format_row(r) for r in rows])


def machine_info():
    """What the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as f:
            cpu = next(line.split(":", 1)[1].strip() for line in f if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    gpus = [d.name for d in tf.config.list_physical_devices("GPU")]
    return {"cpu": cpu, "cores": os.cpu_count(), "gpus": gpus, "tensorflow": tf.__version__,
            "keras": keras.__version__, "python": platform.python_version()}


def plot_results(rows, peak=None):
    """Two panels per pass: time relative to the Session path, and achieved fraction of peak."""
    import matplotlib.pyplot as plt

    models = list(dict.fromkeys(r.model for r in rows))
    fig, axes = plt.subplots(2, 2, figsize=(12, 7), sharex=True)
    width = 0.8 / len(PATHS)
    for i, p in enumerate(PASSES):
        for j, path in enumerate(PATHS):
            sel = {r.model: r for r in rows if r.pass_ == p and r.path == path}
            xs = [k + (j - 1) * width for k in range(len(models))]
            axes[0, i].bar(xs, [sel[m].vs_session for m in models], width, label=path)
            axes[1, i].bar(xs, [sel[m].fraction_of_peak * 100 for m in models], width, label=path)
        axes[0, i].axhline(1, color="k", lw=0.8)
        axes[0, i].set_title(f"{p}: time per step relative to Session (lower is faster)")
        axes[1, i].set_title(f"{p}: achieved % of matmul peak"
                             + (f" ({peak:.1f} GFLOP/s)" if peak else ""))
        axes[1, i].set_xticks(range(len(models)), models, rotation=30)
    axes[0, 0].legend()
    fig.tight_layout()
    return fig


def write_results(rows, out, peak=None, bandwidth=None, info=None, settings=None):
    """Write results.csv, results.json and results.png into ``out``; return their paths."""
    os.makedirs(out, exist_ok=True)
    # "pass" is a Python keyword, hence the field pass_; NaN (no FLOP count) is not valid JSON: None
    records = [{("pass" if k == "pass_" else k): (None if isinstance(v, float) and math.isnan(v) else v)
                for k, v in asdict(r).items()} for r in rows]
    paths = {k: os.path.join(out, f"results.{k}") for k in ("csv", "json", "png")}
    with open(paths["csv"], "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(records[0]) if records else ["model"])
        writer.writeheader()
        writer.writerows(records)
    with open(paths["json"], "w") as f:
        json.dump({"machine": info or machine_info(), "settings": settings or {},
                   "peak_gflops": peak, "bandwidth_gbs": bandwidth, "rows": records},
                  f, indent=1, default=float)
    if rows:
        fig = plot_results(rows, peak)
        fig.savefig(paths["png"], dpi=100)
        import matplotlib.pyplot as plt
        plt.close(fig)
    else:
        paths.pop("png")
    return paths
