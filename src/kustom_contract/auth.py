"""The run's credentials in both of Kustom's forms, the two values of the one ``merchantAuth``
scheme (openapi.yaml, securitySchemes): each case gets one, chosen from a hash of the case, so
both forms are exercised on every operation.

Registered as a Schemathesis auth provider, so its checks (``ignored_auth``) know the
credentials are the run's own and probe without them and with wrong ones.
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass, field
from typing import Any

from requests.structures import CaseInsensitiveDict
from schemathesis.generation.case import Case

from kustom_contract.cases import NAMES


@dataclass(frozen=True)
class Credentials:
    username: str  # empty: only the API key alone
    api_key: str = field(repr=False)

    def raw_key(self) -> str:
        """Kustom's primary form: ``<scheme> <API key>``."""
        return f"{NAMES.auth_scheme} {self.api_key}"

    def username_and_key(self) -> str:
        """The alternative: ``<scheme> base64(<username>:<API key>)``."""
        encoded = base64.b64encode(f"{self.username}:{self.api_key}".encode()).decode()
        return f"{NAMES.auth_scheme} {encoded}"

    def header_for(self, seed: str) -> str:
        if not self.username:
            return self.raw_key()
        first_bit = hashlib.sha256(seed.encode("utf-8", "surrogatepass")).digest()[0] & 1
        return self.username_and_key() if first_bit else self.raw_key()


class BothForms:
    """A Schemathesis auth provider: ``get`` gives the credentials, ``set`` picks the form."""

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    def get(self, case: Case[Any], context: Any) -> Credentials:
        return self.credentials

    def set(self, case: Case[Any], data: Credentials, context: Any) -> None:
        if case.headers is None:
            case.headers = CaseInsensitiveDict()
        seed = f"{case.operation.label}{case.path_parameters}{case.body!r}"
        case.headers["Authorization"] = data.header_for(seed)
