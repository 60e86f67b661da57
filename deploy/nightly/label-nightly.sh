#!/usr/bin/env bash
# The nightly run for cron (or any scheduler that runs a command): label what is new or changed since
# the run _LATEST names. Exit status is spark-submit's: 0 only when the run is complete and published.
# A lock keeps a slow night from overlapping the next one.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec 9>"${LOCK_FILE:-/tmp/pseudolabel-nightly.lock}"
flock -n 9 || { echo "pseudolabel nightly: previous run still going, skipping" >&2; exit 0; }
exec "$HERE/../submit-${PSEUDOLABEL_CLUSTER:-yarn}.sh" "$@"
