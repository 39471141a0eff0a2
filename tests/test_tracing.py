"""The tf.function tracing rules chapter 02 teaches, pinned for the installed TensorFlow.

The chapter asserts the same facts in its cells; these tests name the rule that changed when a
TensorFlow upgrade breaks one, without running the notebook.
"""
import utils  # noqa: F401  (sets TensorFlow's environment before it loads)
import numpy as np
import tensorflow as tf


def test_python_side_effects_run_per_trace_and_graph_ops_per_call():
    traced, calls = [], tf.Variable(0)

    @tf.function
    def scale(x):
        traced.append(x)          # Python: only while tracing
        calls.assign_add(1)       # a graph op: every call
        return 2 * x

    for value in ([1.0, 2.0], [3.0, 4.0], [5.0, 6.0]):
        scale(tf.constant(value))
    assert scale.experimental_get_tracing_count() == len(traced) == 1 and calls.numpy() == 3


def test_new_shapes_and_new_python_values_retrace_but_seen_ones_do_not():
    @tf.function
    def scale(x):
        return 2 * x

    scale(tf.constant([1.0, 2.0]))
    scale(tf.constant([1.0, 2.0, 3.0]))   # new shape
    scale(2.0)                            # Python value
    scale(3.0)                            # new Python value
    scale(3.0)                            # seen
    scale(tf.constant([4.0, 5.0]))        # seen shape
    assert scale.experimental_get_tracing_count() == 4


def test_tensors_and_input_signature_keep_one_trace():
    @tf.function
    def by_tensor(x):
        return 2 * x

    @tf.function(input_signature=[tf.TensorSpec([None], tf.float32)])
    def by_signature(x):
        return 2 * x

    for value in (2.0, 3.0, 4.0):
        by_tensor(tf.constant(value))
    for value in ([1.0, 2.0], [3.0, 4.0, 5.0], np.ones(7, np.float32), tf.range(4.0)):
        by_signature(value)
    assert by_tensor.experimental_get_tracing_count() == by_signature.experimental_get_tracing_count() == 1


def test_tensor_default_in_the_signature_is_one_trace_and_python_default_one_per_value():
    ones = np.ones((2, 10), np.float32)

    @tf.function(input_signature=[tf.TensorSpec([None, 10], tf.float32), tf.TensorSpec([], tf.float32)])
    def with_tensor_default(features, rate=tf.constant(0.0)):
        return tf.nn.dropout(features, rate=rate, seed=1)

    @tf.function
    def with_python_default(features, rate=0.0):
        return tf.nn.dropout(features, rate=rate, seed=1)

    np.testing.assert_array_equal(with_tensor_default(ones).numpy(), ones)
    for rate in (0.0, 0.5, 0.3, 0.5):
        with_tensor_default(ones, rate)
        with_python_default(ones, rate=rate)
    assert with_tensor_default.experimental_get_tracing_count() == 1
    assert with_python_default.experimental_get_tracing_count() == 3


def test_reduce_retracing_relaxes_the_shape_at_the_second_trace():
    shapes = []

    @tf.function(reduce_retracing=True)
    def total(x):
        shapes.append(x.shape.as_list())
        return tf.reduce_sum(x)

    for n in (1, 2, 3, 4, 5):
        assert total(tf.ones([n])).numpy() == n
    assert shapes == [[1], [None]]


def collatz_steps(n):
    steps = 0
    while n != 1:
        if n % 2 == 0:
            n = n // 2
        else:
            n = 3 * n + 1
        steps += 1
    return steps


def test_autograph_converts_while_and_if_and_the_chapter_prints_stable_lines():
    lines = [line.strip() for line in tf.autograph.to_code(collatz_steps).splitlines() if "_stmt(" in line]
    assert lines == [
        "ag__.if_stmt(ag__.ld(n) % 2 == 0, if_body, else_body, get_state, set_state, ('n',), 1)",
        "ag__.while_stmt(loop_test, loop_body, get_state_1, set_state_1, ('steps', 'n'), {})",
    ]


def test_a_tensor_condition_becomes_a_while_op_and_a_python_one_runs_while_tracing():
    collatz = tf.function(collatz_steps)
    with_tensor = collatz.get_concrete_function(tf.constant(6)).graph
    with_python = collatz.get_concrete_function(6).graph
    assert {op.type for op in with_tensor.get_operations()} >= {"StatelessWhile"}
    assert {op.type for op in with_python.get_operations()} == {"Const", "Identity"}
    assert collatz(tf.constant(27)).numpy() == collatz_steps(27) == 111
    assert collatz.experimental_get_tracing_count() == 2
