"""Tests of kustom_proxy: the validating proxy and scripts/verify-traffic."""
