"""utils.bench: the three paths agree, FLOP and byte bookkeeping, skipping, result files.

No speed is asserted here (a unit test is no place to measure speed): the runs use one timed
step and only check what the benchmark computes and writes.
"""
import csv
import json

import utils

utils.setup()

import keras  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import tensorflow as tf  # noqa: E402
from tensorflow.python.framework import config as tf_config  # noqa: E402

from utils import bench  # noqa: E402
from utils.layers import LocalResponseNormalization  # noqa: E402


def tiny_convnet():
    inputs = keras.Input((12, 12, 2))
    x = keras.layers.Conv2D(4, 3, activation="relu", name="conv")(inputs)
    x = keras.layers.BatchNormalization(name="bn")(x)
    x = keras.layers.MaxPooling2D(2, name="pool")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="fc")(x)
    return keras.Model(inputs, outputs, name="tiny")


@pytest.fixture(scope="module")
def tiny_run():
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
    assert all(r.vs_session == 1.0 for r in rows if r.path == "session")
    assert all(r.fraction_of_peak == pytest.approx(r.gflops_per_s / 100.0) for r in rows)


def test_op_determinism_is_switched_back_on_after_the_benchmark(tiny_run):
    assert tf_config.is_op_determinism_enabled()


def test_paths_that_disagree_fail_the_check():
    out = np.ones((2, 3), np.float32)
    grads = [np.float32(1.0), np.ones(4, np.float32)]
    with pytest.raises(AssertionError, match="xla gradients differ"):
        bench.check_paths_agree({"session": (out, grads), "xla": (out, [grads[0], grads[1] * 1.01])})


def test_lrn_is_counted_with_its_own_rule():
    inputs = keras.Input((4, 4, 6))
    model = keras.Model(inputs, LocalResponseNormalization(depth_radius=2, name="lrn")(inputs))
    assert bench.count_flops(model) == (2 * 5 + 4) * 4 * 4 * 6


def test_dense_layer_traffic_is_weights_plus_inputs_and_outputs_per_image():
    inputs = keras.Input((100,))
    model = keras.Model(inputs, keras.layers.Dense(50, name="fc")(inputs))
    (name, kind, flop, moved, intensity), = bench.layer_traffic(model, batch=8)
    assert (name, kind) == ("fc", "Dense")
    assert flop == 8 * (2 * 100 * 50 + 50)
    assert moved == 4 * (100 * 50 + 50 + 8 * (100 + 50))
    # a bigger batch reuses each weight more often: more FLOPs per byte
    assert bench.arithmetic_intensity(model, 64) > 4 * bench.arithmetic_intensity(model, 1)


def test_a_missing_builder_module_or_function_is_skipped_not_an_error():
    with pytest.raises(bench.Skip, match="does not exist yet"):
        bench.find_builder(bench.Config("x", "no_such_generation", ("build",), (32, 32, 3)))
    with pytest.raises(bench.Skip, match="no builder named"):
        bench.find_builder(bench.Config("x", "lenet", ("no_such_builder",), (32, 32, 1)))


def test_every_quick_model_that_exists_builds_at_its_stated_input_with_a_flop_count():
    for config in bench.QUICK:
        try:
            build = bench.model_factory(config, 10)
        except bench.Skip:
            continue
        model = build()
        assert tuple(model.input_shape[1:]) == config.input_shape
        assert bench.count_flops(model) > 0, config.name
        keras.backend.clear_session()


def test_unknown_model_or_size_raises_value_error_naming_the_choices():
    with pytest.raises(ValueError, match="choose from"):
        bench.run(models=["lenet7"])
    with pytest.raises(ValueError, match="size must be one of"):
        bench.run(size="huge")


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
