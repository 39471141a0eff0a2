"""TensorBoard from the chapters: where their logs go, and what TensorBoard will show of them.

A chapter writes event files with TensorFlow's own writers (``tf.compat.v1.summary.FileWriter``,
``tf.summary.create_file_writer``, ``keras.callbacks.TensorBoard``) into a run folder from
:func:`log_dir`, then reads them back with :func:`graph_ops` and :func:`scalars` to print and
assert what TensorBoard will display. ``make tensorboard`` serves every chapter's logs::

    run = board.log_dir("04_training_in_a_graph", "mlp_session")   # <repo>/build/logs/04_.../mlp_session/
    ...                                                             # write summaries into it
    board.scalars(run / "train")    # {"epoch_loss": [(0, 0.63), (1, 0.43), ...], ...}

The readers use TensorBoard's own event loader (``plugin_event_accumulator``, the one
``tensorboard`` itself serves from) and, for traced graphs, the graphs plugin's own merge, so what
they return is what the browser shows, not a re-implementation of it.
"""
import re
import shutil
from pathlib import Path

# The repository root from this file's location: chapters run with cwd=chapters/, tests from the
# root, and both must write to the same build/logs/ that `make tensorboard` serves.
ROOT = Path(__file__).resolve().parent.parent
LOGS = ROOT / "build" / "logs"

# A chapter or run name is one folder name: no separators, no leading dot, so clearing it can never
# reach outside build/logs/.
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
# TensorBoard's plugin names for a graph traced with tf.summary.trace_export (with and without
# profile data); a TF1 FileWriter's graph is stored under the tag "__run_graph__" of plugin "graphs".
_TRACE_PLUGINS = ("graph_run_metadata_graph", "graph_run_metadata")


def log_dir(chapter, run=None):
    """The empty folder ``<repo>/build/logs/<chapter>/`` (or ``.../<chapter>/<run>/``), as a Path.

    Whatever was there is deleted first, so a re-run of the cell writes the same event files as the
    first run instead of adding a second set that TensorBoard would show (and count) as well.
    chapter: the notebook's stem, e.g. ``"01_graphs_and_sessions"``; run: one run's folder name,
    e.g. ``"tf1_graph"`` (only that run is cleared).
    """
    parts = [("chapter", chapter)] + ([("run", run)] if run is not None else [])
    for what, name in parts:
        if not (isinstance(name, str) and _NAME.fullmatch(name)):
            raise ValueError(f"log_dir({what}={name!r}): give one folder name of letters, digits, "
                             f"'_', '-' or '.', e.g. log_dir('01_graphs_and_sessions', 'tf1_graph')")
    path = LOGS.joinpath(*(name for _, name in parts))
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


def relative(path):
    """``path`` relative to the repository root, for printing (absolute paths differ per machine)."""
    path = Path(path).resolve()
    try:
        return path.relative_to(ROOT).as_posix()
    except ValueError:
        return path.as_posix()


def runs(logdir):
    """The runs TensorBoard finds under ``logdir``: folders holding event files, relative, sorted.

    ``"."`` is ``logdir`` itself. Keras' ``TensorBoard`` callback writes two runs per log
    folder, ``train`` and ``validation``.
    """
    logdir = _existing_dir(logdir, "runs")
    found = {p.parent.relative_to(logdir).as_posix() for p in logdir.rglob("*tfevents*") if p.is_file()}
    return sorted(found)


