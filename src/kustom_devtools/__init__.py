"""Hand-written tooling behind scripts/: regeneration, linting helpers, publishing, benchmarks."""
