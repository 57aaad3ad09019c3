#!/usr/bin/env bash
# Lighthouse accessibility scores of the portal's home, a guide page and the apply page, in Debian's chromium.
#   tools/lighthouse.sh BASE_URL SESSION_COOKIE MATTER_CODE
# SESSION_COOKIE is "sid_<site>=<key>" of a citizen with advanced real-name (the apply page needs one).
# Lighthouse comes from npm into a scratch folder; it never downloads a browser.
set -euo pipefail
base=${1:?base URL}; cookie=${2:?session cookie}; code=${3:?matter implementation code}
work=${LIGHTHOUSE_DIR:-/tmp/lighthouse}
mkdir -p "$work"
[ -x "$work/node_modules/.bin/lighthouse" ] || (cd "$work" && npm init -y >/dev/null && npm install --silent lighthouse@12)
flags="--headless=new --no-sandbox --disable-gpu --disable-background-networking --disable-component-update --disable-sync --no-first-run"
for page in "home|$base/" "guide|$base/guides/$code/" "apply|$base/apply/new?matter=$code"; do
  name=${page%%|*}; url=${page#*|}
  CHROME_PATH=/usr/bin/chromium "$work/node_modules/.bin/lighthouse" "$url" --quiet --only-categories=accessibility \
    --form-factor=mobile --chrome-flags="$flags" --extra-headers="{\"Cookie\":\"$cookie\"}" \
    --output=json --output-path="$work/$name.json"
  python3 -c "import json,sys; d=json.load(open(sys.argv[1])); print(sys.argv[2], round(d['categories']['accessibility']['score']*100), d['finalDisplayedUrl'])" "$work/$name.json" "$name"
done
