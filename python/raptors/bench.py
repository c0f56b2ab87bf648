"""Placeholder replaced by the benchmark CLI."""
print("benchmark: not implemented yet")
