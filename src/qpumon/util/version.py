"""qpumon's version: the one place it is written (pyproject.toml reads it from here, and
``qpumon.__version__`` and ``qpumon --version`` show it)."""

from __future__ import annotations

__version__ = "0.2.0"
