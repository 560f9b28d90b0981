"""Servers the tests, the contract run and scripts/bench start as processes on 127.0.0.1, each
waited for by its ready signal and stopped whatever happens: the mock (mock_process.py), Prism
(prism.py), PostgreSQL (postgres.py); a free port for a server that cannot take port 0
(ports.py). One exception root, ``errors.ServerUnavailable``."""
