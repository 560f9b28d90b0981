"""What one request and one answer must satisfy, read from openapi.yaml: ``Conformance``.

A request (the client's side): an operation of the spec, credentials in a documented form, its
parameters and body within their schemas, limits and media type, and the rules across fields
(kustom_rules). An answer (the server's side): a status the operation documents, its headers,
media type and schema, an ``error_code`` its response lists, the correlation id the same in the
header and the body; and, for a request that breaks the spec, a refusal: never a 2xx, and a 400
that names a field the request broke. What holds across exchanges is ``History``'s
(kustom_conformance/history.py).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from kustom_conformance.exchange import NOT_JSON, Exchange, Request, Response
from kustom_conformance.fields import bad_value, error_field, shortened
from kustom_conformance.limits import replay_window_seconds, without_contract_limits
from kustom_conformance.merchants import credentials
from kustom_conformance.routes import Match, Routes
from kustom_conformance.violations import Side, Violation, escape, pointer, violation
from kustom_rules import RuleViolation, check_order
from kustom_spec import SECURITY_SCHEME, Names, Operation, Spec, load_spec, read_names

# The rules across fields a body must keep beyond its schema, by operationId: JSON Schema
# cannot state them, the operation's description does.
BODY_RULES: dict[str, Callable[[Mapping[str, Any]], list[RuleViolation]]] = {
    "createOrder": check_order
}
# Rules of the request checked before its body: a 400 for them names no field of the body.
_BEFORE_BODY = frozenset({"request.credentials", "request.content-type", "request.body-size"})
_INTEGER_TYPES = {"integer", "number"}


def _source(raw: Mapping[str, Any], fallback: str) -> str:
    """A node's own pointer: its ``$ref`` when it is a reference, else where it stands."""
    ref = raw.get("$ref")
    return str(ref) if isinstance(ref, str) else fallback


def _operation_pointer(operation: Operation, *parts: str | int) -> str:
    return pointer("paths", operation.path, operation.method, *parts)


def correlation_id(names: Names, response: Response) -> str | None:
    """The answer's correlation id: the header's, else the body's."""
    header = response.header(names.correlation_id)
    if header:
        return header
    body = response.json
    found = body.get("correlation_id") if isinstance(body, dict) else None
    return found if isinstance(found, str) else None


def response_violations(
    operation: Operation, response: Response, names: Names | None = None
) -> list[Violation]:
    """Everything about ``response`` to ``operation`` that breaks the spec, whatever was asked:
    its status, headers, media type, schema, error code and correlation id. ``names``: the
    spec's (read_names), if read already."""
    names = names or read_names(operation.spec)
    op = operation.operation_id
    cid = correlation_id(names, response)
    status = response.status
    if status not in operation.statuses:
        return [
            violation(
                "response.status",
                _operation_pointer(operation, "responses"),
                op,
                f"status {status} is not documented for {op} (it documents {operation.statuses})",
                correlation_id=cid,
            )
        ]
    raw = operation.node["responses"][str(status)]
    where = _source(raw, _operation_pointer(operation, "responses", str(status)))
    documented = operation.response(status)
    found = _header_violations(operation, documented, where, response, cid)
    content = documented.get("content", {})
    if not content:
        if response.body:
            found.append(
                violation(
                    "response.content-type",
                    where,
                    op,
                    f"{status} documents no body, got {len(response.body)} bytes",
                    correlation_id=cid,
                )
            )
        return found
    media = response.media_type
    if media not in content:
        shown = shortened(media, 60) or "no content type"
        found.append(
            violation(
                "response.content-type",
                f"{where}/content",
                op,
                f"{status} came as {shown!r}, not one of {sorted(content)}",
                correlation_id=cid,
            )
        )
        return found
    body = response.json
    if body is NOT_JSON:
        found.append(
            violation(
                "response.schema", where, op, f"{status}: body is not JSON", correlation_id=cid
            )
        )
        return found
    validator = operation.spec.validator(content[media]["schema"])
    if not validator.is_valid(body):
        found += [
            violation(
                "response.schema",
                f"{where}/content/{escape(media)}/schema",
                op,
                f"{status}: {error_field(error) or 'the body'}: {shortened(error.message)}",
                correlation_id=cid,
                field=error_field(error),
            )
            for error in validator.iter_errors(body)
        ]
    if isinstance(body, dict):
        found += _error_body_violations(operation, names, where, response, body, cid)
    return found


