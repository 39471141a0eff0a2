"""LeNet-5 (LeCun, Bottou, Bengio & Haffner, 1998), as a Keras functional model.

The 1998 network on 32x32 images::

    C1 conv 5x5, 6 maps   -> 28x28x6      S2 pool 2x2 -> 14x14x6
    C3 conv 5x5, 16 maps  -> 10x10x16     S4 pool 2x2 -> 5x5x16
    C5 conv 5x5, 120 maps -> 1x1x120      F6 dense 84 -> output dense num_classes

Two simplifications that everyone makes: C3 connects to all six S2 maps (the paper used a sparse
connection table), and the output is a softmax instead of the paper's radial-basis units. The
paper used scaled tanh and trainable average ("sub-sampling") pooling; ``activation="relu",
pooling="max"`` is the modern variant that trains faster.
"""
import keras

from utils.layers import check_builder_args, classifier, scaled

POOLING = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}
MIN_SIZE = 32  # smallest input side: C5's 5x5 window must fit into S4's output (5x5 at 32x32)


def lenet(input_shape=(32, 32, 1), num_classes=10, *, classifier_activation="softmax", name="lenet5",
          width=1.0, activation="relu", pooling="max"):
    """Build LeNet-5. ``width`` scales every layer's channel/unit count (6, 16, 120, 84).

    Input smaller than 32x32 (e.g. 28x28 MNIST) raises ValueError: pad it by 2 pixels as the
    paper did (``utils.data.load_fashion_mnist(pad=2)``).
    """
    check_builder_args(input_shape, num_classes, classifier_activation, MIN_SIZE, model="LeNet-5",
                       why="C5's 5x5 window must fit into S4's output",
                       fix="pad 28x28 images by 2 pixels on each side (load_fashion_mnist(pad=2))")
    if pooling not in POOLING:
        raise ValueError(f"pooling={pooling!r}: use one of {sorted(POOLING)} ('avg' is the paper's "
                         f"sub-sampling, 'max' the modern variant)")
    pool = POOLING[pooling]
    inputs = keras.Input(input_shape, name="input")
    x = keras.layers.Conv2D(scaled(6, width), 5, activation=activation, name="c1")(inputs)
    x = pool(2, name="s2")(x)
    x = keras.layers.Conv2D(scaled(16, width), 5, activation=activation, name="c3")(x)
    x = pool(2, name="s4")(x)
    x = keras.layers.Conv2D(scaled(120, width), 5, activation=activation, name="c5")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(scaled(84, width), activation=activation, name="f6")(x)
    outputs = classifier(x, num_classes, classifier_activation)
    return keras.Model(inputs, outputs, name=name)
