"""tflearn.optimizers on Keras 3: SGD, Momentum, Nesterov, Adam, RMSProp, AdaGrad, AdaDelta, Ftrl.

As in tflearn 0.5.0 (tflearn/optimizers.py) each class holds tflearn's hyper-parameters with
tflearn's defaults and is given to ``regression(optimizer=...)``; ``regression`` also accepts the
names ('sgd', 'momentum', ...), for which it creates ``Class(learning_rate)``. The training line
prints the class name (``type(optimizer).__name__`` in tflearn/layers/estimator.py): ``SGD``,
``Momentum``, ``RMSProp``, ``AdaGrad``, ...

``lr_decay`` / ``decay_step`` / ``staircase`` (SGD, Momentum, Nesterov) are TF1's
``tf.train.exponential_decay``: ``lr * lr_decay ** (step / decay_step)``, the exponent floored with
``staircase=True``, ``step`` counting training steps from 0. Here that is
``keras.optimizers.schedules.ExponentialDecay`` on the Keras optimizer's step counter.

:meth:`Optimizer.build` returns a new Keras optimizer each call.
"""
import keras

from utils.tflearn import utils as u


def _learning_rate(cls, value):
    if isinstance(value, keras.optimizers.schedules.LearningRateSchedule):
        return value
    return u.check_number(cls, "learning_rate", value, low=0, low_open=True)


class Optimizer:
    """The base class: ``learning_rate``, ``use_locking`` (accepted, no meaning in Keras), ``name``."""

    has_decay = False

    def __init__(self, learning_rate, use_locking, name):
        cls = type(self).__name__
        self.learning_rate = _learning_rate(cls, learning_rate)
        self.use_locking = u.check_bool(cls, "use_locking", use_locking)
        if not isinstance(name, str) or not name:
            raise ValueError(f"{cls}: name={name!r}; give a non-empty str")
        self.name = name

    def _rate(self):
        return self.learning_rate

    def keras_optimizer(self, learning_rate):
        raise NotImplementedError

    def build(self):
        """A new Keras optimizer with these settings."""
        return self.keras_optimizer(self._rate())

    def __repr__(self):
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items() if k not in ("use_locking",))
        return f"{type(self).__name__}({fields})"


class _Decaying(Optimizer):
    """SGD-like optimizers with tflearn's exponential learning-rate decay."""

    def __init__(self, learning_rate, lr_decay, decay_step, staircase, use_locking, name):
        super().__init__(learning_rate, use_locking, name)
        cls = type(self).__name__
        self.lr_decay = u.check_number(cls, "lr_decay", lr_decay, low=0)
        self.decay_step = u.check_int(cls, "decay_step", decay_step)
        self.staircase = u.check_bool(cls, "staircase", staircase)
        self.has_decay = self.lr_decay > 0.0
        if self.has_decay and isinstance(self.learning_rate, keras.optimizers.schedules.LearningRateSchedule):
            raise ValueError(f"{cls}: lr_decay={lr_decay!r} with a learning-rate schedule; give a float "
                             "learning_rate with lr_decay, or the schedule alone")

    def _rate(self):
        if not self.has_decay:
            return self.learning_rate
        return keras.optimizers.schedules.ExponentialDecay(
            self.learning_rate, decay_steps=self.decay_step, decay_rate=self.lr_decay,
            staircase=self.staircase)


class SGD(_Decaying):
    """Plain gradient descent (tf.train.GradientDescentOptimizer)."""

    def __init__(self, learning_rate=0.001, lr_decay=0.0, decay_step=100, staircase=False,
                 use_locking=False, name="SGD"):
        super().__init__(learning_rate, lr_decay, decay_step, staircase, use_locking, name)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.SGD(learning_rate)


class Momentum(_Decaying):
    """Gradient descent with momentum 0.9 (tf.train.MomentumOptimizer)."""

    def __init__(self, learning_rate=0.001, momentum=0.9, lr_decay=0.0, decay_step=100,
                 staircase=False, use_locking=False, name="Momentum"):
        super().__init__(learning_rate, lr_decay, decay_step, staircase, use_locking, name)
        self.momentum = u.check_number(type(self).__name__, "momentum", momentum, low=0, high=1)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.SGD(learning_rate, momentum=self.momentum)


class Nesterov(Momentum):
    """Momentum with Nesterov's look-ahead (MomentumOptimizer(use_nesterov=True))."""

    def __init__(self, learning_rate=0.001, momentum=0.9, lr_decay=0.0, decay_step=100,
                 staircase=False, use_locking=False, name="Nesterov"):
        super().__init__(learning_rate, momentum, lr_decay, decay_step, staircase, use_locking, name)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.SGD(learning_rate, momentum=self.momentum, nesterov=True)


class Adam(Optimizer):
    """Adam with TF1's defaults (beta1 0.9, beta2 0.999, epsilon 1e-8; Keras' epsilon is 1e-7)."""

    def __init__(self, learning_rate=0.001, beta1=0.9, beta2=0.999, epsilon=1e-8, use_locking=False,
                 name="Adam"):
        super().__init__(learning_rate, use_locking, name)
        cls = type(self).__name__
        self.beta1 = u.check_number(cls, "beta1", beta1, low=0, high=1, high_open=True)
        self.beta2 = u.check_number(cls, "beta2", beta2, low=0, high=1, high_open=True)
        self.epsilon = u.check_number(cls, "epsilon", epsilon, low=0, low_open=True)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.Adam(learning_rate, beta_1=self.beta1, beta_2=self.beta2, epsilon=self.epsilon)


