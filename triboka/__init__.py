from .celery import app as celery_app

# The application's version, written into backup manifests; raise it with each release.
__version__ = "0.5.0"

__all__ = ["__version__", "celery_app"]
