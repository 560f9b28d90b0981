"""A client library for accessing Kustom Customer Token API - Create an order"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
