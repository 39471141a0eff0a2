"""A tflearn-compatible API on Keras 3, so that tflearn scripts run with only the import changed.

tflearn (2016-2020; its last release, 0.5.0, is what this follows) does not import on current
TensorFlow. A script such as::

    import tflearn
    from tflearn.layers.conv import conv_2d, max_pool_2d
    ...
    model = tflearn.DNN(network, checkpoint_path='model', max_checkpoints=1)
    model.fit(X, Y, n_epoch=10, validation_set=0.1, show_metric=True)

runs unchanged after ``import utils.tflearn as tflearn`` and ``from utils.tflearn.layers.conv import
...``. Each function builds Keras layers with tflearn's argument names, defaults and meanings;
options that only made sense in a TF1 graph raise NotImplementedError naming the Keras way.

Modules, as in tflearn: ``layers.core`` (input_data, fully_connected, dropout, flatten, reshape,
activation, highway), ``layers.conv`` (conv_2d, highway_conv_2d, max_pool_2d, avg_pool_2d,
global_avg_pool, global_max_pool, residual_block, residual_bottleneck), ``layers.normalization``
(local_response_normalization, batch_normalization), ``layers.merge_ops`` (merge),
``layers.estimator`` (regression), ``models.dnn`` (DNN), ``optimizers`` (SGD, Momentum, Adam, ...
with learning-rate decay), ``metrics`` (Accuracy, Top_k), ``initializations``, ``data_utils``
(to_categorical, shuffle, featurewise_zero_center, ...), ``data_preprocessing``
(ImagePreprocessing) and ``data_augmentation`` (ImageAugmentation). The names tflearn exported at
its top level are available here at the top level too.
"""
from utils.tflearn import (data_augmentation, data_preprocessing, data_utils, initializations, layers,
                           metrics, models, optimizers)
from utils.tflearn.data_augmentation import DataAugmentation, ImageAugmentation
from utils.tflearn.data_preprocessing import DataPreprocessing, ImagePreprocessing
from utils.tflearn.layers import (activation, avg_pool_2d, batch_normalization, conv_2d, dropout, flatten,
                                  fully_connected, global_avg_pool, highway, highway_conv_2d, input_data,
                                  local_response_normalization, max_pool_2d, merge, regression, reshape,
                                  residual_block, residual_bottleneck)
from utils.tflearn.metrics import Accuracy, Top_k
from utils.tflearn.models.dnn import DNN
from utils.tflearn.optimizers import (SGD, AdaDelta, AdaGrad, Adam, Ftrl, Momentum, Nesterov, ProximalAdaGrad,
                                      RMSProp)

__all__ = ["DNN", "SGD", "Accuracy", "AdaDelta", "AdaGrad", "Adam", "DataAugmentation", "DataPreprocessing",
           "Ftrl", "ImageAugmentation", "ImagePreprocessing", "Momentum", "Nesterov", "ProximalAdaGrad",
           "RMSProp", "Top_k", "activation", "avg_pool_2d", "batch_normalization", "conv_2d",
           "data_augmentation", "data_preprocessing", "data_utils", "dropout", "flatten", "fully_connected",
           "global_avg_pool", "highway", "highway_conv_2d", "initializations", "input_data", "layers",
           "local_response_normalization", "max_pool_2d", "merge", "metrics", "models", "optimizers",
           "regression", "reshape", "residual_block", "residual_bottleneck"]
