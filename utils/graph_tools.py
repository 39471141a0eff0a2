"""Small helpers for the TF1-style chapters (graphs, sessions, feed_dict training loops).

Nothing here hides TensorFlow: each function is a few lines a student could write, kept in one
place because chapters 01-04 (and later chapters with ``tf.compat.v1`` code) use them repeatedly.
"""
import numpy as np


def op_table(graph):
    """``[(name, type), ...]`` of a graph's operations in creation order.

    graph: a ``tf.Graph`` (a ``tf.function``'s ``get_concrete_function().graph`` works too) or a
    ``GraphDef``. Printing this list is the text version of ``utils.plotting.draw_graph``.
    """
    if hasattr(graph, "get_operations"):
        return [(op.name, op.type) for op in graph.get_operations()]
    if hasattr(graph, "node"):
        return [(node.name, node.op) for node in graph.node]
    raise TypeError(f"op_table needs a tf.Graph or a GraphDef, not {type(graph).__name__}")


def compute_op_types(graph, ignore=("Placeholder", "Const", "Identity", "NoOp")):
    """The set of operation types that do the computing: inputs, constants and pass-throughs left out.

    A ``tf.function`` adds ``Identity`` ops for its outputs and takes inputs as ``Placeholder``
    ops; leaving those out lets a TF1 graph and a traced function be compared op type for op type.
    """
    return {op_type for _, op_type in op_table(graph) if op_type not in ignore}


def minibatches(x, y, batch_size, shuffle=True, seed=0):
    """One epoch of ``(x_batch, y_batch)`` pairs, ready for a ``feed_dict``.

    The last batch is smaller when ``len(x)`` is not a multiple of ``batch_size`` (a placeholder
    with a ``None`` batch dimension accepts it). With ``shuffle`` the order comes from
    ``np.random.default_rng(seed)``, so pass a different seed each epoch (e.g. the epoch number).
    """
    x, y = np.asarray(x), np.asarray(y)
    if len(x) != len(y):
        raise ValueError(f"x has {len(x)} examples but y has {len(y)}; they must match")
    if not (isinstance(batch_size, (int, np.integer)) and batch_size > 0):
        raise ValueError(f"batch_size must be a positive whole number; got {batch_size!r}")
    order = np.random.default_rng(seed).permutation(len(x)) if shuffle else np.arange(len(x))
    for start in range(0, len(x), batch_size):
        index = order[start:start + batch_size]
        yield x[index], y[index]


def num_batches(n, batch_size):
    """How many batches :func:`minibatches` yields for ``n`` examples (the last one may be partial)."""
    if not (isinstance(n, (int, np.integer)) and n >= 0 and isinstance(batch_size, (int, np.integer))
            and batch_size > 0):
        raise ValueError(f"num_batches(n={n!r}, batch_size={batch_size!r}): n must be a whole number >= 0 "
                         f"and batch_size one >= 1, e.g. num_batches(len(x_train), 128)")
    return -(-n // batch_size)
