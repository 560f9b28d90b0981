"""Tests of kustom_devtools and the scripts built on it: probe, publishing, release path, benchmarks."""
