#!/usr/bin/env bash
# Checks that an image (or any node with Spark, the cluster jar and, for the GPU jar, libtorch) can run the
# three commands that need DJL's PyTorch engine: train (from torchvision-layout backbone weights), predict and
# finetune-clip, plus label and eval on the way. It runs them in Spark local[2] on the fixture models and
# generated scenes shipped beside it: no network, a few minutes on 2 CPU cores.
#
#   /opt/pseudolabel/selfcheck.sh [OUTPUT_DIR]
#
# The Dockerfiles run it at build time, where `docker build` has no GPU: then everything runs on the CPU
# (with the GPU image, on its CUDA libtorch's CPU kernels). On a GPU node, run the image with the GPU visible
# (e.g. `docker run --gpus all IMAGE /opt/pseudolabel/selfcheck.sh`) and training and prediction run on it.
#
# Environment: SPARK_HOME (or SPARK_SUBMIT, a spark-submit command), PSEUDOLABEL_HOME (default: this script's
# folder, holding pseudolabel-cluster.jar and selfcheck/).
set -euo pipefail
HERE="${PSEUDOLABEL_HOME:-$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)}"
OUT="${1:-/tmp/pseudolabel-selfcheck}"
JAR="$HERE/pseudolabel-cluster.jar"
FIXTURES="$HERE/selfcheck"
SUBMIT="${SPARK_SUBMIT:-$SPARK_HOME/bin/spark-submit}"

run() {
  echo "selfcheck: pseudolabel $1" >&2
  $SUBMIT --master "local[2]" --driver-memory 3g --conf spark.ui.enabled=false \
    --conf "spark.driver.extraJavaOptions=-Dpseudolabel.home=$FIXTURES -Dai.djl.offline=true" \
    --class io.pseudolabel.job.Main "$JAR" "$@"
}

need() {
  if [ ! -s "$1" ]; then
    echo "selfcheck: FAILED, $1 was not written" >&2
    exit 1
  fi
}

rm -rf "$OUT"
mkdir -p "$OUT"
# Scenes, pseudo-labels (CLIP -> Grounding-DINO -> SAM fixtures), a small DeepLabV3+ trained over two
# workers, its prediction of the val split scored; then a CLIP head trained on a confused fixture CLIP.
run demo --output "$OUT/demo" --train 8 --val 4 --clip-head \
  --conf pseudolabel.train.rounds=2 --conf pseudolabel.train.local-steps=2
need "$OUT/demo/segmenter-eval.json"
need "$OUT/demo/clip-head.bin"
# train from torchvision-layout backbone weights (a ResNet-18 parity fixture, base width 8).
run train --labels "$OUT/demo/labels" --output "$OUT/train" --classes "$OUT/demo/voc/classes.txt" \
  --rounds 1 --local-steps 2 --workers 2 --backbone-weights "$FIXTURES/resnet18-w8.safetensors" \
  --conf pseudolabel.train.base-channels=8 | tee "$OUT/train.log"
grep -q "loaded 100 backbone tensors" "$OUT/train.log"
need "$OUT/train/model/model.safetensors"
run predict --model "$OUT/train/model" --images "$OUT/demo/voc" --layout voc --split val \
  --output "$OUT/predict" --png
[ "$(find "$OUT/predict/png" -name '*.png' | wc -l)" -eq 4 ] || { echo "selfcheck: FAILED, predict" >&2; exit 1; }
run finetune-clip --images "$OUT/demo/clip-aux/images" --labels "$OUT/demo/clip-aux/labels.csv" \
  --classes "$OUT/demo/voc/classes.txt" --models "$FIXTURES/model-udfs/fixtures/models" --output "$OUT/head.bin" \
  --conf pseudolabel.clip-head.train.epochs=5
need "$OUT/head.bin"
echo "selfcheck: OK (train, predict, finetune-clip, label, eval) in $OUT"
