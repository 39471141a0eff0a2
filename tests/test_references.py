"""The course's ImageNet builders against keras.applications, output for output (micrograd's habit:
check a network against an independent implementation of it, not against a restatement of itself).

Each test builds ours and the keras.applications model (weights=None) at a small input, batch 2,
10 classes; gives the reference random weights (keras' weights=None leaves every bias, BN beta and
moving mean at 0 and every gamma and moving variance at 1, under which a swapped BN layer or bias
would go unnoticed); checks that both have the same number of weight tensors with the same shapes
in the same order; copies the weights into ours layer by layer through a name map (every weighted
layer of each model matched exactly once, shapes equal); then compares the logits (the classifier's
input times its kernel plus bias, before the softmax) and the probabilities.

What the tests pin (random weights as below, 10 classes, max |logit| 1-12):

* ``vgg("vgg16")`` and ``densenet121`` compute exactly keras' VGG16 and DenseNet121 (64x64:
  logits equal to the last bit).
* ``resnet50``: pool1 differs. Ours is slim's (and Caffe's) 3x3/2 max-pool, windows starting at
  pixel 0 with the extra padding at the bottom/right ("same"); keras pads one zero pixel on every
  side before a "valid" pool, so its windows start at pixel -1. For an even conv1 output (64x64 or
  224x224 input) the windows are one pixel apart: ~70 % of pool1's values differ, and the logits
  by up to 0.08 at 64x64 (max |logit| 1.2) and 0.036 at 224x224 (max |logit| 2.1), probabilities
  by up to 0.01. For an odd conv1 output (66x66 input) the windows coincide and the two networks
  are equal. Every layer after pool1 is the same function at any size.
* ``resnet_v2_50``: the same window offset, plus: v2 has no BN/ReLU before pool1, so keras' zero
  padding enters the max of the border windows (max(0, ...)) where "same" pooling ignores the
  padding; even at 66x66 1 % of pool1's values differ (logits by up to 0.004). Every layer after
  pool1 is the same function.
  Both are structural differences, not bugs: the course documents its ResNets as slim's code
  with keras.applications' parameter counts (which they have), not keras' outputs.
"""
import re

import keras
import numpy as np

from utils.models import densenet, resnet, vgg

BATCH, CLASSES = 2, 10


def randomize(model, seed=0, he_kernels=False):
    """Random BN statistics and biases. Kernels keep their Glorot values (distinct per layer), or
    with ``he_kernels`` are drawn at He scale, sqrt(2 / fan_in), so that a plain stack of ReLU
    layers without BN (VGG) keeps its activations' scale instead of shrinking to the biases."""
    rng = np.random.default_rng(seed)
    values = []
    for w in model.weights:
        shape = tuple(w.shape)
        if w.name == "kernel":
            he = rng.normal(0.0, np.sqrt(2.0 / np.prod(shape[:-1])), shape)
            values.append(he if he_kernels else np.asarray(w))
        elif w.name in ("gamma", "moving_variance"):
            values.append(rng.uniform(0.5, 1.5, shape))
        else:  # bias, beta, moving_mean
            values.append(rng.normal(0.0, 0.1, shape))
    model.set_weights([v.astype("float32") for v in values])


def copy_weights(reference, ours, reference_name):
    """Copy every weighted layer of ``reference`` into ``ours``; ``reference_name(our_name)``."""
    assert len(ours.weights) == len(reference.weights)
    assert [tuple(w.shape) for w in ours.weights] == [tuple(w.shape) for w in reference.weights]
    pairs = [(layer, reference.get_layer(reference_name(layer.name)))
             for layer in ours.layers if layer.weights]
    assert sorted(ref.name for _, ref in pairs) == sorted(l.name for l in reference.layers if l.weights)
    for layer, ref in pairs:
        assert [w.shape for w in layer.weights] == [w.shape for w in ref.weights], layer.name
        layer.set_weights(ref.get_weights())


