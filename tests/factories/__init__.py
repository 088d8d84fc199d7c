"""Factories for every model, one module per app, all importable from here."""

from .assistance import *  # noqa: F403
from .content import *  # noqa: F403
from .donations import *  # noqa: F403
from .portal import *  # noqa: F403
from .teams import *  # noqa: F403
from .volunteers import *  # noqa: F403
