"""Unit tests of utils.graph_tools, the helpers of the graph/session chapters (01-04)."""
import numpy as np
import pytest

import utils  # noqa: F401  (sets TensorFlow's environment before it loads)
import tensorflow as tf

from utils import graph_tools as gt


def small_graph():
    graph = tf.Graph()
    with graph.as_default():
        x = tf.constant([[1.0, 2.0]], name="x")
        w = tf.constant([[1.0], [1.0]], name="w")
        tf.nn.relu(tf.matmul(x, w), name="y")
    return graph


def test_op_table_lists_operations_in_creation_order_for_graph_and_graphdef():
    graph = small_graph()
    expected = [("x", "Const"), ("w", "Const"), ("MatMul", "MatMul"), ("y", "Relu")]
    assert gt.op_table(graph) == expected
    assert gt.op_table(graph.as_graph_def()) == expected


def test_op_table_rejects_other_objects_with_a_clear_message():
    with pytest.raises(TypeError, match="tf.Graph or a GraphDef"):
        gt.op_table([1, 2, 3])


def test_compute_op_types_match_between_tf1_graph_and_traced_tf_function():
    @tf.function
    def f(x, w):
        return tf.nn.relu(tf.matmul(x, w))

    traced = f.get_concrete_function(tf.TensorSpec([None, 2]), tf.TensorSpec([2, 1])).graph
    assert gt.compute_op_types(traced) == gt.compute_op_types(small_graph()) == {"MatMul", "Relu"}


def test_minibatches_cover_every_example_once_with_a_partial_last_batch():
    x = np.arange(10)[:, None]
    y = np.arange(10)
    batches = list(gt.minibatches(x, y, batch_size=4, seed=3))
    assert [len(b) for b, _ in batches] == [4, 4, 2] and len(batches) == gt.num_batches(10, 4)
    seen = np.concatenate([b[:, 0] for b, _ in batches])
    assert sorted(seen) == list(range(10))
    for xb, yb in batches:  # pairs stay aligned
        np.testing.assert_array_equal(xb[:, 0], yb)


def test_minibatches_are_seeded_and_unshuffled_on_request():
    x = np.arange(8)
    first = [b.tolist() for b, _ in gt.minibatches(x, x, 3, seed=1)]
    again = [b.tolist() for b, _ in gt.minibatches(x, x, 3, seed=1)]
    other = [b.tolist() for b, _ in gt.minibatches(x, x, 3, seed=2)]
    assert first == again and first != other
    assert [b.tolist() for b, _ in gt.minibatches(x, x, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6, 7]]


@pytest.mark.parametrize("y, batch_size, message", [(np.arange(5), 2, "must match"),
                                                    (np.arange(4), 0, "positive whole number")])
def test_minibatches_reject_bad_input(y, batch_size, message):
    with pytest.raises(ValueError, match=message):
        list(gt.minibatches(np.arange(4), y, batch_size))
