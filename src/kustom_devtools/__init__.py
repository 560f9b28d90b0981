"""Hand-written tooling behind scripts/: regenerate (regenerate.py), publish and its gate
(publish.py; the gate: breaking.py, breaking_security.py, breaking_names.py, change.py,
baseline.py, specfile.py; changelog.py; the reference: reference.py, code_samples.py;
wheels.py); and the servers that the tests and scripts/bench start as processes: the mock
(mock_process.py), Prism (prism.py), PostgreSQL (postgres.py). The contract run and the probe
are kustom_contract's."""
