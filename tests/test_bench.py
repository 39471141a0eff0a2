"""utils.bench (and its command, tools.bench): the three paths agree, the Session and function
graphs do the same work, results are read back without a copy, timing is interleaved, FLOP and
byte bookkeeping, configs and their errors, files.

No speed is asserted here (a unit test is no place to measure speed): the runs use one timed
step and only check what the benchmark computes and writes; the interleaving is checked with a
fake clock.
"""
import csv
import dataclasses
import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from tensorflow.python.framework import config as tf_config

from utils import bench


def tiny_convnet():
    inputs = keras.Input((12, 12, 2))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs, name="tiny")


@pytest.fixture(scope="module")
def tiny_run(_course_setup):  # utils.setup() first: the run checks op determinism is restored
    return bench.benchmark_model("tiny", tiny_convnet, batch=2, steps=1, burn_in=0, peak=100.0,
                                 verbose=False)


def test_session_function_and_xla_compute_the_same_outputs_and_gradients(tiny_run):
    rows, outputs = tiny_run  # benchmark_model has already run check_paths_agree
    assert set(outputs) == set(bench.PATHS)
    forward, grads = outputs["xla"]
    assert forward.shape == (2, 3)
    assert len(grads) == 1 + len(tiny_convnet().trainable_weights)  # the loss, then one per weight
    np.testing.assert_allclose(forward, outputs["session"][0], rtol=1e-5, atol=1e-6)


def test_rows_cover_both_passes_on_three_paths_with_backward_counted_as_three_forwards(tiny_run):
    rows, _ = tiny_run
    assert [(r.pass_, r.path) for r in rows] == [(p, q) for p in bench.PASSES for q in bench.PATHS]
    per_image = bench.count_flops(tiny_convnet())
    forward = [r for r in rows if r.pass_ == "forward"]
    backward = [r for r in rows if r.pass_ == "forward-backward"]
    assert all(r.gflop == pytest.approx(2 * per_image / 1e9) for r in forward)
    assert all(r.gflop == pytest.approx(3 * 2 * per_image / 1e9) for r in backward)


def test_op_determinism_is_switched_back_on_after_the_benchmark(tiny_run):
    assert tf_config.is_op_determinism_enabled()


def test_paths_that_disagree_fail_the_check():
    out = np.ones((2, 3), np.float32)
    grads = [np.float32(1.0), np.ones(4, np.float32)]
    with pytest.raises(AssertionError, match="xla gradients differ"):
        bench.check_paths_agree({"session": (out, grads), "xla": (out, [grads[0], grads[1] * 1.01])})


def test_dense_layer_traffic_is_weights_plus_inputs_and_outputs_per_image():
    inputs = keras.Input((100,))
    model = keras.Model(inputs, keras.layers.Dense(50, name="fc")(inputs))
    (name, kind, flop, moved, intensity), = bench.layer_traffic(model, batch=8)
    assert (name, kind) == ("fc", "Dense")
    assert flop == 8 * (2 * 100 * 50 + 50)
    assert moved == 4 * (100 * 50 + 50 + 8 * (100 + 50))
    # a bigger batch reuses each weight more often: more FLOPs per byte
    assert bench.arithmetic_intensity(model, 64) > 4 * bench.arithmetic_intensity(model, 1)


def test_a_missing_builder_module_or_function_is_a_value_error_naming_the_config_and_the_builder():
    with pytest.raises(ValueError, match=r"config 'x': there is no module utils\.models\.no_such_generation"):
        bench.find_builder(bench.Config("x", "no_such_generation", "build", (32, 32, 3)))
    with pytest.raises(ValueError, match=r"config 'y': utils\.models\.lenet has no builder named 'no_such_builder'"):
        bench.find_builder(bench.Config("y", "lenet", "no_such_builder", (32, 32, 1)))
    assert not hasattr(bench, "Skip")  # every architecture's module exists: nothing is skipped


def test_every_quick_model_builds_at_its_stated_input_with_a_flop_count():
    for config in bench.QUICK:
        model = bench.model_factory(config, 10)()
        assert tuple(model.input_shape[1:]) == config.input_shape
        assert bench.count_flops(model) > 0, config.name
        keras.backend.clear_session()


def test_unknown_model_or_size_raises_value_error_naming_the_choices():
    from tools import bench as command

    for select in (bench.select_configs, command.run):  # the command checks before timing anything
        with pytest.raises(ValueError, match="choose from"):
            select(models=["lenet7"])
        with pytest.raises(ValueError, match="size must be one of"):
            select(size="huge")
    settings, configs = bench.select_configs("full", ["lenet", "resnet50"])
    assert settings is bench.SIZES["full"] and [c.name for c in configs] == ["lenet", "resnet50"]


def test_the_command_names_a_bad_model_in_one_line_before_running_anything(capsys):
    from tools import bench as command

    with pytest.raises(SystemExit) as exit_:
        command.main(["--models", "lenet7", "--out", "/nonexistent/never-written"])
    assert exit_.value.code == 2
    assert "unknown model(s) ['lenet7']; choose from" in capsys.readouterr().err.strip().splitlines()[-1]


def test_results_are_written_as_csv_json_and_png(tiny_run, tmp_path):
    rows, _ = tiny_run
    paths = bench.write_results(rows, tmp_path / "bench", peak=100.0, bandwidth=10.0,
                                settings={"batch": 2})
    with open(paths["csv"]) as f:
        records = list(csv.DictReader(f))
    assert len(records) == 6 and records[0]["pass"] == "forward" and records[0]["path"] == "session"
    with open(paths["json"]) as f:
        saved = json.load(f)
    assert saved["peak_gflops"] == 100.0 and saved["settings"] == {"batch": 2}
    assert saved["machine"]["tensorflow"] == tf.__version__
    assert [r["path"] for r in saved["rows"]] == [r["path"] for r in records]
    with open(paths["png"], "rb") as f:
        assert f.read(8) == b"\x89PNG\r\n\x1a\n"


