"""Benchmarks: plain scripts, run with ``python -m benchmarks.bench_<name>`` from the repository
root. They are not tests (pytest collects only ``tests/``) and assert nothing about speed."""
