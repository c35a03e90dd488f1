"""Deterministic synthetic generator for the ops-sla raw contract."""
