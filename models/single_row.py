"""One-row LightGBM predictions through the C API's prepared single-row path.

``Booster.predict`` on one row spends most of its time before and after the trees: the
Python wrapper copies and formats the parameters, and the library parses them and builds a
predictor on every call. LightGBM's ``LGBM_BoosterPredictForMatSingleRowFastInit`` does that
work once and returns a handle (a "fast config") that later calls reuse: on 2026-12-04, for
the property model (88 trees, one row of 15 features), 10.4 µs against 50.5 µs for the raw
score, and 534 µs against 586 µs for the SHAP values (``pred_contrib``), the same figures to
the last bit.

The handle holds its own predictor and locks the booster while it predicts, so one handle
may serve several threads. :func:`single_row` makes the handles of a booster on first use
and keeps them while the booster lives (a model file holds the booster alone: nothing here
is pickled). A booster whose model is replaced in place (``model_from_string``) gets new
handles. The prepared calls pass ``num_threads=1`` once, at preparation, and never set
LightGBM's process-wide thread count afterwards (see :mod:`models.parallel` for why that
matters). Freeing a handle never touches its booster (LightGBM's predictor has an empty
destructor), so the order in which the two are freed does not matter.

Only for a booster that no longer trains, and always with every tree: preparing a predictor
writes its iteration range into the booster itself (the workaround note for LightGBM issue
6142 in ``c_api.cpp``), so a call elsewhere that predicts with part of the trees would change
what every predictor of that booster computes. No courtval code predicts with part of the
trees of a served booster.
"""

from __future__ import annotations

import ctypes
import threading
import weakref

import lightgbm as lgb
import numpy as np
from lightgbm.basic import _LIB, _safe_call

#: ``C_API_PREDICT_*`` of LightGBM's ``c_api.h``.
_PREDICT_NORMAL = 0
_PREDICT_CONTRIB = 3
#: ``C_API_DTYPE_FLOAT64``.
_FLOAT64 = 1

_init = _LIB.LGBM_BoosterPredictForMatSingleRowFastInit
_init.argtypes = [
    ctypes.c_void_p,  # booster handle
    ctypes.c_int,  # predict type
    ctypes.c_int,  # start iteration
    ctypes.c_int,  # number of iterations (-1: all)
    ctypes.c_int,  # data type
    ctypes.c_int32,  # number of columns
    ctypes.c_char_p,  # parameters
    ctypes.POINTER(ctypes.c_void_p),  # out: the handle
]
_init.restype = ctypes.c_int
_predict = _LIB.LGBM_BoosterPredictForMatSingleRowFast
_predict.argtypes = [
    ctypes.c_void_p,  # fast config handle
    ctypes.c_void_p,  # one row of float64
    ctypes.POINTER(ctypes.c_int64),  # out: number of values written
    ctypes.c_void_p,  # out: the values (float64)
]
_predict.restype = ctypes.c_int
_free = _LIB.LGBM_FastConfigFree
_free.argtypes = [ctypes.c_void_p]
_free.restype = ctypes.c_int


def _release(handle: ctypes.c_void_p) -> None:
    _safe_call(_free(handle))


class SingleRowBooster:
    """Raw score and SHAP values of one ``float64`` row of a booster, through prepared calls.

    Holds the booster's C handle, not the booster: get it from :func:`single_row` while
    you hold the booster, and do not keep it.

    Args:
        booster: The fitted booster.
    """

    def __init__(self, booster: lgb.Booster) -> None:
        # The handle object, not its address: a model replaced in place gets a new object,
        # and while this one is held no new one can share its identity.
        self.booster_handle: ctypes.c_void_p = booster._handle
        self.n_features = booster.num_feature()
        self._handles: dict[int, ctypes.c_void_p] = {}
        self._lock = threading.Lock()

    def _handle(self, predict_type: int) -> ctypes.c_void_p:
        handle = self._handles.get(predict_type)
        if handle is not None:
            return handle
        with self._lock:
            if predict_type not in self._handles:
                made = ctypes.c_void_p()
                _safe_call(
                    _init(
                        self.booster_handle,
                        predict_type,
                        0,
                        -1,
                        _FLOAT64,
                        self.n_features,
                        b"num_threads=1",
                        ctypes.byref(made),
                    )
                )
                weakref.finalize(self, _release, made)  # holds the handle, not self
                self._handles[predict_type] = made
            return self._handles[predict_type]

    def _run(self, predict_type: int, row: np.ndarray, width: int) -> np.ndarray:
        if row.dtype != np.float64 or row.size != self.n_features or not row.flags.c_contiguous:
            raise ValueError(
                f"one C-contiguous float64 row of {self.n_features} features expected; "
                f"got shape {row.shape}, dtype {row.dtype}"
            )
        out = np.empty(width, dtype=np.float64)
        written = ctypes.c_int64()
        _safe_call(
            _predict(
                self._handle(predict_type), row.ctypes.data, ctypes.byref(written), out.ctypes.data
            )
        )
        return out

    def raw_score(self, row: np.ndarray) -> float:
        """The booster's raw score of ``row`` (all trees), as ``booster.predict(row)``."""
        return float(self._run(_PREDICT_NORMAL, row, 1)[0])

    def contributions(self, row: np.ndarray) -> np.ndarray:
        """SHAP values of ``row``, one per feature, then the expected value (as
        ``booster.predict(row, pred_contrib=True)[0]``)."""
        return self._run(_PREDICT_CONTRIB, row, self.n_features + 1)


_PREPARED: weakref.WeakKeyDictionary[lgb.Booster, SingleRowBooster] = weakref.WeakKeyDictionary()
_PREPARED_LOCK = threading.Lock()


def single_row(booster: lgb.Booster) -> SingleRowBooster:
    """The prepared one-row predictor of ``booster`` (made once, kept while it lives)."""
    prepared = _PREPARED.get(booster)
    if prepared is None or prepared.booster_handle is not booster._handle:
        with _PREPARED_LOCK:
            prepared = _PREPARED.get(booster)
            if prepared is None or prepared.booster_handle is not booster._handle:
                prepared = _PREPARED[booster] = SingleRowBooster(booster)
    return prepared
