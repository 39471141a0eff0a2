"""tflearn.layers.normalization on Keras 3: local_response_normalization, batch_normalization."""
import keras

from utils.layers import LocalResponseNormalization
from utils.tflearn import utils as u


def local_response_normalization(incoming, depth_radius=5, bias=1.0, alpha=0.0001, beta=0.75,
                                 name="LocalResponseNormalization"):
    """``tf.nn.local_response_normalization`` with tflearn's defaults (depth_radius 5, not AlexNet's 2)."""
    u.check_tensor("local_response_normalization", incoming, ndims=(4,))
    depth_radius = u.check_int("local_response_normalization", "depth_radius", depth_radius, minimum=0)
    return LocalResponseNormalization(depth_radius=depth_radius, bias=bias, alpha=alpha, beta=beta,
                                      name=u.name_for("local_response_normalization", name))(incoming)


def batch_normalization(incoming, beta=0.0, gamma=1.0, epsilon=1e-5, decay=0.9, stddev=0.002,
                        trainable=True, restore=True, reuse=False, scope=None, name="BatchNormalization"):
    """Batch normalisation with tflearn's settings.

    ``beta``/``gamma`` are the initial offset and scale (gamma drawn from N(gamma, stddev), as
    tflearn did), ``decay`` is the moving-average momentum, ``epsilon`` the variance floor.
    """
    name = u.check_common("batch_normalization", restore=restore, reuse=reuse, scope=scope, name=name)
    u.check_tensor("batch_normalization", incoming)
    u.check_number("batch_normalization", "decay", decay, low=0, high=1)
    u.check_number("batch_normalization", "epsilon", epsilon, low=0, low_open=True)
    return keras.layers.BatchNormalization(
        momentum=decay, epsilon=epsilon, beta_initializer=keras.initializers.Constant(beta),
        gamma_initializer=keras.initializers.RandomNormal(mean=gamma, stddev=stddev),
        trainable=trainable, name=name)(incoming)
