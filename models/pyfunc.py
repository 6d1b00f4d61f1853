"""An MLflow pyfunc face for courtval's bundles, so MLflow tools can load and score them.

The server does not go through pyfunc (it loads the verified bundle directly, for speed); this
wrapper makes the registered model self-describing: signature, input example, ``mlflow.pyfunc``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
from mlflow.pyfunc import PythonModel

from models.bundle import load_bundle
from models.registry import BUNDLE_ARTIFACT


class BundleModel(PythonModel):
    """Scores a table with the bundle's ``predict_frame``."""

    def __init__(self) -> None:
        self._model: Any = None

    def load_context(self, context: Any) -> None:
        """Load (and verify) the bundle shipped as the model's artifact."""
        self._model, _ = load_bundle(Path(context.artifacts[BUNDLE_ARTIFACT]))

    def predict(self, context: Any, model_input: pd.DataFrame, params: Any = None) -> pd.DataFrame:
        """Value, bounds and rule-based figure for each row."""
        frame: pd.DataFrame = self._model.predict_frame(model_input)
        return frame
