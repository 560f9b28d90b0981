"""Hand-written tooling behind scripts/: regenerate (regenerate.py), publish and its gate
(publish.py; the gate: breaking.py, breaking_security.py, breaking_names.py, change.py,
baseline.py, specfile.py; changelog.py; the reference: reference.py, code_samples.py;
wheels.py), probe (probe.py) and
contract-test (contract_test.py, with the run's settings and target: contract_settings.py,
target.py; its redaction, bounded session and watchdog: contract_redaction.py,
contract_transport.py, contract_watchdog.py); and the servers that the tests and scripts/bench
start as processes: the mock (mock_process.py), Prism (prism.py), PostgreSQL (postgres.py),
and the contract run itself (contract_run.py)."""