def logits_and_probabilities(model, features_layer, x):
    """The logits, float64 (features @ kernel + bias of the softmax layer ``predictions``, computed
    here because both models fuse the softmax into that layer), and the model's probabilities."""
    features, probabilities = keras.Model(model.input, [model.get_layer(features_layer).output,
                                                        model.output])(x)
    kernel, bias = model.get_layer("predictions").get_weights()
    return np.asarray(features, np.float64) @ kernel + bias, np.asarray(probabilities)


def logits(model, features_layer, x):
    return logits_and_probabilities(model, features_layer, x)[0]


def images(size, seed=1):
    """Two noise images of different brightness and contrast (N(0, 1) and N(0.5, 1.5^2) pixels)."""
    noise = np.random.default_rng(seed).normal(size=(BATCH, size, size, 3))
    return (noise * np.array([1.0, 1.5])[:, None, None, None]
            + np.array([0.0, 0.5])[:, None, None, None]).astype("float32")


def assert_same_network_outputs(ours, ref, ours_features, ref_features, x):
    expected, expected_probabilities = logits_and_probabilities(ref, ref_features, x)
    scale = np.abs(expected).max()
    # not degenerate: the logits are large, and they depend on the class and on the image by far
    # more than the tolerance (1e-4 x scale) below
    assert scale > 0.5 and np.ptp(expected, axis=1).min() > 0.1 * scale
    assert np.abs(expected[0] - expected[1]).max() > 0.01 * scale
    got, probabilities = logits_and_probabilities(ours, ours_features, x)
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-4 * scale)
    np.testing.assert_allclose(probabilities, expected_probabilities, atol=1e-5)


def keras_resnet_name(name):
    """Our slim-style ResNet layer names -> keras.applications' (conv{stage+1}_block{unit}_...)."""
    fixed = {"conv1": "conv1_conv", "conv1_bn": "conv1_bn", "postnorm_bn": "post_bn",
             "predictions": "predictions"}
    if name in fixed:
        return fixed[name]
    stage, unit, part, bn = re.fullmatch(r"block(\d)_unit(\d+)_(shortcut|conv\d|preact)(_bn)?", name).groups()
    index = {"shortcut": "0", "conv1": "1", "conv2": "2", "conv3": "3", "preact": "preact"}[part]
    return f"conv{int(stage) + 1}_block{unit}_{index}_{'bn' if bn else 'conv'}"


def max_pool_3x3_s2(a, before, after, fill):
    """A 3x3/2 max-pool written out in NumPy: pad ``before``/``after`` pixels with ``fill``, then
    take every window that fits, starting at the first padded pixel."""
    a = np.pad(a, ((0, 0), (before, after), (before, after), (0, 0)), constant_values=fill)
    n = (a.shape[1] - 3) // 2 + 1
    return np.stack([np.stack([a[:, 2 * i:2 * i + 3, 2 * j:2 * j + 3].max(axis=(1, 2)) for j in range(n)],
                              axis=1) for i in range(n)], axis=1)


def built_pair(ours_builder, ref_builder, size):
    ours = ours_builder(input_shape=(size, size, 3), num_classes=CLASSES)
    ref = ref_builder(weights=None, input_shape=(size, size, 3), classes=CLASSES)
    randomize(ref)
    copy_weights(ref, ours, keras_resnet_name)
    return ours, ref


def output_of(model, layer, x):
    return keras.Model(model.input, model.get_layer(layer).output)(x).numpy()


def tail_output(model, first, last, x):
    """Run the layers from ``first``'s output to ``last``'s output on x (a sub-network)."""
    return keras.Model(model.get_layer(first).output, model.get_layer(last).output)(x).numpy()


# --------------------------------------------------------------------------------- VGG, DenseNet

def test_vgg16_equals_keras_vgg16():
    ours = vgg.vgg("vgg16", (64, 64, 3), CLASSES)
    ref = keras.applications.VGG16(weights=None, input_shape=(64, 64, 3), classes=CLASSES)
    randomize(ref, he_kernels=True)
    copy_weights(ref, ours, lambda name: name)  # the same names: block1_conv1, ..., fc1, fc2
    assert_same_network_outputs(ours, ref, "fc2", "fc2", images(64))


