"""Tests that the repository's Markdown stays true: examples run, links resolve, ARCHITECTURE.md's layers hold."""
