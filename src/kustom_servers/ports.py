"""A free port on 127.0.0.1 for a server that cannot be told to take port 0 and say which one
it got (Prism, PostgreSQL); the mock itself takes port 0 and prints its port."""

import socket


def free_port() -> int:
    # Bound and let go: another process could take it before the server does; the servers
    # started this way fail loudly if it does.
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