def test_densenet121_equals_keras_densenet121():
    ours = densenet.densenet121((64, 64, 3), CLASSES)
    ref = keras.applications.DenseNet121(weights=None, input_shape=(64, 64, 3), classes=CLASSES)
    randomize(ref)
    copy_weights(ref, ours, lambda name: {"final_bn": "bn"}.get(name, name))
    assert_same_network_outputs(ours, ref, "avg_pool", "avg_pool", images(64))


# ------------------------------------------------------------------------------------ ResNet v1

def test_resnet50_equals_keras_resnet50_when_the_pool1_windows_coincide():
    # 66x66 input: conv1 gives 33x33, odd, and both pool1 conventions take the same windows
    ours, ref = built_pair(resnet.resnet50, keras.applications.ResNet50, 66)
    assert_same_network_outputs(ours, ref, "pool5", "avg_pool", images(66))


def test_resnet50_pool1_windows_sit_one_pixel_off_keras_at_even_sizes():
    ours, ref = built_pair(resnet.resnet50, keras.applications.ResNet50, 64)
    x = images(64)
    stem = output_of(ref, "conv1_relu", x)  # 32x32x64, equal in both networks
    np.testing.assert_allclose(output_of(ours, "conv1_relu", x), stem, rtol=1e-5, atol=1e-5)
    # ours: slim/Caffe windows from pixel 0 (the pad at the end); keras: zero pad 1, from pixel -1
    ours_pool, ref_pool = output_of(ours, "pool1", x), output_of(ref, "pool1_pool", x)
    np.testing.assert_allclose(ours_pool, max_pool_3x3_s2(stem, 0, 1, -np.inf), rtol=1e-6)
    np.testing.assert_allclose(ref_pool, max_pool_3x3_s2(stem, 1, 1, 0.0), rtol=1e-6)
    assert np.abs(ours_pool - ref_pool).max() > 0.1  # so the whole networks differ ...
    got, expected = logits(ours, "pool5", x), logits(ref, "avg_pool", x)
    assert np.abs(got - expected).max() > 1e-2 * np.abs(expected).max()
    # ... and everything after pool1 is the same function
    np.testing.assert_allclose(tail_output(ours, "pool1", "pool5", ref_pool),
                               tail_output(ref, "pool1_pool", "avg_pool", ref_pool), rtol=1e-4, atol=1e-4)


# ------------------------------------------------------------------------------------ ResNet v2

def test_resnet_v2_50_differs_from_keras_only_in_pool1():
    ours, ref = built_pair(resnet.resnet_v2_50, keras.applications.ResNet50V2, 64)
    x = images(64)
    stem = output_of(ref, "conv1_conv", x)  # no BN/ReLU before pool1 in v2: signed values
    np.testing.assert_allclose(output_of(ours, "conv1", x), stem, rtol=1e-5, atol=1e-5)
    ours_pool, ref_pool = output_of(ours, "pool1", x), output_of(ref, "pool1_pool", x)
    # slim: padding never wins a max; keras: zero padding, max(0, ...) in the border windows
    np.testing.assert_allclose(ours_pool, max_pool_3x3_s2(stem, 0, 1, -np.inf), rtol=1e-6)
    np.testing.assert_allclose(ref_pool, max_pool_3x3_s2(stem, 1, 1, 0.0), rtol=1e-6)
    got, expected = logits(ours, "pool5", x), logits(ref, "avg_pool", x)
    assert np.abs(got - expected).max() > 1e-2 * np.abs(expected).max()
    np.testing.assert_allclose(tail_output(ours, "pool1", "postnorm_relu", ref_pool),
                               tail_output(ref, "pool1_pool", "post_relu", ref_pool), rtol=1e-4, atol=1e-4)
    kernel, bias = ours.get_layer("predictions").get_weights()
    tail_logits = tail_output(ours, "pool1", "pool5", ref_pool).astype(np.float64) @ kernel + bias
    np.testing.assert_allclose(tail_logits, expected, rtol=1e-4, atol=1e-4 * np.abs(expected).max())

