"""Tests of kustom_rules: the rules across fields that no JSON Schema can say."""
