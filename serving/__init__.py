"""The FastAPI service. Build it with :func:`serving.app.create_app`."""
