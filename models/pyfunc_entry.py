"""MLflow "models from code" entry point: MLflow runs this file to build the pyfunc model.

Logged as a file rather than a pickled object, so loading a registered model never unpickles
code; the bundle it loads is checksum-verified.
"""

from mlflow.models import set_model

from models.pyfunc import BundleModel

set_model(BundleModel())
