"""Highway networks and ResNets v1/v2: the blocks first, then one builder and a short function per variant.

The program follows TF-slim's ``resnet_v2`` code (``tf.contrib.slim.nets``, TF 1.x), rewritten for Keras 3:

* ``Block(scope, unit_fn, args)``: a stage of the network, ``args`` being one tuple per unit, e.g.
  ``(depth, depth_bottleneck, stride)`` for a bottleneck unit;
* ``subsample`` (a 1x1 max-pool with a stride) and ``conv2d_same`` (explicit padding before a strided
  convolution, so the output size does not depend on whether the input size is even or odd);
* ``stack_blocks_dense``: run every unit of every block, naming layers ``{block}_unit{i}_...``;
* ``bottleneck_v2``: the pre-activation unit of He et al. 2016 (BN and ReLU *before* each convolution,
  nothing after the addition), ``bottleneck_v1`` the original unit of He et al. 2015;
* ``resnet``: the one builder (root, stacked blocks, [post-norm], global average pool, classifier);
  ``resnet_v1_block`` / ``resnet_v2_block(scope, base_depth, num_units, stride)`` (slim's helper) make
  one stage, so ``resnet50`` / ``resnet_v2_50`` / ``101`` / ``152`` / ``200`` are a few lines each.
* every unit takes ``excite``: a function applied to the residual branch before the addition, which
  is how ``utils.models.senet`` builds SE-ResNets from these same units.

The ImageNet builders have exactly the parameter counts of ``keras.applications.ResNet50`` and
``ResNet50V2/101V2/152V2`` (weights=None). Layer names are deterministic, so a model always prints
and saves the same way.
"""
import collections

import keras
from keras import layers

from utils.checks import whole_number
from utils.layers import SHORT_RUN_MOMENTUM, bn_relu, check_builder_args, classifier

# BN epsilon: utils.layers.BN_EPSILON, keras.applications' 1.001e-5 (slim used 1e-5; the difference
# only matters for loading weights). slim used a moving-average decay of 0.997, right for ImageNet's
# 600k steps. The course trains for a few hundred steps, and with 0.997 the inference statistics
# would still be mostly their initial values.
BN_MOMENTUM = SHORT_RUN_MOMENTUM


# ------------------------------------------------------------------------------------ Highway

@keras.saving.register_keras_serializable(package="course")
class Highway(layers.Layer):
    """A fully connected Highway layer (Srivastava, Greff & Schmidhuber 2015).

        y = H(x) * T(x) + x * (1 - T(x)),   H(x) = act(x W_H + b_H),   T(x) = sigmoid(x W_T + b_T)

    T is the *transform gate*, 1 - T the *carry gate*. The gate bias starts negative (the paper uses
    -1 to -3), so at initialisation the layer mostly carries its input through: a deep stack starts
    close to the identity and can be trained. Input and output widths are equal (``x`` is added).
    """

    def __init__(self, activation="relu", gate_bias=-2.0, **kwargs):
        super().__init__(**kwargs)
        self.activation = keras.activations.get(activation)
        self.gate_bias = float(gate_bias)

    def build(self, input_shape):
        width = input_shape[-1]
        if width is None:
            raise ValueError("Highway needs a known input width (last dimension); give the Input a shape")
        self.h_kernel = self.add_weight(name="h_kernel", shape=(width, width), initializer="he_normal")
        self.h_bias = self.add_weight(name="h_bias", shape=(width,), initializer="zeros")
        self.t_kernel = self.add_weight(name="t_kernel", shape=(width, width), initializer="glorot_uniform")
        self.t_bias = self.add_weight(name="t_bias", shape=(width,),
                                      initializer=keras.initializers.Constant(self.gate_bias))

    def transform_gate(self, x):
        """T(x), in (0, 1): how much of the layer's own output H(x) replaces the input."""
        return keras.ops.sigmoid(keras.ops.matmul(x, self.t_kernel) + self.t_bias)

    def call(self, x):
        h = self.activation(keras.ops.matmul(x, self.h_kernel) + self.h_bias)
        t = self.transform_gate(x)
        return h * t + x * (1.0 - t)

    def get_config(self):
        return {**super().get_config(), "activation": keras.activations.serialize(self.activation),
                "gate_bias": self.gate_bias}


# ------------------------------------------------------------------------------ slim helpers

# A stage of the network: `unit_fn(x, *unit, name=...)` is called for each tuple `unit` in `args`.
Block = collections.namedtuple("Block", ["scope", "unit_fn", "args"])


def batch_norm(x, name, relu=False):
    """BN over the channels, then optionally ReLU (slim's normalizer_fn + activation_fn): the shared
    :func:`utils.layers.bn_relu` at ResNet's short-run momentum."""
    return bn_relu(x, name=name, relu=relu, momentum=BN_MOMENTUM)


