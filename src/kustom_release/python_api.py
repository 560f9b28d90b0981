"""The public Python API of the hand-written wheels, compared with the previous release's.

Public is what a package exports (its ``__all__``), and the public members of the classes it
exports; its submodules are not. griffe (``find_breaking_changes``) reads both versions from
source, without importing them, and finds what breaks a caller: a public name removed or
renamed, a parameter removed, moved, made required or given another kind or default, a
required parameter added, a base class dropped. griffe 2.4 leaves type annotations unjudged
(its ``_returns_are_compatible`` ends in a TODO that answers "compatible"), so the walk here
adds them by hand, as written: a return or attribute type that changed is breaking unless it
only narrowed a union (``A | B`` to ``A``), a parameter type unless it only widened one. What
griffe does not report at all, the additions, comes from the same walk: a new public name,
member or optional parameter, a new value of a public constant.

Each change is a ``Change`` of its part (``PublicPackage.part``), so the gate and
CHANGELOG.md treat it like the spec's. The previous release's source is read from git at the
ref the gate found its spec at (``baseline.py``).
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import griffe

from kustom_release.change import Change
from kustom_release.errors import ReleaseError


@dataclass(frozen=True)
class PublicPackage:
    """A module whose exports are a wheel's public API, and the folder that holds it."""

    part: str  # the part of the kit, as CHANGELOG.md names it
    module: str  # dotted: a package, or a module inside one (kustom_mock.testing)
    folder: str  # relative to the repository's root: the import root (src)


CLIENT_LAYER = "Client layer"
MOCK = "Mock"
# One line each: the client layer's exports, and the mock's helpers for merchants' tests (the
# pytest fixture is made of them).
PACKAGES = (
    PublicPackage(CLIENT_LAYER, "kustom_client", "src"),
    PublicPackage(MOCK, "kustom_mock.testing", "src"),
)


class ApiError(ReleaseError):
    """A release's source cannot be read from git or parsed (exit 2)."""


def _source_at(repo: Path, ref: str, package: PublicPackage, into: Path) -> Path | None:
    """The package's top-level folder at ``ref`` extracted under ``into``; None if it did
    not exist then (a release before the package: everything in it is new)."""
    top = f"{package.folder}/{package.module.split('.')[0]}"
    result = subprocess.run(  # noqa: S603
        ["git", "-C", str(repo), "archive", "--format=tar", ref, "--", top],  # noqa: S607
        capture_output=True,
        check=False,
    )
    if result.returncode != 0:
        exists = subprocess.run(  # noqa: S603
            ["git", "-C", str(repo), "cat-file", "-e", f"{ref}^{{commit}}"],  # noqa: S607
            capture_output=True,
            check=False,
        )
        if exists.returncode == 0:
            return None  # the commit exists and the folder does not
        raise ApiError(f"git cannot read {top} at {ref}: {result.stderr.decode().strip()}")
    with tarfile.open(fileobj=io.BytesIO(result.stdout)) as archive:
        archive.extractall(into, filter="data")
    return into / package.folder


def _load(package: PublicPackage, root: Path | None) -> griffe.Object | griffe.Alias | None:
    """The module read from source under ``root`` (never imported, never from sys.path);
    None when it is not there."""
    if root is None:
        return None
    path = root.joinpath(*package.module.split("."))
    if not (path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()):
        return None
    try:
        found = griffe.load(
            package.module,
            search_paths=[root],
            try_relative_path=False,
            allow_inspection=False,
            resolve_aliases=True,
            resolve_external=False,
        )
    except (ImportError, griffe.GriffeError) as exc:
        raise ApiError(f"griffe cannot read {package.module} under {root}: {exc}") from None
    for submodule in found.modules.values():
        submodule.public = False  # reached only through the exports
    return found


def _target(obj: griffe.Object | griffe.Alias) -> griffe.Object | griffe.Alias:
    try:
        return obj.final_target if isinstance(obj, griffe.Alias) else obj
    except griffe.AliasResolutionError:
        return obj  # a name imported from outside the package: compared by name only


def _exports(module: griffe.Object | griffe.Alias) -> dict[str, griffe.Object | griffe.Alias]:
    names = module.exports if module.exports is not None else list(module.members)
    return {
        str(name): module.members[str(name)]
        for name in names
        if str(name) in module.members and module.members[str(name)].is_public
    }


def _union(annotation: object) -> frozenset[str]:
    """The members of an ``A | B`` annotation as written (one member when it is no union)."""
    if isinstance(annotation, griffe.ExprBinOp) and annotation.operator == "|":
        return _union(annotation.left) | _union(annotation.right)
    return frozenset([str(annotation)])


def _typed(where: str, what: str, old: object, new: object, *, narrower_ok: bool) -> Change:
    """A changed annotation: compatible when a union only narrowed (what is returned or
    read) or only widened (what is passed in)."""
    before, after = _union(old), _union(new)
    compatible = after < before if narrower_ok else before < after
    return Change("type", where, not compatible, f"{what} {old} -> {new}")


