"""The judges' web page (Chinese), served by the same FastAPI app: see :mod:`serving.web.pages`."""

from serving.web.pages import STATIC_DIR, router

__all__ = ["STATIC_DIR", "router"]
