"""``python -m diffcompare``: the same command line as the ``diffcompare`` script."""

from .cli import run

run()
