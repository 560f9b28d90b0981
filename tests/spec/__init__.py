"""Tests of openapi.yaml itself: it validates and lints, its examples hold, it matches the vendor's page."""