class RMSProp(Optimizer):
    """RMSProp with tflearn's defaults (decay 0.9, momentum 0, epsilon 1e-10)."""

    def __init__(self, learning_rate=0.001, decay=0.9, momentum=0.0, epsilon=1e-10, use_locking=False,
                 name="RMSProp"):
        super().__init__(learning_rate, use_locking, name)
        cls = type(self).__name__
        self.decay = u.check_number(cls, "decay", decay, low=0, high=1)
        self.momentum = u.check_number(cls, "momentum", momentum, low=0, high=1)
        self.epsilon = u.check_number(cls, "epsilon", epsilon, low=0, low_open=True)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.RMSprop(learning_rate, rho=self.decay, momentum=self.momentum,
                                        epsilon=self.epsilon)


class AdaGrad(Optimizer):
    """AdaGrad with accumulators starting at 0.1."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, use_locking=False, name="AdaGrad"):
        super().__init__(learning_rate, use_locking, name)
        self.initial_accumulator_value = u.check_number(type(self).__name__, "initial_accumulator_value",
                                                        initial_accumulator_value, low=0)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.Adagrad(learning_rate, initial_accumulator_value=self.initial_accumulator_value)


class ProximalAdaGrad(AdaGrad):
    """tflearn's ProximalAdaGrad builds a plain tf.train.AdagradOptimizer, so it is AdaGrad here too."""

    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, use_locking=False, name="AdaGrad"):
        super().__init__(learning_rate, initial_accumulator_value, use_locking, name)


class AdaDelta(Optimizer):
    """AdaDelta with tflearn's defaults (rho 0.1, not the paper's 0.95; epsilon 1e-8)."""

    def __init__(self, learning_rate=0.001, rho=0.1, epsilon=1e-08, use_locking=False, name="AdaDelta"):
        super().__init__(learning_rate, use_locking, name)
        cls = type(self).__name__
        self.rho = u.check_number(cls, "rho", rho, low=0, high=1)
        self.epsilon = u.check_number(cls, "epsilon", epsilon, low=0, low_open=True)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.Adadelta(learning_rate, rho=self.rho, epsilon=self.epsilon)


class Ftrl(Optimizer):
    """FTRL-proximal with tflearn's defaults (learning rate 3.0)."""

    def __init__(self, learning_rate=3.0, learning_rate_power=-0.5, initial_accumulator_value=0.1,
                 l1_regularization_strength=0.0, l2_regularization_strength=0.0, use_locking=False,
                 name="Ftrl"):
        super().__init__(learning_rate, use_locking, name)
        cls = type(self).__name__
        self.learning_rate_power = u.check_number(cls, "learning_rate_power", learning_rate_power, high=0)
        self.initial_accumulator_value = u.check_number(cls, "initial_accumulator_value",
                                                        initial_accumulator_value, low=0)
        self.l1_regularization_strength = u.check_number(cls, "l1_regularization_strength",
                                                         l1_regularization_strength, low=0)
        self.l2_regularization_strength = u.check_number(cls, "l2_regularization_strength",
                                                         l2_regularization_strength, low=0)

    def keras_optimizer(self, learning_rate):
        return keras.optimizers.Ftrl(learning_rate, learning_rate_power=self.learning_rate_power,
                                     initial_accumulator_value=self.initial_accumulator_value,
                                     l1_regularization_strength=self.l1_regularization_strength,
                                     l2_regularization_strength=self.l2_regularization_strength)


# tflearn's lower-case aliases, which are also the names regression(optimizer='...') accepts
sgd, momentum, nesterov, adam, rmsprop = SGD, Momentum, Nesterov, Adam, RMSProp
adagrad, proximaladagrad, adadelta, ftrl = AdaGrad, ProximalAdaGrad, AdaDelta, Ftrl
CLASSES = {"SGD": SGD, "Momentum": Momentum, "Nesterov": Nesterov, "Adam": Adam, "RMSProp": RMSProp,
           "AdaGrad": AdaGrad, "ProximalAdaGrad": ProximalAdaGrad, "AdaDelta": AdaDelta, "Ftrl": Ftrl}
NAMES = {name.lower(): cls for name, cls in CLASSES.items()}


def get(identifier):
    """The optimizer class for a name, as tflearn's ``get_from_module``: the exact name ('SGD'),
    then its lower case ('Momentum' -> momentum)."""
    if not isinstance(identifier, str):
        raise TypeError(f"optimizers.get: identifier={identifier!r}; give an optimizer name such as 'momentum'")
    cls = CLASSES.get(identifier) or NAMES.get(identifier.lower())
    if cls is None:
        raise ValueError(f"optimizers.get: identifier={identifier!r} is not an optimizer; use one of "
                         f"{sorted(NAMES)}")
    return cls
