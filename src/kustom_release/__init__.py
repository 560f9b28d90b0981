"""The release tooling behind scripts/regenerate and scripts/publish: the generated client
(regenerate.py), the breaking-change gate (breaking.py, breaking_security.py,
breaking_names.py, change.py; its baseline: baseline.py; the spec read as a candidate:
specfile.py; the client layer's public API: python_api.py), CHANGELOG.md (changelog.py), the HTML reference (reference.py,
reference_page.hbs, code_samples.py), the wheels (wheels.py) and publish.py, which runs them
all. One exception root, ``errors.ReleaseError``, carries each failure's exit code."""
