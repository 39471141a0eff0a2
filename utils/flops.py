"""Count the floating-point operations of one forward pass of a built Keras model, per image.

The convention (state it whenever you quote a FLOP number, papers differ):

* a multiply-add is **2 FLOPs**. Papers that quote "multiply-adds" (ResNet's "3.8 x 10^9 FLOPs" for
  ResNet-50 are multiply-adds) give half of our number for the convolutions;
* convolutions (``Conv1D/2D/3D``, including ``groups``), ``DepthwiseConv2D``, ``SeparableConv2D`` and
  ``Dense``: 2 x (inputs seen by one output) x (outputs), plus 1 per output for the bias, plus 1 per
  output for a fused activation;
* pooling: ``k_h * k_w`` per output (``k*k - 1`` comparisons or additions, and one division for the
  average); global pooling: 1 per input element;
* ``BatchNormalization`` at inference: 2 per element (the statistics fold into one scale and one shift);
* element-wise activations (``ReLU``, ``sigmoid``, ``softmax``, ...): 1 per element (exp-based ones
  cost more in reality; the difference is negligible next to the convolutions);
* ``Add``/``Multiply``/...: ``(inputs - 1)`` per output element; ``Rescaling``: 2 per element;
* the course's ``LocalResponseNormalization`` (AlexNet, GoogLeNet): per output, the squares of
  ``2r+1`` neighbouring channels summed (2 each), then bias, scale, power and division (4 more);
* data movement is free: ``Concatenate``, ``Flatten``, ``Reshape``, ``ZeroPadding``, ``Dropout``
  (identity at inference), ``InputLayer``.

A layer type without a rule raises ``ValueError``; pass ``custom={"ClassName": fn}`` with
``fn(layer, input_shapes, output_shape) -> flops`` (shapes without the batch dimension).
Nested models are counted layer by layer.
"""
import math

import keras


def _elements(shape):
    """Number of elements of one example of a tensor shape (the batch dimension dropped)."""
    dims = tuple(shape)[1:]
    if any(d is None for d in dims):
        raise ValueError(f"shape {tuple(shape)} has an unknown dimension besides the batch: build the "
                         "model with a fixed input_shape (e.g. keras.Input((224, 224, 3))) to count FLOPs")
    return math.prod(dims)


def _activation_flops(layer, out_elements):
    """1 FLOP per output for an activation fused into a Conv/Dense layer (none for 'linear')."""
    activation = getattr(layer, "activation", None)
    if activation is None or getattr(activation, "__name__", "") == "linear":
        return 0
    return out_elements


