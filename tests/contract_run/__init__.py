"""Tests of the contract run's own helpers (contract_tests/): its rule breakers and its repair."""