def subsample(x, factor, name):
    """Keep every ``factor``-th pixel (a 1x1 max-pool with a stride), the identity when factor is 1."""
    if factor == 1:
        return x
    return layers.MaxPooling2D(1, strides=factor, name=name)(x)


def conv2d_same(x, filters, kernel_size, stride, use_bias=False, name=None):
    """A convolution whose output is ceil(input / stride), padded the same way for every input size.

    With stride 1 this is padding="same". With a stride, "same" padding would put the extra pixel at
    the bottom/right only for some input sizes; padding (k-1)//2 before and the rest after, then a
    "valid" convolution, makes the result independent of the input size (slim's conv2d_same).
    """
    if stride == 1:
        return layers.Conv2D(filters, kernel_size, padding="same", use_bias=use_bias, name=name)(x)
    pad_total = kernel_size - 1
    pad_beg = pad_total // 2
    pad_end = pad_total - pad_beg
    x = layers.ZeroPadding2D(((pad_beg, pad_end), (pad_beg, pad_end)), name=f"{name}_pad")(x)
    return layers.Conv2D(filters, kernel_size, strides=stride, padding="valid", use_bias=use_bias,
                         name=name)(x)


def stack_blocks_dense(x, blocks):
    """Run every unit of every block in order; unit i of block "block2" is named "block2_unit{i}"."""
    for block in blocks:
        for i, unit in enumerate(block.args):
            x = block.unit_fn(x, *unit, name=f"{block.scope}_unit{i + 1}")
    return x


def check_blocks(blocks):
    """Raise a clear error for a block list the builder cannot use."""
    if not blocks:
        raise ValueError("blocks=[]: resnet() needs at least one Block, e.g. "
                         "[Block('block1', basic_block, [(16, 1)])]")
    for block in blocks:
        if not isinstance(block, Block):
            raise ValueError(f"blocks: expected Block(scope, unit_fn, args) items, got "
                             f"{type(block).__name__}; wrap the stage as "
                             f"Block('block1', bottleneck_v2, [(256, 64, 1), ...])")
        if not block.args:
            raise ValueError(f"block {block.scope!r} has no units: give args at least one tuple")


def check_unit(depth, stride, depth_bottleneck=None):
    """Depths are channel counts >= 1; the stride is 1 or more (2 halves the resolution)."""
    whole_number("depth", depth, example=256)
    whole_number("stride", stride, example=2)
    if depth_bottleneck is not None:
        whole_number("depth_bottleneck", depth_bottleneck, example=64)


def residual_sum(shortcut, r, name, excite):
    """shortcut + excite(residual): ``excite`` (e.g. an SE block) recalibrates the residual branch
    before the addition, so the identity path stays untouched (Hu et al., Fig. 3)."""
    if excite is not None:
        r = excite(r, name=f"{name}_se")
    return layers.Add(name=f"{name}_add")([shortcut, r])


# ---------------------------------------------------------------------------- residual units

def basic_block(x, depth, stride=1, name="unit", excite=None):
    """ResNet v1 basic unit (ResNet-18/34): two 3x3 conv-BN layers, add the shortcut, then ReLU.

    The shortcut is the identity when the depth does not change (subsampled if stride > 1), else a
    1x1 projection with BN (the paper's option B).
    """
    check_unit(depth, stride)
    if depth == x.shape[-1]:
        shortcut = subsample(x, stride, name=f"{name}_shortcut")
    else:
        shortcut = layers.Conv2D(depth, 1, strides=stride, use_bias=False, name=f"{name}_shortcut")(x)
        shortcut = batch_norm(shortcut, f"{name}_shortcut")
    r = conv2d_same(x, depth, 3, stride, name=f"{name}_conv1")
    r = batch_norm(r, f"{name}_conv1", relu=True)
    r = conv2d_same(r, depth, 3, 1, name=f"{name}_conv2")
    r = batch_norm(r, f"{name}_conv2")
    x = residual_sum(shortcut, r, name, excite)
    return layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_v1(x, depth, depth_bottleneck, stride=1, name="unit", excite=None):
    """ResNet v1 bottleneck unit (ResNet-50/101/152): 1x1 reduce, 3x3, 1x1 expand; add; ReLU.

    As in the original Caffe model and keras.applications.ResNet50, the stride sits on the first 1x1
    convolution. As in keras.applications.ResNet50 (not the Caffe model), every convolution here,
    the projection shortcut included, keeps a bias although BN follows it: the bias is redundant (BN
    subtracts the mean); we keep it to reproduce Keras's parameter count exactly. The Caffe model's
    branch convolutions have no bias (``bias_term: false``; its Scale layer after BN gives the shift).
    """
    check_unit(depth, stride, depth_bottleneck)
    if depth == x.shape[-1]:
        shortcut = subsample(x, stride, name=f"{name}_shortcut")
    else:
        shortcut = layers.Conv2D(depth, 1, strides=stride, name=f"{name}_shortcut")(x)
        shortcut = batch_norm(shortcut, f"{name}_shortcut")
    r = layers.Conv2D(depth_bottleneck, 1, strides=stride, name=f"{name}_conv1")(x)
    r = batch_norm(r, f"{name}_conv1", relu=True)
    r = layers.Conv2D(depth_bottleneck, 3, padding="same", name=f"{name}_conv2")(r)
    r = batch_norm(r, f"{name}_conv2", relu=True)
    r = layers.Conv2D(depth, 1, name=f"{name}_conv3")(r)
    r = batch_norm(r, f"{name}_conv3")
    x = residual_sum(shortcut, r, name, excite)
    return layers.Activation("relu", name=f"{name}_out")(x)


