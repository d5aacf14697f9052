"""Benchmarks of Næringsbot: answer-engine latency, update throughput and answer quality.

Run them from the repository root, e.g. ``python bench/answer_engine.py``; see bench/README.md.
"""
