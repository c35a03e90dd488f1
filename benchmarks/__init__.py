"""Benchmarks of ops-sla (``python -m benchmarks``, ``make bench``); each suite module exposes
``run(ctx) -> list[Row]``. Not part of the installed package: run from the repository root."""