def bottleneck_v2(x, depth, depth_bottleneck, stride=1, name="unit", excite=None):
    """ResNet v2 pre-activation bottleneck unit (He et al. 2016), slim's ``bottleneck`` with ``preact``.

    BN+ReLU come *before* each convolution ("preact"), and nothing follows the addition, so the
    shortcut path from any unit to any later one is a pure identity. The last 1x1 convolution has
    no BN (the next unit's preact normalises the sum) and keeps its bias; the projection shortcut
    (when the depth changes) reads the pre-activated input, as in slim and Keras.
    """
    check_unit(depth, stride, depth_bottleneck)
    preact = batch_norm(x, f"{name}_preact", relu=True)
    if depth == x.shape[-1]:
        shortcut = subsample(x, stride, name=f"{name}_shortcut")
    else:
        shortcut = layers.Conv2D(depth, 1, strides=stride, name=f"{name}_shortcut")(preact)
    r = layers.Conv2D(depth_bottleneck, 1, use_bias=False, name=f"{name}_conv1")(preact)
    r = batch_norm(r, f"{name}_conv1", relu=True)
    r = conv2d_same(r, depth_bottleneck, 3, stride, name=f"{name}_conv2")
    r = batch_norm(r, f"{name}_conv2", relu=True)
    r = layers.Conv2D(depth, 1, name=f"{name}_conv3")(r)
    return residual_sum(shortcut, r, name, excite)


# ---------------------------------------------------------------------------------- builder

def root_block(x, preact, imagenet=True, depth=64):
    """The stem before the residual stages.

    imagenet=True: 7x7/2 convolution then a 3x3/2 max-pool (224 -> 56), as in both papers.
    imagenet=False: one 3x3 convolution, no pooling, for 28x28 or 32x32 images (the paper's CIFAR nets).
    In v2 (preact) the stem has no BN/ReLU: the first unit's preact normalises it.
    """
    if imagenet:
        # v1 keeps the conv bias (keras.applications.ResNet50 does); v2 has no BN after it, so it needs one.
        x = conv2d_same(x, depth, 7, 2, use_bias=True, name="conv1")
        if not preact:
            x = batch_norm(x, "conv1", relu=True)
        return layers.MaxPooling2D(3, strides=2, padding="same", name="pool1")(x)
    x = conv2d_same(x, depth, 3, 1, use_bias=preact, name="conv1")
    return x if preact else batch_norm(x, "conv1", relu=True)


def resnet(blocks, input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
           name="resnet", preact=False, imagenet_root=True, root_depth=64):
    """The one ResNet builder: root, ``stack_blocks_dense(blocks)``, [postnorm], average pool, classifier.

    blocks: list of :class:`Block` (first: it is the architecture; the named builders below fill it
    in); preact: True for v2 (adds the final BN+ReLU "postnorm" that the last unit's open sum needs);
    imagenet_root: the 7x7/2 + pool stem, else a 3x3 stem for small images.
    """
    check_blocks(blocks)
    check_builder_args(input_shape, num_classes, classifier_activation)  # padded layers: any size
    whole_number("root_depth", root_depth, example=64)
    inputs = keras.Input(shape=input_shape, name="input")
    x = root_block(inputs, preact, imagenet_root, root_depth)
    x = stack_blocks_dense(x, blocks)
    if preact:
        x = batch_norm(x, "postnorm", relu=True)
    x = layers.GlobalAveragePooling2D(name="pool5")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)


def resnet_v1_block(scope, base_depth, num_units, stride, unit_fn=bottleneck_v1):
    """One v1 stage: ``num_units`` bottleneck units of width ``base_depth`` (output 4 x base_depth).

    v1 (the Caffe model, keras.applications) downsamples in the FIRST unit of the stage.
    """
    whole_number("num_units", num_units, example=3)
    depth = 4 * base_depth
    units = [(depth, base_depth, stride)] + [(depth, base_depth, 1)] * (num_units - 1)
    return Block(scope, unit_fn, units)


