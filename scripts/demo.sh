#!/usr/bin/env bash
# `make demo`: a real workflow saved as a version and run step by step on LangGraph, offline.
set -euo pipefail
cd "$(dirname "$0")/.."
MWO=".venv/bin/mwo"
export MWO_HOME="${MWO_HOME:-$PWD/.mwo-demo}"
rm -rf "$MWO_HOME"

say() { printf '\n\033[1;34m==> %s\033[0m\n' "$*"; }

say "mwo init  (home: $MWO_HOME)"
$MWO init
say "mwo validate examples/economy-digest.mwo.yaml"
$MWO validate examples/economy-digest.mwo.yaml
say "mwo apply examples/economy-digest.mwo.yaml  (saved as an immutable version)"
$MWO apply examples/economy-digest.mwo.yaml -m "demo" --folder demo --tag news
say "mwo run economy-digest  (runs until the APPROVAL step waits)"
$MWO run economy-digest
RUN_ID=$($MWO runs --workflow economy-digest --limit 1 --json | .venv/bin/python -c 'import json,sys; print(json.load(sys.stdin)["runs"][0]["id"])')
say "mwo approve $RUN_ID  (auto-approved for the demo; the run resumes from its checkpoint)"
$MWO approve "$RUN_ID" --by demo --comment "auto-approved by make demo"
say "mwo inbox  (the NOTIFICATION step delivered here, offline)"
$MWO inbox
say "mwo logs $RUN_ID  (every step's state, timing and log, from the database)"
$MWO logs "$RUN_ID"

say "mwo create \"...\" --yes  (a Korean request becomes a validated, saved workflow on the local model)"
REQUEST="매일 아침 8시에 오늘의 명언 하나를 만들어서 앱 알림으로 보내줘"
$MWO create "$REQUEST" --yes --json > "$MWO_HOME/created.json"
NAME=$(.venv/bin/python - "$MWO_HOME/created.json" <<'PY'
import json, sys
result = json.load(open(sys.argv[1]))
print(result["explanation"], file=sys.stderr)
print(result["spec"], file=sys.stderr)
print(f"status: {result['status']}, {result['seconds']} s", file=sys.stderr)
print(result["workflow"])
PY
)
say "mwo run $NAME  (the authored workflow runs offline: the local model writes, the inbox receives)"
$MWO run "$NAME"
$MWO inbox
say "mwo edit $NAME \"주말에는 보내지 마\" --yes  (a change in words, shown as a diff, saved as version 2)"
$MWO edit "$NAME" "주말에는 보내지 마" --yes --json | .venv/bin/python -c 'import json,sys; r=json.load(sys.stdin); print(r["diff"]); print(r["summary"])'
