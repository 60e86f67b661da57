#!/usr/bin/env bash
# Spark resource discovery script for GPUs (spark.{executor,worker,driver}.resource.gpu.discoveryScript).
# Prints the one line Spark expects, e.g. {"name":"gpu","addresses":["0","1"]}.
#
#   - PSEUDOLABEL_FAKE_GPUS="0,1" advertises those addresses without asking the hardware (tests, dry runs
#     of a deployment on a CPU box; pair it with pseudolabel.models.device=cpu).
#   - CUDA_VISIBLE_DEVICES set (YARN/Docker GPU isolation): the process sees CUDA devices 0..n-1, so those
#     ordinals are advertised, not the host's indices.
#   - otherwise every GPU nvidia-smi lists, by index (on Kubernetes the device plugin already limits
#     the container to its GPUs).
set -euo pipefail

print() {
  local out="" a
  for a in "$@"; do
    out="${out:+$out,}\"$a\""
  done
  printf '{"name":"gpu","addresses":[%s]}\n' "$out"
}

split() { tr ',' '\n' <<<"$1" | tr -d ' ' | grep -v '^$' || true; }

if [ -n "${PSEUDOLABEL_FAKE_GPUS:-}" ]; then
  mapfile -t addrs < <(split "$PSEUDOLABEL_FAKE_GPUS")
elif [ -n "${CUDA_VISIBLE_DEVICES:-}" ] && [ "${CUDA_VISIBLE_DEVICES}" != "NoDevFiles" ]; then
  mapfile -t visible < <(split "$CUDA_VISIBLE_DEVICES")
  addrs=()
  for i in "${!visible[@]}"; do addrs+=("$i"); done
else
  if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu-discovery.sh: nvidia-smi not found and PSEUDOLABEL_FAKE_GPUS not set" >&2
    exit 1
  fi
  mapfile -t addrs < <(nvidia-smi --query-gpu=index --format=csv,noheader | tr -d ' ' | grep -v '^$')
fi
print "${addrs[@]+"${addrs[@]}"}"
