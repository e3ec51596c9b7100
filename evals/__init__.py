"""Gold datasets, evaluation runners and benchmarks for the assistant."""
