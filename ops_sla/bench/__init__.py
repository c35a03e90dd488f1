"""Benchmarks behind ``scripts/bench.py``; each module exposes ``run(ctx) -> list[Row]``."""
