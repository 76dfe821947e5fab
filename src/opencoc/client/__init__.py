"""A signed HTTP client for the COC API, used by the CLI, tests and benchmarks."""
