"""Real processes for the tests and the benchmarks: an `opencoc serve`, a throwaway PostgreSQL, Alertmanager.

Outside `tests/` so that `bench/` can use them without importing the test suite.
"""
