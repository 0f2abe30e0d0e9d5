"""``python -m diffcompare``: the same command line as the ``diffcompare`` script."""

from .cli.main import main

main(prog_name="diffcompare")
