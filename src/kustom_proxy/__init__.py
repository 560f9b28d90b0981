"""A validating proxy for Kustom's Customer Token API: merchant code talks to it as to Kustom's
server, it forwards every request to the upstream and every answer back unchanged, and holds
each exchange to openapi.yaml both ways with kustom_conformance (the request, the answer, the
prose across exchanges), naming the side at fault. ``scripts/proxy`` (``kustom-proxy``) serves
it; ``scripts/verify-traffic`` (``kustom-verify-traffic``) runs the same checks over a HAR file.

Layers: a product beside the mock; it imports kustom_spec, kustom_redact and
kustom_conformance, never the mock or the client (ARCHITECTURE.md).
"""

from kustom_proxy.config import ProxyConfig, ProxyLimits
from kustom_proxy.har import HarError, read_har
from kustom_proxy.monitor import Monitor, Report
from kustom_proxy.observed import Observed

__all__ = ["HarError", "Monitor", "Observed", "ProxyConfig", "ProxyLimits", "Report", "read_har"]
