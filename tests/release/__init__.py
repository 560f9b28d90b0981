"""Tests of kustom_release and the scripts built on it (regenerate, publish: the gate, the changelog, the reference, the wheels, the release path), and of the benchmarks' parsing."""
