"""Sent inside the transaction that creates or handles a rating (the IOC keeps its figures with it)."""

from django.dispatch import Signal

rating_changed = Signal()  # kwargs: rating
