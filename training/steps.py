"""Progress reporting shared by the training sequences."""

from __future__ import annotations

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)

#: Called with each step's name as a training run reaches it.
StepCallback = Callable[[str], None]


def log_step(name: str) -> None:
    """The default progress report: a log line."""
    logger.info("step: %s", name)