def resnet_v2_block(scope, base_depth, num_units, stride, unit_fn=bottleneck_v2):
    """One v2 stage, slim's ``resnet_v2_block``: the stride sits on the LAST unit.

    Same parameters as v1's layout, but the strided unit's subsampled identity shortcut never has
    to change depth at the same time.
    """
    whole_number("num_units", num_units, example=3)
    depth = 4 * base_depth
    units = [(depth, base_depth, 1)] * (num_units - 1) + [(depth, base_depth, stride)]
    return Block(scope, unit_fn, units)


def resnet50_blocks(unit_fn=bottleneck_v1):
    """ResNet-50 v1's four stages, 3, 4, 6, 3 units (unit_fn: e.g. an SE variant of bottleneck_v1)."""
    return [resnet_v1_block("block1", 64, 3, 1, unit_fn), resnet_v1_block("block2", 128, 4, 2, unit_fn),
            resnet_v1_block("block3", 256, 6, 2, unit_fn), resnet_v1_block("block4", 512, 3, 2, unit_fn)]


def resnet50(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
             name="resnet50"):
    """ResNet-50 v1 (He et al. 2015): 3, 4, 6, 3 bottleneck units; 25,636,712 parameters at 1000 classes."""
    return resnet(resnet50_blocks(), input_shape, num_classes,
                  classifier_activation=classifier_activation, name=name)


def resnet_v2_blocks(units):
    """The four v2 ImageNet stages from their unit counts, e.g. (3, 4, 6, 3) for ResNet-50."""
    return [resnet_v2_block("block1", 64, units[0], 2), resnet_v2_block("block2", 128, units[1], 2),
            resnet_v2_block("block3", 256, units[2], 2), resnet_v2_block("block4", 512, units[3], 1)]


def resnet_v2_50(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                 name="resnet_v2_50"):
    """ResNet-50 v2: 3, 4, 6, 3 pre-activation bottleneck units; 25,613,800 parameters."""
    return resnet(resnet_v2_blocks((3, 4, 6, 3)), input_shape, num_classes, preact=True,
                  classifier_activation=classifier_activation, name=name)


def resnet_v2_101(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                  name="resnet_v2_101"):
    """ResNet-101 v2: 3, 4, 23, 3 units; 44,675,560 parameters."""
    return resnet(resnet_v2_blocks((3, 4, 23, 3)), input_shape, num_classes, preact=True,
                  classifier_activation=classifier_activation, name=name)


def resnet_v2_152(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                  name="resnet_v2_152"):
    """ResNet-152 v2: 3, 8, 36, 3 units; 60,380,648 parameters."""
    return resnet(resnet_v2_blocks((3, 8, 36, 3)), input_shape, num_classes, preact=True,
                  classifier_activation=classifier_activation, name=name)


def resnet_v2_200(input_shape=(224, 224, 3), num_classes=1000, *, classifier_activation="softmax",
                  name="resnet_v2_200"):
    """ResNet-200 v2: 3, 24, 36, 3 units (keras.applications has no counterpart)."""
    return resnet(resnet_v2_blocks((3, 24, 36, 3)), input_shape, num_classes, preact=True,
                  classifier_activation=classifier_activation, name=name)


def small_resnet_blocks(depths, units, first_stride, unit_fn=basic_block):
    """One stage of ``units`` basic units per depth, halving the resolution at the start of every
    stage after the first (and of the first too when ``first_stride=2``)."""
    if not depths:
        raise ValueError("depths=(): give one channel count per stage, e.g. depths=(16, 32, 64)")
    whole_number("units", units, example=2)
    if first_stride not in (1, 2):
        raise ValueError(f"first_stride={first_stride!r}: use 1 (full resolution) or 2 (4x cheaper)")
    return [Block(f"block{i + 1}", unit_fn, [(d, first_stride if i == 0 else 2)] + [(d, 1)] * (units - 1))
            for i, d in enumerate(depths)]


def small_resnet(input_shape=(28, 28, 1), num_classes=10, *, classifier_activation="softmax",
                 name="small_resnet", depths=(16, 32, 64), units=2, first_stride=1):
    """A CIFAR-style ResNet v1 of basic units for small images: a 3x3 stem, then one stage per depth,
    ``units`` units each, halving the resolution at the start of every stage after the first (and of
    the first too when ``first_stride=2``, which makes the whole net 4x cheaper on 28x28 images)."""
    blocks = small_resnet_blocks(depths, units, first_stride)
    return resnet(blocks, input_shape, num_classes, classifier_activation=classifier_activation,
                  name=name, imagenet_root=False, root_depth=depths[0])
