"""TESTPLAN R1: a crash during a 10,000-row import leaves nothing half done.

R1 is tests/ops/test_import_crash.py, which landed with the import pipeline: it
kills an import's process with SIGKILL while it writes, checks that exactly 0
rows are in, then retries the same job and checks exactly 10,000 are. It is not
repeated here. Its throughput twin is the "import 100k" bench scenario
(amity/bench/scenarios.py, `amity bench`: ≥ 10,000 rows/s).
"""
