"""Tests of generated/: the drift check, the generator's config, the generated client on the wire."""
