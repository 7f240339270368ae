"""Hexa's benchmark: quick-log throughput and latency on a realistic dataset.

Run it with `make bench` (or `python -m bench --help`). It builds a fresh database per
engine, measures the domain function in-process, the same writes as hand-written SQL (the
floor), and the HTTP endpoint under gunicorn, then prints a table and writes
bench-results/latest.json. It measures; it never asserts.
"""