def conv_flops(layer, input_shapes, output_shape):
    """Conv1D/2D/3D (with ``groups``): each output sums kernel_size x C_in/groups products."""
    out = _elements(output_shape)
    c_in = input_shapes[0][-1]
    per_output = math.prod(layer.kernel_size) * (c_in // getattr(layer, "groups", 1))
    bias = out if layer.use_bias else 0
    return 2 * per_output * out + bias + _activation_flops(layer, out)


def depthwise_conv_flops(layer, input_shapes, output_shape):
    """DepthwiseConv2D: each output channel sees one input channel, ``k_h * k_w`` products."""
    out = _elements(output_shape)
    bias = out if layer.use_bias else 0
    return 2 * math.prod(layer.kernel_size) * out + bias + _activation_flops(layer, out)


def separable_conv_flops(layer, input_shapes, output_shape):
    """SeparableConv2D: a depthwise convolution, then a 1x1 (pointwise) convolution."""
    out = _elements(output_shape)
    spatial = out // output_shape[-1]
    c_in = input_shapes[0][-1]
    depthwise = 2 * math.prod(layer.kernel_size) * spatial * c_in * layer.depth_multiplier
    pointwise = 2 * c_in * layer.depth_multiplier * out
    bias = out if layer.use_bias else 0
    return depthwise + pointwise + bias + _activation_flops(layer, out)


def dense_flops(layer, input_shapes, output_shape):
    """Dense: ``in_features`` multiply-adds per output (applied to every leading position)."""
    out = _elements(output_shape)
    bias = out if layer.use_bias else 0
    return 2 * input_shapes[0][-1] * out + bias + _activation_flops(layer, out)


def pooling_flops(layer, input_shapes, output_shape):
    """Max/average pooling: ``k_h * k_w`` per output."""
    return math.prod(layer.pool_size) * _elements(output_shape)


def global_pooling_flops(layer, input_shapes, output_shape):
    """Global pooling: every input element is read once (an addition or a comparison)."""
    return _elements(input_shapes[0])


def batch_norm_flops(layer, input_shapes, output_shape):
    """BN at inference: one multiply and one add per element."""
    return 2 * _elements(output_shape)


def elementwise_flops(layer, input_shapes, output_shape):
    """Activations: 1 per element."""
    return _elements(output_shape)


def merge_flops(layer, input_shapes, output_shape):
    """Add, Subtract, Multiply, Average, Maximum, Minimum: (inputs - 1) per output element."""
    return (len(input_shapes) - 1) * _elements(output_shape)


def rescaling_flops(layer, input_shapes, output_shape):
    """Rescaling: one multiply and one add per element."""
    return 2 * _elements(output_shape)


def lrn_flops(layer, input_shapes, output_shape):
    """utils.layers.LocalResponseNormalization: (2 (2r+1) + 4) per output element."""
    window = 2 * layer.depth_radius + 1
    return (2 * window + 4) * _elements(output_shape)


def free(layer, input_shapes, output_shape):
    """Layers that only move data (or are the identity at inference)."""
    return 0


RULES = {
    "Conv1D": conv_flops, "Conv2D": conv_flops, "Conv3D": conv_flops,
    "DepthwiseConv2D": depthwise_conv_flops, "SeparableConv2D": separable_conv_flops,
    "Dense": dense_flops,
    "MaxPooling1D": pooling_flops, "MaxPooling2D": pooling_flops, "MaxPooling3D": pooling_flops,
    "AveragePooling1D": pooling_flops, "AveragePooling2D": pooling_flops,
    "AveragePooling3D": pooling_flops,
    "GlobalAveragePooling1D": global_pooling_flops, "GlobalAveragePooling2D": global_pooling_flops,
    "GlobalMaxPooling1D": global_pooling_flops, "GlobalMaxPooling2D": global_pooling_flops,
    "BatchNormalization": batch_norm_flops,
    "Activation": elementwise_flops, "ReLU": elementwise_flops, "LeakyReLU": elementwise_flops,
    "ELU": elementwise_flops, "PReLU": elementwise_flops, "Softmax": elementwise_flops,
    "Add": merge_flops, "Subtract": merge_flops, "Multiply": merge_flops, "Average": merge_flops,
    "Maximum": merge_flops, "Minimum": merge_flops,
    "Rescaling": rescaling_flops,
    "LocalResponseNormalization": lrn_flops,
    "Concatenate": free, "Flatten": free, "Reshape": free, "Permute": free, "Dropout": free,
    "SpatialDropout2D": free, "ZeroPadding2D": free, "Cropping2D": free, "InputLayer": free,
    "Identity": free,
}


def _calls(layer):
    """(input_shapes, output_shape) of every call of ``layer`` recorded in a built model."""
    calls = []
    for node in layer._inbound_nodes:
        inputs = [tuple(t.shape) for t in node.input_tensors]
        outputs = [tuple(t.shape) for t in node.output_tensors]
        if len(outputs) != 1:
            raise ValueError(f"layer {layer.name!r} has {len(outputs)} outputs; give it a custom rule")
        calls.append((inputs, outputs[0]))
    return calls


def flops_by_layer(model, custom=None):
    """``[(layer name, class name, FLOPs per image), ...]`` in the model's layer order.

    model: a built Keras model with a fixed input shape (Sequential or functional; nested models
    are expanded). custom: ``{"ClassName": fn(layer, input_shapes, output_shape)}`` for layer
    types without a rule here (e.g. a custom LRN layer).
    """
    if not getattr(model, "built", False) or not model.layers:
        raise ValueError("count FLOPs of a built model: create it with keras.Input(shape) or call it once")
    rules = {**RULES, **(custom or {})}
    rows = []
    for layer in model.layers:
        if isinstance(layer, keras.Model):
            rows += [(f"{layer.name}/{n}", c, f) for n, c, f in flops_by_layer(layer, custom)]
            continue
        kind = type(layer).__name__
        if kind not in rules:
            raise ValueError(f"no FLOP rule for layer {layer.name!r} of type {kind}; pass "
                             f"custom={{'{kind}': fn}} with fn(layer, input_shapes, output_shape) -> flops")
        total = sum(rules[kind](layer, ins, out) for ins, out in _calls(layer))
        rows.append((layer.name, kind, int(total)))
    return rows


def count_flops(model, custom=None):
    """FLOPs of one forward pass of one image (a multiply-add counts 2). See the module docstring."""
    return sum(f for _, _, f in flops_by_layer(model, custom))


def format_flops(flops):
    """``4.11 GFLOPs``, ``31.2 MFLOPs``: 3 significant digits."""
    for unit, scale in (("G", 1e9), ("M", 1e6), ("K", 1e3)):
        if flops >= scale:
            return f"{flops / scale:.3g} {unit}FLOPs"
    return f"{flops} FLOPs"
