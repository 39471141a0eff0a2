"""tflearn.layers on Keras 3 (see utils/tflearn/__init__.py)."""
from utils.tflearn.layers.conv import avg_pool_2d, conv_2d, global_avg_pool, max_pool_2d
from utils.tflearn.layers.core import dropout, flatten, fully_connected, input_data
from utils.tflearn.layers.estimator import regression
from utils.tflearn.layers.merge_ops import merge
from utils.tflearn.layers.normalization import batch_normalization, local_response_normalization

__all__ = ["avg_pool_2d", "batch_normalization", "conv_2d", "dropout", "flatten", "fully_connected",
           "global_avg_pool", "input_data", "local_response_normalization", "max_pool_2d", "merge",
           "regression"]
