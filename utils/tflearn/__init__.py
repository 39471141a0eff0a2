"""A tflearn-compatible API on Keras 3, so that tflearn scripts run with only the import changed.

tflearn (2016-2020) does not import on current TensorFlow. A script such as::

    import tflearn
    from tflearn.layers.conv import conv_2d, max_pool_2d
    ...
    model = tflearn.DNN(network, checkpoint_path='model', max_checkpoints=1)
    model.fit(X, Y, n_epoch=10, validation_set=0.1, show_metric=True)

runs unchanged after ``import utils.tflearn as tflearn`` and ``from utils.tflearn.layers.conv import
...``. Each function builds Keras layers with tflearn's argument names, defaults and meanings;
options that only made sense in a TF1 graph raise NotImplementedError naming the Keras way.

Modules: ``layers.core`` (input_data, fully_connected, dropout, flatten), ``layers.conv`` (conv_2d,
max_pool_2d, avg_pool_2d, global_avg_pool), ``layers.normalization`` (local_response_normalization,
batch_normalization), ``layers.merge_ops`` (merge), ``layers.estimator`` (regression),
``models.dnn`` (DNN). All these names are also available here at the top level.
"""
from utils.tflearn import layers, models
from utils.tflearn.layers import (avg_pool_2d, batch_normalization, conv_2d, dropout, flatten,
                                  fully_connected, global_avg_pool, input_data,
                                  local_response_normalization, max_pool_2d, merge, regression)
from utils.tflearn.models.dnn import DNN

__all__ = ["DNN", "avg_pool_2d", "batch_normalization", "conv_2d", "dropout", "flatten",
           "fully_connected", "global_avg_pool", "input_data", "layers",
           "local_response_normalization", "max_pool_2d", "merge", "models", "regression"]