def _header_violations(
    operation: Operation,
    documented: Mapping[str, Any],
    where: str,
    response: Response,
    cid: str | None,
) -> list[Violation]:
    found = []
    spec = operation.spec
    for name, raw in documented.get("headers", {}).items():
        header = spec.resolve(raw)
        source = _source(raw, f"{where}/headers/{escape(name)}")
        value = response.header(name)
        if value is None:
            if header.get("required"):
                found.append(
                    violation(
                        "response.header",
                        source,
                        operation.operation_id,
                        f"{response.status} lacks its required header {name}",
                        correlation_id=cid,
                    )
                )
            continue
        schema = header.get("schema", {})
        typed: Any = value
        if schema.get("type") in _INTEGER_TYPES:
            try:
                typed = int(value.strip())
            except ValueError:
                typed = value  # a string where a number is documented: the schema says so
        for error in spec.validator(schema).iter_errors(typed):
            found.append(
                violation(
                    "response.header",
                    source,
                    operation.operation_id,
                    f"{response.status}: header {name}: {shortened(error.message)}",
                    correlation_id=cid,
                )
            )
    return found


def _error_body_violations(
    operation: Operation,
    names: Names,
    where: str,
    response: Response,
    body: dict[str, Any],
    cid: str | None,
) -> list[Violation]:
    found = []
    op = operation.operation_id
    status = response.status
    codes = operation.error_codes(status)
    if codes and body.get("error_code") not in codes:
        code = body.get("error_code")
        shown = shortened(code, 60) if isinstance(code, str) else code
        found.append(
            violation(
                "response.error-code",
                f"{where}/x-error-codes",
                op,
                f"{status} carries error_code {shown!r}; {op}'s {status} lists {codes}",
                correlation_id=cid,
            )
        )
    header = response.header(names.correlation_id)
    in_body = body.get("correlation_id")
    if header is not None and isinstance(in_body, str) and header != in_body:
        found.append(
            violation(
                "response.correlation-id",
                pointer("components", "headers", "CorrelationId"),
                op,
                f"{status}: the header's correlation id is not the body's correlation_id",
                correlation_id=cid,
            )
        )
    return found


