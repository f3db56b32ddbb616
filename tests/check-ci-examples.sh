#!/bin/sh
# check-ci-examples.sh - the CI examples in examples/ are valid YAML of the
# shape their CI system reads (run by `make check`).
#
# yamllint (Debian package yamllint) checks the syntax; then a structural
# check of what each system needs: GitHub Actions - `on` and `jobs`, every
# job with runs-on and steps, every step with uses or run, every `needs`
# naming a job; GitLab CI - every job with a stage listed in `stages` and a
# script, every `needs` naming a job.  And both use kmharness the way its
# help says: run --shard, merge, --junit, run --service.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
ex=$here/../examples
yamllint -d '{extends: default, rules: {line-length: {max: 120}, document-start: disable,
             truthy: {check-keys: false}, comments: {min-spaces-from-content: 1}}}' \
    "$ex/github-actions.yml" "$ex/gitlab-ci.yml"
python3 - "$ex/github-actions.yml" "$ex/gitlab-ci.yml" <<'PY'
import sys, yaml

def fail(msg):
    sys.exit("check-ci-examples: " + msg)

def as_list(v):
    return v if isinstance(v, list) else [v]

gh = yaml.safe_load(open(sys.argv[1]))
# YAML 1.1 (PyYAML) reads the key "on" as true; GitHub reads it as "on".
if ("on" not in gh and True not in gh) or "jobs" not in gh:
    fail("github-actions.yml: needs 'on' and 'jobs'")
for name, job in gh["jobs"].items():
    if "runs-on" not in job or not job.get("steps"):
        fail("github-actions.yml: job %s needs runs-on and steps" % name)
    for need in as_list(job.get("needs", [])):
        if need not in gh["jobs"]:
            fail("github-actions.yml: job %s needs unknown job %s" % (name, need))
    for step in job["steps"]:
        if ("uses" in step) == ("run" in step):
            fail("github-actions.yml: a step of %s needs exactly one of uses, run" % name)

gl = yaml.safe_load(open(sys.argv[2]))
stages = gl.get("stages", [])
jobs = {k: v for k, v in gl.items() if isinstance(v, dict) and "script" in v}
for name, job in jobs.items():
    if job.get("stage") not in stages:
        fail("gitlab-ci.yml: job %s has a stage not in stages" % name)
    for need in as_list(job.get("needs", [])):
        if need not in jobs:
            fail("gitlab-ci.yml: job %s needs unknown job %s" % (name, need))
for key in gl:
    if key not in ("stages", "default", "variables") and key not in jobs:
        fail("gitlab-ci.yml: %s is neither a keyword nor a job with a script" % key)

for path in sys.argv[1:]:
    text = open(path).read()
    for word in ("run --shard", "merge --combine", "--junit", "report --diff", "run --service"):
        if word not in text:
            fail("%s does not use '%s'" % (path, word))
print("check-ci-examples: github-actions.yml and gitlab-ci.yml are well formed")
PY