def test_table_has_a_header_and_one_line_per_row(tiny_run):
    rows, _ = tiny_run
    lines = bench.format_table(rows).splitlines()
    assert lines[0].split()[:3] == ["model", "input", "batch"] and len(lines) == 2 + len(rows)


@pytest.fixture(scope="module")
def tiny_graphs(_course_setup):
    model = tiny_convnet()
    rng = np.random.default_rng(0)
    images = rng.random((2, 12, 12, 2), dtype=np.float32)
    labels = np.array([0, 2], np.int32)
    with bench.op_determinism_off(), bench.SessionPasses(tiny_convnet, model.get_weights(), images,
                                                         labels) as s:
        _, forward_backward = bench.function_passes(model, images, labels)
        yield bench.pass_ops(s, forward_backward), bench.optimized_ops(s, model, images, labels)


def test_session_and_function_build_the_same_compute_ops_for_the_pass(tiny_graphs):
    built, _ = tiny_graphs
    session, function = (bench.compute_ops(built[p]) for p in ("session", "function"))
    assert session == function
    # the whole pass is there, backward included: one filter and one bias gradient per conv/dense
    assert session["Conv2DBackpropFilter"] == 1 and session["BiasAddGrad"] == 2
    assert session["Conv2DBackpropInput"] == 0  # no gradient for the images, on either path
    assert session["MatMul"] == 3  # forward, gradient of the weights, gradient of the input
    # they differ only in bookkeeping: a function takes its variables (batch norm's statistics
    # too) as inputs and returns through Identity; a TF1 graph looks its variables up by name
    model = tiny_convnet()
    assert built["function"]["Placeholder"] == len(model.weights) == built["session"]["VarHandleOp"]
    assert built["function"]["Identity"] == 1 + len(model.trainable_weights)  # loss + gradients


def test_after_grappler_both_paths_run_the_same_convolution_and_matmul_kernels(tiny_graphs):
    _, optimized = tiny_graphs
    session, function = (bench.kernel_ops(optimized[p]) for p in ("session", "function"))
    assert session == function and sum(session.values()) >= 4  # conv, its filter gradient, 2 matmuls


def test_read_back_aliases_the_tensors_like_session_run_while_numpy_copies():
    t = tf.function(lambda: tf.range(6.0) * 2)()
    view, copy = bench.read_back(t), t.numpy()
    np.testing.assert_array_equal(view, copy)
    assert not view.flags.owndata and copy.flags.owndata
    assert all(not a.flags.owndata for a in bench.read_back([t, t]))
    with tf.Graph().as_default() as g:
        v = tf.Variable(tf.range(6.0))
        y = v * 2  # computed each run (a constant expression would be folded, and copied out)
        init = tf.compat.v1.global_variables_initializer()
    with tf.compat.v1.Session(graph=g) as sess:
        sess.run(init)
        fetched = sess.run(y)
        np.testing.assert_array_equal(fetched, copy)
        assert not fetched.flags.owndata  # what the Session path has always done


def test_time_interleaved_burns_in_then_rotates_one_step_of_each_per_round():
    calls = []
    steps = {k: (lambda k=k: calls.append(k)) for k in "abc"}
    timings = bench.time_interleaved(steps, num_steps=3, num_burn_in=2)
    assert "".join(calls) == "aabbcc" + "abc" + "bca" + "cab"
    assert all(len(t.times) == 3 for t in timings.values())


def test_paired_ratio_is_the_median_of_per_round_ratios_not_moved_by_one_slow_round():
    from utils.timing import TimingResult
    reference = TimingResult("session", [1.0, 2.0, 1.0, 1.0, 1.0])
    slower = TimingResult("function", [1.1, 2.2, 9.0, 1.1, 1.1])  # round 3 hit by another job
    assert bench.paired_ratio(slower, reference) == pytest.approx(1.1)
    assert slower.mean / reference.mean > 2


def test_fractions_of_peak_use_the_larger_of_two_peak_measurements(tiny_run):
    rows = [dataclasses.replace(r) for r in tiny_run[0]]  # copies: the fixture is shared
    assert bench.rescale_to_peak(rows, 100.0, 400.0) == 400.0  # the first one ran under a load
    assert all(r.fraction_of_peak == pytest.approx(r.gflops_per_s / 400.0) for r in rows)
    assert bench.rescale_to_peak(rows, 400.0, 50.0) == 400.0  # the second one did
    assert all(r.fraction_of_peak == pytest.approx(r.gflops_per_s / 400.0) for r in rows)


def test_time_interleaved_adds_rounds_for_fast_steps_up_to_fifty_times_num_steps(monkeypatch):
    from utils.timing import TimingResult

    def ten_ms_steps(target, num_steps, num_burn_in):  # a clock that does not depend on the machine
        for _ in range(num_burn_in + num_steps):
            target()
        return TimingResult("step", [0.01] * num_steps)

    monkeypatch.setattr(bench, "time_tensorflow_run", ten_ms_steps)
    steps = {k: (lambda: None) for k in "abc"}  # a round: 3 steps of 10 ms
    rounds = len(bench.time_interleaved(steps, num_steps=2, num_burn_in=0, min_seconds=0.25)["a"].times)
    assert rounds == 9  # 8 rounds make 0.24 s
    rounds = len(bench.time_interleaved(steps, num_steps=2, num_burn_in=0, min_seconds=60)["a"].times)
    assert rounds == 100
    rounds = len(bench.time_interleaved(steps, num_steps=2, num_burn_in=0)["a"].times)
    assert rounds == 2
