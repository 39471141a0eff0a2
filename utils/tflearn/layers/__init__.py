"""tflearn.layers on Keras 3 (see utils/tflearn/__init__.py)."""
from utils.tflearn.layers import conv, core, estimator, merge_ops, normalization
from utils.tflearn.layers.conv import (avg_pool_2d, conv_2d, global_avg_pool, global_max_pool,
                                       highway_conv_2d, max_pool_2d, residual_block, residual_bottleneck)
from utils.tflearn.layers.core import (activation, dropout, flatten, fully_connected, highway, input_data,
                                       reshape)
from utils.tflearn.layers.estimator import regression
from utils.tflearn.layers.merge_ops import merge
from utils.tflearn.layers.normalization import batch_normalization, local_response_normalization

__all__ = ["activation", "avg_pool_2d", "batch_normalization", "conv", "conv_2d", "core", "dropout",
           "estimator", "flatten", "fully_connected", "global_avg_pool", "global_max_pool", "highway",
           "highway_conv_2d", "input_data", "local_response_normalization", "max_pool_2d", "merge",
           "merge_ops", "normalization", "regression", "reshape", "residual_block", "residual_bottleneck"]
