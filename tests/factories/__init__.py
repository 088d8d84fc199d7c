"""Factories for every model, one module per app, all importable from here."""

from .donations import *  # noqa: F403
from .portal import *  # noqa: F403
