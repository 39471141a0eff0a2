"""utils.train.fit under tf.distribute.MirroredStrategy on two logical CPU devices.

Splitting the CPU into logical devices must happen before TensorFlow initialises its devices,
and other tests in this process have done that long ago, so the check runs in a fresh Python
subprocess (a script below) and reports back through its exit code and output.
"""
import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

SCRIPT = textwrap.dedent("""
    import utils
    utils.setup()
    import keras
    import numpy as np
    import tensorflow as tf

    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(
        cpu, [tf.config.LogicalDeviceConfiguration(), tf.config.LogicalDeviceConfiguration()])
    devices = [d.name for d in tf.config.list_logical_devices("CPU")]
    assert len(devices) == 2, devices

    from utils.train import fit

    def build():
        # conv + dense and no batch norm: per-replica batch statistics would differ by design
        keras.utils.set_random_seed(0)
        return keras.Sequential([
            keras.Input((8, 8, 1)),
            keras.layers.Conv2D(4, 3, activation="relu", name="conv"),
            keras.layers.Flatten(name="flatten"),
            keras.layers.Dense(3, activation="softmax", name="fc"),
        ])

    rng = np.random.default_rng(0)
    x = rng.random((8, 8, 8, 1), dtype=np.float32)
    y = rng.integers(0, 3, 8).astype(np.int32)
    step = dict(epochs=1, batch_size=8, optimizer="sgd", learning_rate=0.5, verbose=False)

    single = build()
    start = single.get_weights()
    fit(single, (x, y), **step)                              # one step, one device, batch 8

    strategy = tf.distribute.MirroredStrategy(devices)
    with strategy.scope():
        mirrored = build()
    mirrored.set_weights(start)
    assert isinstance(mirrored.weights[0].value, tf.distribute.DistributedValues)
    fit(mirrored, (x, y), strategy=strategy, **step)         # one step, two replicas of 4

    moved = max(float(np.abs(a - b).max()) for a, b in zip(single.get_weights(), start))
    assert moved > 1e-3, moved                               # the step really changed the weights
    for a, b in zip(mirrored.get_weights(), single.get_weights()):
        np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    print("replicas", strategy.num_replicas_in_sync, "max weight change", round(moved, 4))

    outside = build()
    try:
        fit(outside, (x, y), strategy=strategy, **step)
    except ValueError as error:
        assert "strategy.scope()" in str(error), error
        print("built outside scope: ValueError")
    else:
        raise AssertionError("fit accepted a model built outside the strategy's scope")
""")


@pytest.fixture(scope="module")
def run_script():
    result = subprocess.run([sys.executable, "-c", SCRIPT], cwd=ROOT, capture_output=True,
                            text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr[-4000:]
    return result.stdout


def test_one_step_under_mirrored_strategy_on_two_logical_cpus_equals_one_device(run_script):
    assert "replicas 2 " in run_script


def test_fit_with_strategy_rejects_a_model_built_outside_the_scope(run_script):
    assert "built outside scope: ValueError" in run_script
