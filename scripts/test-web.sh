#!/usr/bin/env bash
# The wasm and browser tests (run by scripts/test.sh, hence by .ci/run):
#  1. wasm-bindgen-test of web/ in headless Chromium (system chromium + chromedriver);
#  2. the page built by trunk (scripts/serve.sh --build-only), then Playwright end-to-end
#     tests against it on a local port (playwright-core, system Chromium, no download);
#  3. `wasm-pack build --target web` of web/ as the npm-style package, checking its .d.ts.
#  4. a busy server's capture from bench's gen-capture in the page: browser PSS < 768 MB through
#     the analysis, the flows table and both exports (www/tests/memory.mjs; small by default);
#  5. with --big: the same on 1 GB of about a million short connections (memory.mjs --big), and
#     the 520 MB bulk capture, memory < 128 MB (www/tests/big.mjs).
# Output (screenshots, logs) goes to test-output/ (gitignored).
set -euo pipefail
big=0; [ "${1:-}" = "--big" ] && big=1
cd "$(dirname "$0")/.."
export PATH="$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER="${CHROMEDRIVER:-/usr/bin/chromedriver}"
mkdir -p test-output
step() { printf '\n==> %s\n' "$*"; }

[ "${TCPOPT_SKIP_SETUP:-}" = 1 ] || scripts/setup.sh --web

step "wasm-bindgen-test in headless Chromium"
SECONDS=0
# wasm-pack must use the installed wasm-bindgen-test-runner (no download).
(cd web && WASM_BINDGEN_TEST_TIMEOUT=120 wasm-pack test --headless --chrome --mode no-install -- --test web)
echo "wasm tests: ${SECONDS} s"

step "build the page (trunk, offline)"
scripts/serve.sh --build-only --no-setup

step "end-to-end tests (playwright-core, headless Chromium)"
SECONDS=0
(cd www/tests && npm ci --no-audit --no-fund --loglevel=error && node --test-reporter=spec e2e.mjs)
# The two-vantage view (correlate.js): both captures of one run dropped on the page.
(cd www/tests && node --test-reporter=spec correlate.mjs)
echo "e2e tests: ${SECONDS} s"

step "a busy server's capture in the page (browser PSS < 768 MB)"
SECONDS=0
cargo build -q --release -p tcpopt-bench --bin gen-capture
(cd www/tests && node memory.mjs $([ "$big" = 1 ] && echo --big))
echo "memory test: ${SECONDS} s"

step "wasm-pack build --target web (the npm package)"
SECONDS=0
# The same release profile as the page (scripts/serve.sh).
export CARGO_PROFILE_RELEASE_LTO=fat CARGO_PROFILE_RELEASE_CODEGEN_UNITS=1 CARGO_PROFILE_RELEASE_DEBUG=false \
  CARGO_PROFILE_RELEASE_PANIC=abort CARGO_TARGET_DIR="$PWD/target/web"
rm -rf web/pkg
# No warning about the package itself. wasm-pack's own update check (a call to
# the crates.io API, at most once a day) warns when that call fails or a newer
# wasm-pack exists: that is about the tool, not the package, and is let through.
mkdir -p target
wp_quiet() { grep -v -e 'failed to get wasm-pack version' -e 'newer version of wasm-pack'; }
(cd web && wasm-pack build --target web --release --mode no-install --out-dir pkg) 2>&1 | tee target/wasm-pack.log
if wp_quiet <target/wasm-pack.log | grep -E '\[WARN\]|^warning'; then echo "wasm-pack build warned" >&2; exit 1; fi
wasm-pack pack web 2>&1 | tee target/wasm-pack-pack.log
if wp_quiet <target/wasm-pack-pack.log | grep -E '\[WARN\]|npm (WARN|warn)'; then echo "wasm-pack pack warned" >&2; exit 1; fi
tarball=$(ls web/pkg/tcpopt-web-*.tgz)
# The listing first: `tar | grep -q` fails under pipefail when grep stops
# reading early (tar then dies of SIGPIPE).
listing=$(tar -tzf "$tarball")
for f in package/LICENSE package/README.md package/tcpopt_web_bg.wasm package/tcpopt_web.d.ts; do
  grep -qx "$f" <<<"$listing" || { echo "$f missing from $tarball" >&2; exit 1; }
done
# web/LICENSE (npm's one licence file) holds the repository's two texts verbatim.
for l in LICENSE-MIT LICENSE-APACHE; do
  python3 -c 'import sys; sys.exit(open(sys.argv[1]).read() not in open(sys.argv[2]).read())' "$l" web/LICENSE \
    || { echo "web/LICENSE does not hold $l" >&2; exit 1; }
done
for f in web/pkg/tcpopt_web.js web/pkg/tcpopt_web.d.ts web/pkg/tcpopt_web_bg.wasm web/pkg/package.json; do
  [ -s "$f" ] || { echo "missing $f" >&2; exit 1; }
done
grep -q 'class CaptureAnalysis' web/pkg/tcpopt_web.d.ts || { echo "CaptureAnalysis missing from the .d.ts" >&2; exit 1; }
grep -q 'finish(): Report' web/pkg/tcpopt_web.d.ts || { echo "finish(): Report missing from the .d.ts" >&2; exit 1; }
grep -q 'push(chunk: Uint8Array.*): Progress' web/pkg/tcpopt_web.d.ts || { echo "push(Uint8Array) missing from the .d.ts" >&2; exit 1; }
# The report's types are the generated web/report.d.ts (tcpopt-parse/tests/schema.rs keeps it current).
grep -q 'export interface ReportView' web/pkg/tcpopt_web.d.ts || { echo "the generated report types are missing from the .d.ts" >&2; exit 1; }
grep -q 'view(): ReportView' web/pkg/tcpopt_web.d.ts || { echo "view(): ReportView missing from the .d.ts" >&2; exit 1; }
echo "npm package: $(stat -c %s web/pkg/tcpopt_web_bg.wasm) bytes wasm, ${SECONDS} s"
if [ "$big" = 1 ]; then
  step "a 520 MB capture in the page (memory < 128 MB)"
  (cd www/tests && node big.mjs)
fi
step "web tests passed"