class Conformance:
    """The spec's rules for one request and one answer, compiled once.

    ``contract_limits=False`` leaves out what this contract sets itself (``x-contract-limits``):
    a server other than the project's mock may accept what only this contract rules out.
    """

    def __init__(self, spec: Spec | None = None, *, contract_limits: bool = True) -> None:
        spec = spec or load_spec()
        if not contract_limits:
            spec = Spec(without_contract_limits(spec.document), spec.path)
        self.spec = spec
        self.names = read_names(spec)
        self.routes = Routes(spec)
        schemes = spec.document["components"]["securitySchemes"]
        # Both of Kustom's forms travel in the one header the security scheme names.
        self.authorization: str = schemes[SECURITY_SCHEME]["name"]
        # One name on every operation (each has its own component, for its examples).
        self.token_parameter: str = spec.resolve(
            spec.document["components"]["parameters"]["CustomerTokenToCharge"]
        )["name"]
        self.replay_window: float = replay_window_seconds(spec)

    def match(self, request: Request) -> Match | None:
        return self.routes.match(request.method, request.path)

    def check_request(self, request: Request) -> list[Violation]:
        """Everything about ``request`` that breaks the spec (the client's side)."""
        match = self.match(request)
        if match is None:
            return [
                violation(
                    "request.operation",
                    pointer("paths"),
                    None,
                    f"no operation of the spec takes {shortened(request.method, 20)} on this path",
                )
            ]
        operation = match.operation
        found = []
        if credentials(request.header(self.authorization), self.names.auth_scheme) is None:
            found.append(
                violation(
                    "request.credentials",
                    pointer("components", "securitySchemes"),
                    operation.operation_id,
                    f"no credentials in either documented form ({self.authorization} header)",
                )
            )
        found += self._parameter_violations(match, request)
        found += self._body_violations(operation, request)
        return found

    def check_response(
        self,
        request: Request,
        response: Response,
        *,
        request_violations: list[Violation] | None = None,
    ) -> list[Violation]:
        """Everything about ``response`` that breaks the spec (the server's side), given the
        request it answers (``request_violations``: its check_request, if done already)."""
        match = self.match(request)
        if match is None:
            return []  # no operation: nothing documents the answer
        found = response_violations(match.operation, response, self.names)
        broken = [
            v
            for v in (
                self.check_request(request) if request_violations is None else request_violations
            )
            if v.side is Side.CLIENT
        ]
        if broken:
            found += self._refusal_violations(match.operation, broken, response)
        return found

    def check(self, exchange: Exchange) -> list[Violation]:
        """Both sides of one exchange: the request's violations, then the answer's."""
        request_violations = self.check_request(exchange.request)
        return [
            *request_violations,
            *self.check_response(
                exchange.request, exchange.response, request_violations=request_violations
            ),
        ]

    def _parameter_violations(self, match: Match, request: Request) -> list[Violation]:
        operation = match.operation
        found = []
        raw_parameters = [
            *operation.path_item.get("parameters", []),
            *operation.node.get("parameters", []),
        ]
        for raw in raw_parameters:
            parameter = self.spec.resolve(raw)
            name, location = parameter["name"], parameter["in"]
            source = _source(raw, _operation_pointer(operation, "parameters"))
            if location == "path":
                value: str | None = match.path_params.get(name)
            elif location == "header":
                header = request.header(name)
                # Whitespace around a header's value is not part of it (RFC 9110).
                value = None if header is None else header.strip(" \t")
            else:
                continue
            if value is None:
                if parameter.get("required"):
                    found.append(
                        violation(
                            "request.parameter",
                            source,
                            operation.operation_id,
                            f"the required {location} parameter {name} is missing",
                            field=name,
                        )
                    )
                continue
            # The message names the keyword, never the value (a token, a key).
            found += [
                violation(
                    "request.parameter",
                    source,
                    operation.operation_id,
                    f"the {location} parameter {name} breaks its schema ({error.kind.name})",
                    field=name,
                )
                for error in self.spec.validator(parameter["schema"]).iter_errors(value)
            ]
        return found

    def _body_violations(self, operation: Operation, request: Request) -> list[Violation]:
        body = operation.request_body
        if body is None:
            return []
        op = operation.operation_id
        where = _operation_pointer(operation, "requestBody")
        if not request.body:
            if body.get("required"):
                return [violation("request.json", where, op, f"{op} requires a body; none came")]
            return []
        limit = body.get("x-max-body-bytes")
        if isinstance(limit, int) and len(request.body) > limit:
            return [
                violation(
                    "request.body-size",
                    f"{where}/x-max-body-bytes",
                    op,
                    f"a body of {len(request.body)} bytes, above the {limit} allowed",
                )
            ]
        content = body["content"]
        media = request.media_type
        if media not in content:
            shown = shortened(media, 60) or "no content type"
            return [
                violation(
                    "request.content-type",
                    f"{where}/content",
                    op,
                    f"a body sent as {shown!r}, not one of {sorted(content)}",
                )
            ]
        parsed = request.json
        schema = content[media]["schema"]
        if parsed is NOT_JSON or (
            self.spec.resolve(schema).get("type") == "object" and not isinstance(parsed, dict)
        ):
            return [violation("request.json", where, op, "the body is not a JSON object")]
        validator = self.spec.validator(schema)
        if not validator.is_valid(parsed):
            by_field: dict[str, str] = {}
            for error in validator.iter_errors(parsed):
                by_field.setdefault(error_field(error), shortened(error.message))
            schema_at = f"{where}/content/{escape(media)}/schema"
            return [
                violation(
                    "request.schema", schema_at, op, f"{name or 'the body'}: {detail}", field=name
                )
                for name, detail in by_field.items()
            ]
        rules = BODY_RULES.get(op)
        if rules is None:
            return []
        return [
            violation(
                "request.rules",
                _operation_pointer(operation, "description"),
                op,
                broken.reason,
                field=broken.field,
            )
            for broken in rules(parsed)
        ]

    def _refusal_violations(
        self, operation: Operation, broken: list[Violation], response: Response
    ) -> list[Violation]:
        """A request that breaks the spec is never accepted; a 400 to one whose every flaw is a
        field names one of them (``Bad value: <field>``, BAD_VALUE)."""
        op = operation.operation_id
        status = response.status
        cid = correlation_id(self.names, response)
        first = broken[0]
        if 200 <= status < 300:
            return [
                violation(
                    "response.refusal",
                    first.source,
                    op,
                    f"accepted ({status}) a request that breaks {first.rule}: {first.message}",
                    correlation_id=cid,
                    field=first.field,
                )
            ]
        fields = {v.field for v in broken if v.field is not None}
        if status != 400 or not fields or any(v.field is None for v in broken):
            return []
        if any(v.rule in _BEFORE_BODY for v in broken):
            return []
        body = response.json
        code = body.get("error_code") if isinstance(body, dict) else None
        messages = body.get("error_messages") if isinstance(body, dict) else None
        named = set(messages) if isinstance(messages, list) else set()
        wanted = {bad_value(name) for name in fields}
        if code == "BAD_VALUE" and named & wanted:
            return []
        shown = sorted(wanted)[:3]
        return [
            violation(
                "response.refusal",
                first.source,
                op,
                f"400 {shortened(str(code), 40)!r} names none of the fields the request broke "
                f"(BAD_VALUE with one of {shown} wanted)",
                correlation_id=cid,
                field=first.field,
            )
        ]