def _walk(
    where: str, old: griffe.Object | griffe.Alias, new: griffe.Object | griffe.Alias
) -> Iterator[Change]:
    """What griffe does not judge, between two versions of one public object."""
    old, new = _target(old), _target(new)
    if old.kind != new.kind:
        return  # griffe reports the changed kind
    if isinstance(old, griffe.Function) and isinstance(new, griffe.Function):
        if str(old.returns) != str(new.returns) and old.returns is not None:
            yield _typed(where, "return type", old.returns, new.returns, narrower_ok=True)
        before = {p.name: p for p in old.parameters}
        for param in new.parameters:
            if param.name not in before:
                if not param.required:
                    yield Change("added", where, False, f"parameter {param.name} added")
            elif str(before[param.name].annotation) != str(param.annotation):
                what = f"parameter {param.name} type"
                yield _typed(
                    where, what, before[param.name].annotation, param.annotation, narrower_ok=False
                )
    elif isinstance(old, griffe.Attribute) and isinstance(new, griffe.Attribute):
        if str(old.annotation) != str(new.annotation):
            yield _typed(where, "type", old.annotation, new.annotation, narrower_ok=True)
        elif str(old.value) != str(new.value):
            yield Change("value", where, False, f"value {old.value} -> {new.value}")
    elif isinstance(old, griffe.Class) and isinstance(new, griffe.Class):
        yield from _members(where, old.members, new.members)


def _members(
    where: str,
    old: dict[str, griffe.Object | griffe.Alias],
    new: dict[str, griffe.Object | griffe.Alias],
) -> Iterator[Change]:
    for name, member in new.items():
        if member.is_public and name not in old:
            yield Change("added", f"{where}.{name}", False, "added")
    for name, member in old.items():
        if member.is_public and name in new:
            yield from _walk(f"{where}.{name}", member, new[name])


def _breakage_detail(breakage: griffe.Breakage) -> str:
    detail = str(breakage.kind.value)
    for value in (breakage.old_value, breakage.new_value):
        if isinstance(value, griffe.Parameter):
            detail += f": {value.name}"
            break
    if breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_DEFAULT:
        detail += f" ({breakage.old_value.default} -> {breakage.new_value.default})"
    elif breakage.kind is griffe.BreakageKind.PARAMETER_CHANGED_KIND:
        detail += f" ({breakage.old_value.kind.value} -> {breakage.new_value.kind.value})"
    elif breakage.kind is griffe.BreakageKind.PARAMETER_MOVED:
        detail += f" ({breakage.details})"
    elif breakage.kind in (
        griffe.BreakageKind.OBJECT_CHANGED_KIND,
        griffe.BreakageKind.RETURN_CHANGED_TYPE,
    ):
        detail += f" ({breakage.old_value} -> {breakage.new_value})"
    return detail


def _public_path(package: PublicPackage, targets: dict[str, str], path: str) -> str:
    """griffe's path (where an object is defined) as a caller writes it (the export)."""
    for defined in sorted(targets, key=len, reverse=True):
        if path == defined or path.startswith(defined + "."):
            return targets[defined] + path[len(defined) :]
    return path if path.startswith(package.module) else f"{package.module}.{path}"


def compare_package(
    package: PublicPackage,
    old: griffe.Object | griffe.Alias | None,
    new: griffe.Object | griffe.Alias | None,
) -> list[Change]:
    """Every change to the package's public API; None: it is not there on that side."""
    if old is None or new is None:
        side, kind, breaking = (new, "added", False) if old is None else (old, "removed", True)
        detail = "added" if old is None else "Public object was removed"
        exports = _exports(side) if side is not None else {}
        return [
            Change(kind, f"{package.module}.{name}", breaking, detail, package.part)
            for name in exports
        ]
    new_exports = _exports(new)
    old_exports = _exports(old)
    targets = {
        _target(obj).path: f"{package.module}.{name}"
        for exports in (old_exports, new_exports)
        for name, obj in exports.items()
    }
    changes = [
        Change(
            breakage.kind.name.lower(),
            _public_path(package, targets, breakage.obj.path),
            True,
            _breakage_detail(breakage),
        )
        for breakage in griffe.find_breaking_changes(old, new)
    ]
    # Left out of __all__ but still imported there: griffe finds the name and says nothing.
    changes += [
        Change("removed", f"{package.module}.{name}", True, "Public object was removed")
        for name in old_exports
        if name not in new_exports and name in new.members
    ]
    changes += _members(package.module, old_exports, new_exports)
    return [Change(c.kind, c.where, c.breaking, c.detail, package.part) for c in changes]


def compare_api(
    repo: Path,
    old_ref: str,
    new_ref: str | None,
    packages: tuple[PublicPackage, ...] = PACKAGES,
) -> list[Change]:
    """The public API's changes from ``old_ref`` to ``new_ref`` (None: the work tree)."""
    changes: list[Change] = []
    with tempfile.TemporaryDirectory(prefix="kustom-api-") as folder:
        for index, package in enumerate(packages):
            old_root = _source_at(repo, old_ref, package, Path(folder) / f"old{index}")
            new_root = (
                repo / package.folder
                if new_ref is None
                else _source_at(repo, new_ref, package, Path(folder) / f"new{index}")
            )
            changes += compare_package(package, _load(package, old_root), _load(package, new_root))
    return changes
