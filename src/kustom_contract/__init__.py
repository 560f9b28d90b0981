"""The contract run (scripts/contract-test): Schemathesis and pytest holding a target, the
spawned mock or KUSTOM_BASE_URL, to openapi.yaml; its rules are kustom_conformance's.

- command.py: scripts/contract-test (``python -m kustom_contract``): flags, --help, the
  configuration checked and the target probed before pytest starts;
- config.py (``RunConfig``, read once) and target.py: what the run reads from the environment;
- plugin.py: the pytest plugin; its session fixture builds the ``ContractRun`` (run.py) from
  the configuration, the schema (schema.py, with hooks.py, auth.py, repair.py) and the state
  (state.py, stats.py, summary.py);
- checks.py: the run's own checks over kustom_conformance (rule_breakers.py, resend.py,
  exchanges.py); answers.py: a failure's replayable record;
- bounds and secrets: watchdog.py, transport.py, stopping.py; redaction.py, report_redaction.py;
- probe.py: scripts/probe; in_subprocess.py and mock_command.py: the run in a fresh process,
  against a server built on the mock.
"""
