"""The benchmark and reliability harness: data generator, timed scenarios and load test.

`generator` builds a seeded workspace of any size with the rows Amity's services
would write; `scenarios` times the main screens and API calls beside the raw-SQL
floor for the same rows; `load` drives `amity serve` with a mix of users. Modules
add their data and scenarios in `registry` (see docs/performance.md).

This is tooling at the top of the dependency graph, like web/demo.py: it uses
every domain, and no domain imports it.
"""
