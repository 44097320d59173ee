#!/usr/bin/env bash
# A small Dockerfile lint (hadolint is not packaged for Debian): pinned base images (no :latest),
# a multi-stage build, a non-root USER in the final stage, a HEALTHCHECK, exec-form ENTRYPOINT,
# no ADD of URLs, no sudo, and a <Dockerfile>.dockerignore beside it (the context is the repo root).
set -euo pipefail
f="$1"; err=0
bad() { echo "lint $f: $*"; err=1; }
grep -Eq '^FROM [^ ]+:latest' "$f" && bad "base image uses :latest"
grep -Eq '^FROM [^ :]+( |$)' "$f" && bad "base image without a tag"
last_user="$(awk '/^FROM /{u=""} /^USER /{u=$2} END{print u}' "$f")"
[ -n "$last_user" ] && [ "$last_user" != root ] && [ "$last_user" != 0 ] || bad "final stage must run as a non-root USER"
grep -Eq '^HEALTHCHECK ' "$f" || bad "no HEALTHCHECK"
grep -Eq '^ENTRYPOINT \[' "$f" || bad "ENTRYPOINT must be exec form"
grep -Eq '^ADD +https?://' "$f" && bad "ADD of a URL (use a checked download in RUN)"
grep -Eq '(^| )sudo ' "$f" && bad "sudo in Dockerfile"
[ "$(grep -Ec '^FROM ' "$f")" -ge 2 ] || bad "not a multi-stage build (build on a JDK, run on a JRE)"
[ -f "$f.dockerignore" ] || bad "no $f.dockerignore (target/ and .git would be sent to the builder)"
exit $err
