# Sourced by every script: run from the repository root with the project's environment.
# Sets ROOT and puts .venv/bin first on PATH; bootstraps first when the environment is missing.
ROOT="$(pwd)"
export PATH="$ROOT/.venv/bin:$ROOT/node_modules/.bin:$PATH"
export REDOCLY_TELEMETRY=off REDOCLY_SUPPRESS_UPDATE_NOTICE=true
export NPM_CONFIG_UPDATE_NOTIFIER=false NPM_CONFIG_FUND=false NPM_CONFIG_AUDIT=false
if [ ! -x "$ROOT/.venv/bin/python" ] || [ ! -e "$ROOT/.venv/.bootstrapped" ] || [ ! -d "$ROOT/node_modules/@redocly" ]; then
  "$ROOT/scripts/bootstrap" >&2
fi
