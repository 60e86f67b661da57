#!/usr/bin/env bash
# The nightly run for cron (or any scheduler that runs a command): label what is new or changed since
# the run _LATEST names. Exit status is spark-submit's, passed on (in YARN/Kubernetes cluster mode any failure
# is 1; the driver's log has the message):
#   0  published, or an unchanged night (nothing new: _LATEST stays, the run's _MANIFEST.json says so)
#   3  labelled but NOT published: more images failed than pseudolabel.job.max-failed-fraction (counts and the
#      first errors are printed; the run and its manifest are kept under <output>/runs/<run_id>/)
#   4  another run holds the output root's lease, or published first (the holder is named)
#   5  labelled but NOT published: the mean label quality fell more than pseudolabel.job.max-quality-drop below
#      the previous run's (off by default; the run and its manifest are kept)
# The label command's one-line summary of the night (mean quality against the previous run, images relabelled,
# added and removed, instances by class; also in the run's _MANIFEST.json under "stats") is printed again last.
#   other  failed (the message says why)
# Anything but 0 mails cron's MAILTO. flock keeps a slow night from overlapping the next on this host; the
# output root's lease refuses a second writer from anywhere else.
set -uo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
exec 9>"${LOCK_FILE:-/tmp/pseudolabel-nightly.lock}"
flock -n 9 || { echo "pseudolabel nightly: previous run still going on this host, skipping" >&2; exit 0; }
log="$(mktemp)"
"$HERE/../submit-${PSEUDOLABEL_CLUSTER:-yarn}.sh" "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
summary="$(grep -m1 -E '^label [^ ]+: mean quality' "$log" || true)"
rm -f "$log"
[ -n "$summary" ] && echo "pseudolabel nightly: $summary"
case $code in
  0) echo "pseudolabel nightly: done" ;;
  3) echo "pseudolabel nightly: FAILED GATE: the run was labelled but not published (too many failed images); _LATEST is unchanged" >&2 ;;
  5) echo "pseudolabel nightly: QUALITY GATE: the run was labelled but not published (mean quality fell more than pseudolabel.job.max-quality-drop); _LATEST is unchanged" >&2 ;;
  4) echo "pseudolabel nightly: REFUSED: another run holds or has just published the output root; nothing was published" >&2 ;;
  *) echo "pseudolabel nightly: FAILED with exit status $code; _LATEST is unchanged" >&2 ;;
esac
exit $code
