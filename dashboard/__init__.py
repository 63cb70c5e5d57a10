"""Storm-readiness dashboard for Vietnam's provinces and communes."""

__version__ = "0.1.0"
