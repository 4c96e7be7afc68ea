"""Benchmarks for issue 6 (scale): ``python benchmarks/run.py``. Not tests: they measure
and print, and never assert on wall time."""
