"""Benchmarks: they print figures (and ratios to a baseline measured in the same run); they never assert times."""
