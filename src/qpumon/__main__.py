"""``python -m qpumon``: the same as the ``qpumon`` command."""

from .cli import main

main()
