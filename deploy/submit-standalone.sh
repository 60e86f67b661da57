#!/usr/bin/env bash
# Spark standalone: label a dataset on GPU workers; models, images and output on S3.
#
# Each worker advertises its GPUs (in $SPARK_HOME/conf/spark-defaults.conf or SPARK_WORKER_OPTS):
#   spark.worker.resource.gpu.amount           <GPUs on the host>
#   spark.worker.resource.gpu.discoveryScript  /opt/pseudolabel/gpu-discovery.sh
# Plain Spark has no S3A: --packages fetches hadoop-aws (and the AWS SDK bundle it depends on) once into
# ~/.ivy2 and ships it to the executors; or copy both jars into $SPARK_HOME/jars on every node.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MASTER=${MASTER:-spark://spark-master:7077}
BUCKET=${BUCKET:-s3a://my-bucket}
JAR=${JAR:-$HERE/../spark-job/target/pseudolabel-cluster.jar}

exec "${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" \
  --master "$MASTER" \
  --deploy-mode client \
  --class io.pseudolabel.job.Main \
  --packages org.apache.hadoop:hadoop-aws:3.4.2 \
  --properties-file "$HERE/gpu.conf" \
  --conf spark.executor.resource.gpu.discoveryScript=/opt/pseudolabel/gpu-discovery.sh \
  --conf spark.cores.max=32 \
  --conf spark.hadoop.fs.s3a.connection.maximum=200 \
  "$JAR" label \
    --images "$BUCKET/coco/train2014" --layout coco --annotations "$BUCKET/coco/annotations/instances_train2014.json" \
    --classes coco --models "$BUCKET/models" --output "$BUCKET/pseudolabels/coco" --incremental \
    --conf pseudolabel.job.prepare-threads=3 "$@"
