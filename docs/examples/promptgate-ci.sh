#!/usr/bin/env bash
# Promptgate in any CI system (docs/CI.md): push the prompt files of a change as proposals, evaluate
# them and run their test cases, write a Markdown summary for a review comment, and fail the job
# when a check fails. Needs `promptgate` on PATH (npx promptgate in the Promptgate repository) and
# node, and these variables:
#
#   PROMPTGATE_REGISTRY_URL   the registry, e.g. https://promptgate.example.com
#   PROMPTGATE_TOKEN          an access token; or PROMPTGATE_EMAIL and PROMPTGATE_PASSWORD to log in
#   PROMPTGATE_PROVIDER_KEY   optional: the model provider key for test runs (else the workspace's saved key)
#   PROMPTS_DIR               optional: the folder made by `promptgate pull` (default prompts)
#   PROMPTGATE_SUMMARY        optional: where the Markdown summary goes (default promptgate-summary.md)
#   PROMPTGATE_TEST_PROVIDER, PROMPTGATE_TEST_MODEL  optional: the model test runs ask (default: each prompt's config)
#   GIT_SHA                   optional: quoted in the commit message of the proposals
#
# Exit codes: 0 every check passed (or nothing changed), 1 a check failed or a conflict,
# 2 invalid prompt files, 3 the registry refused or could not be reached.
set -uo pipefail

prompts_dir=${PROMPTS_DIR:-prompts}
summary=$(realpath -m "${PROMPTGATE_SUMMARY:-promptgate-summary.md}")
sha=${GIT_SHA:-local}
cd "$prompts_dir" || { echo "promptgate-ci: no folder $prompts_dir" >&2; exit 2; }

if [ -z "${PROMPTGATE_TOKEN:-}" ] && [ -n "${PROMPTGATE_EMAIL:-}" ]; then
  # The password goes on standard input, never on the command line.
  printf '%s\n' "${PROMPTGATE_PASSWORD:?PROMPTGATE_PASSWORD is needed with PROMPTGATE_EMAIL}" \
    | promptgate login --email "$PROMPTGATE_EMAIL" >/dev/null || exit $?
fi

# One field of the JSON object a command printed: `field '<json>' 'expression on o'`.
field() { node -e 'const o = JSON.parse(process.argv[1]); const v = (0, eval)("(o) => " + process.argv[2])(o); console.log(typeof v === "string" ? v : JSON.stringify(v));' "$1" "$2"; }

{
  echo "## Promptgate checks"
  echo
} >"$summary"
status=0

push_json=$(promptgate push -m "CI: prompts at $sha" --json)
push_code=$?
if [ $push_code -ne 0 ]; then
  echo "- push: failed (exit $push_code): $(field "$push_json" 'o.error ? o.error.code + ": " + o.error.message : "no answer"')" >>"$summary"
  field "$push_json" '(o.conflicts || []).map((c) => "  - conflict in " + c.file + ": " + c.reason).join("\n")' >>"$summary"
  cat "$summary"
  exit $push_code
fi
pushed=$(field "$push_json" 'o.pushed.map((p) => p.key + " v" + p.version_num).join(", ")')
if [ -z "$pushed" ]; then
  echo "- push: ok, no prompt changed; nothing to check" >>"$summary"
  cat "$summary"
  exit 0
fi
echo "- push: ok, proposed $pushed" >>"$summary"

eval_json=$(promptgate eval --json)
eval_code=$?
if [ $eval_code -eq 0 ]; then
  echo "- eval: ok" >>"$summary"
else
  echo "- eval: failed (exit $eval_code)" >>"$summary"
  status=$eval_code
fi
field "$eval_json" '(o.evals || []).map((e) => "  - " + e.key + " v" + e.version_num + ": score " + e.score + " (threshold " + e.threshold + ")").join("\n") || ("  - " + (o.error ? o.error.message : ""))' >>"$summary"

test_args=()
[ -n "${PROMPTGATE_TEST_PROVIDER:-}" ] && test_args+=(--provider "$PROMPTGATE_TEST_PROVIDER")
[ -n "${PROMPTGATE_TEST_MODEL:-}" ] && test_args+=(--model "$PROMPTGATE_TEST_MODEL")
test_json=$(promptgate test "${test_args[@]}" --json)
test_code=$?
if [ $test_code -eq 0 ]; then
  echo "- test: ok" >>"$summary"
else
  echo "- test: failed (exit $test_code)" >>"$summary"
  [ $status -eq 0 ] && status=$test_code
fi
field "$test_json" '(o.test_runs || []).map((r) => "  - " + r.key + " v" + r.version_num + ": " + r.cases_passed + " of " + r.cases_total + " cases passed, " + r.regressions + " regressed" + r.cases.filter((c) => !c.passed || c.verdict === "regressed").map((c) => "\n    - " + c.name + (c.verdict === "regressed" ? ": regressed, " + c.reason : ": failed")).join("")).join("\n") || ("  - " + (o.error ? o.error.message : ""))' >>"$summary"

cat "$summary"
exit $status
