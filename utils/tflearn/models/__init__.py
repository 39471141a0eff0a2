"""tflearn.models on Keras 3: the DNN trainer."""
from utils.tflearn.models.dnn import DNN

__all__ = ["DNN"]
