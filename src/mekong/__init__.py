"""Mekong: an open-source digital-government platform for Vietnamese provinces."""

from mekong.celery import app as celery_app

__all__ = ["celery_app"]
__version__ = "0.1.0"
