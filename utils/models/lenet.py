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

POOLING = {"max": keras.layers.MaxPooling2D, "avg": keras.layers.AveragePooling2D}


MIN_SIZE = 32  # smallest input side: C5's 5x5 window must fit into S4's output (5x5 at 32x32)


def lenet(input_shape=(32, 32, 1), num_classes=10, width=1.0, activation="relu", pooling="max"):
    """Build LeNet-5. ``width`` scales every layer's channel/unit count (6, 16, 120, 84).

    Input smaller than 32x32 (e.g. 28x28 MNIST) raises ValueError: pad it by 2 pixels as the
    paper did (``utils.data.load_fashion_mnist(pad=2)``).
    """
    height, width_px = input_shape[:2]
    if min(height, width_px) < MIN_SIZE:
        raise ValueError(f"LeNet-5 needs inputs of at least 32x32 pixels, got {height}x{width_px}: "
                         f"pad 28x28 images by 2 pixels on each side (load_fashion_mnist(pad=2)).")
    if pooling not in POOLING:
        raise ValueError(f"Unknown pooling {pooling!r}; use one of {sorted(POOLING)}.")
    if width <= 0:
        raise ValueError(f"width must be positive, got {width}.")

    def n(units):  # scale a layer size, keeping at least one channel
        return max(1, int(round(units * width)))

    pool = POOLING[pooling]
    inputs = keras.Input(input_shape, name="image")
    x = keras.layers.Conv2D(n(6), 5, activation=activation, name="c1")(inputs)
    x = pool(2, name="s2")(x)
    x = keras.layers.Conv2D(n(16), 5, activation=activation, name="c3")(x)
    x = pool(2, name="s4")(x)
    x = keras.layers.Conv2D(n(120), 5, activation=activation, name="c5")(x)
    x = keras.layers.Flatten(name="flatten")(x)
    x = keras.layers.Dense(n(84), activation=activation, name="f6")(x)
    outputs = keras.layers.Dense(num_classes, activation="softmax", name="output")(x)
    return keras.Model(inputs, outputs, name="lenet5")