def graph_ops(logdir, tag=None):
    """``[(name, type), ...]`` of the op graph TensorBoard's Graphs tab shows for one run.

    logdir: a run folder. Its graph is either a TF1 graph written by
    ``tf.compat.v1.summary.FileWriter(logdir, graph)`` (or ``tf.summary.graph``), or one traced by
    ``tf.summary.trace_on(graph=True)`` and written by ``tf.summary.trace_export(name, step)``; the
    latter holds one graph per function that ran, merged as TensorBoard merges them (each under
    ``graph_1/``, ``graph_2/``, ... when there are several). tag: the ``name`` given to
    ``trace_export``, needed only when a run holds several traces.
    """
    from tensorboard.compat.proto import config_pb2
    from tensorboard.plugins.graph import graph_util

    accumulator = _load(logdir, "graph_ops")
    traces = [t for t in accumulator.Tags()["tensors"]
              if accumulator.SummaryMetadata(t).plugin_data.plugin_name in _TRACE_PLUGINS]
    if tag is None and accumulator.Tags()["graph"]:
        graph = accumulator.Graph()
    elif tag is None and len(traces) == 1:
        tag = traces[0]
    elif tag is None:
        where = relative(logdir)
        if traces:
            raise ValueError(f"graph_ops(logdir={where!r}): the run holds several traced graphs "
                             f"{traces}; choose one with graph_ops(logdir, tag=...)")
        raise ValueError(f"graph_ops(logdir={where!r}): the run holds no op graph (its tags: "
                         f"{_tag_list(accumulator)}); write one with "
                         f"tf.compat.v1.summary.FileWriter(logdir, graph) or "
                         f"tf.summary.trace_on(graph=True) + tf.summary.trace_export(name, step=0)")
    if tag is not None:
        if tag not in traces:
            raise ValueError(f"graph_ops(logdir={relative(logdir)!r}, tag={tag!r}): no traced graph "
                             f"of that name; the run has {traces or 'none'}")
        blob = accumulator.Tensors(tag)[-1].tensor_proto.string_val[0]
        run_metadata = config_pb2.RunMetadata.FromString(blob)
        graph = graph_util.merge_graph_defs(
            [f.pre_optimization_graph for f in run_metadata.function_graphs])
    return [(node.name, node.op) for node in graph.node]


def name_scopes(ops):
    """``{scope: number of ops}`` of the top-level name scopes in ``graph_ops``' list, in order.

    TensorBoard draws each scope as one box that opens on a double click; an op whose name has no
    ``/`` stands on its own and is not counted here.
    """
    scopes = {}
    for name, _ in ops:
        if "/" in name:
            scope = name.split("/", 1)[0]
            scopes[scope] = scopes.get(scope, 0) + 1
    return scopes


def scalars(logdir):
    """``{tag: [(step, value), ...]}`` of every scalar one run folder holds, tags sorted.

    This is TensorBoard's Scalars tab as data: TF1 ``tf.compat.v1.summary.scalar`` summaries
    (and ``Summary`` protos with a ``simple_value``) and TF2 ``tf.summary.scalar`` ones (what
    Keras' ``TensorBoard`` callback writes) alike; values are float32, as stored. Every point is
    kept (TensorBoard's server samples long series down to 1,000 points). A run with a graph but
    no scalars gives ``{}``.
    """
    from tensorboard.util import tensor_util

    accumulator = _load(logdir, "scalars")
    tags = sorted(t for t in accumulator.Tags()["tensors"]
                  if accumulator.SummaryMetadata(t).plugin_data.plugin_name == "scalars")
    return {tag: [(event.step, float(tensor_util.make_ndarray(event.tensor_proto)))
                  for event in accumulator.Tensors(tag)] for tag in tags}


def _existing_dir(logdir, caller):
    path = Path(logdir)
    if not path.is_dir():
        raise FileNotFoundError(f"{caller}(logdir={str(logdir)!r}): no such folder; pass a run "
                                f"folder that a summary writer wrote to, e.g. "
                                f"utils.board.log_dir(chapter, run)")
    return path


def _load(logdir, caller):
    """TensorBoard's loader for one run folder, with every event read and kept."""
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea

    path = _existing_dir(logdir, caller)
    if not any(p.is_file() for p in path.glob("*tfevents*")):
        inside = runs(path)
        hint = (f"it holds the runs {inside}: pass one of them, e.g. {relative(path / inside[0])!r}"
                if inside else "write summaries into it first (a FileWriter, "
                "tf.summary.create_file_writer or keras.callbacks.TensorBoard)")
        raise FileNotFoundError(f"{caller}(logdir={relative(path)!r}): no event file "
                                f"(events.out.tfevents.*) in this folder; {hint}")
    # size_guidance 0 = keep everything: the default keeps a random sample of long series, and a
    # chapter asserts every logged point. This loader (not the older event_accumulator) turns TF1
    # simple_value summaries into the same tensors as TF2's, as the TensorBoard server does.
    accumulator = pea.EventAccumulator(str(path), size_guidance={pea.TENSORS: 0})
    accumulator.Reload()
    return accumulator


def _tag_list(accumulator):
    return sorted(accumulator.Tags()["tensors"]) or "none"
