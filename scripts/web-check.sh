#!/usr/bin/env bash
# Type-check the browser page's scripts (server-std/web/*.js) with
# TypeScript's checker: they are plain JavaScript with JSDoc types and
# `// @ts-check`, so there is no build step, but a typo in a field name or a
# forgotten null check is still caught before a student's browser finds it.
#
# TypeScript goes into target/web-npm (git-ignored), installed once with npm.
# The codec's agreement with natter-core is a cargo test:
#   cargo test -p natter-server --test web_codec
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh

command -v npm >/dev/null || apt_install npm
npm_dir=target/web-npm
tsc=$npm_dir/node_modules/.bin/tsc
if [ ! -x "$tsc" ]; then
    mkdir -p "$npm_dir"
    npm install --no-save --no-audit --no-fund --prefix "$npm_dir" typescript@5 >/dev/null
fi
"$tsc" --noEmit --allowJs --checkJs --target es2022 --module es2022 --moduleResolution bundler \
    --lib es2022,dom,dom.iterable --strict server-std/web/*.js
echo "web-check: server-std/web type-checks"
