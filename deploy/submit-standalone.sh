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

# Client mode: the driver is this shell's JVM, so it gets libtorch's environment from here (gpu.conf sets the
# executors'); see ./pseudolabel for why.
export ONEDNN_MAX_CPU_ISA=${ONEDNN_MAX_CPU_ISA:-AVX2} OMP_WAIT_POLICY=${OMP_WAIT_POLICY:-PASSIVE} \
  TORCH_CPP_LOG_LEVEL=${TORCH_CPP_LOG_LEVEL:-ERROR}

exec "${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" \
  --master "$MASTER" \
  --deploy-mode client \
  --class io.pseudolabel.job.Main \
  --packages org.apache.hadoop:hadoop-aws:3.4.2 \
  --properties-file "$HERE/gpu.conf" \
  --files "$HERE/log4j2.properties" \
  --driver-java-options "-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=$HERE/log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=log4j2.properties" \
  --conf spark.executor.resource.gpu.discoveryScript=/opt/pseudolabel/gpu-discovery.sh \
  --conf spark.cores.max=32 \
  --conf spark.hadoop.fs.s3a.connection.maximum=200 \
  --conf spark.pseudolabel.job.prepare-threads=3 \
  "$JAR" label --config "$HERE/../conf/coco-nightly.conf" \
    --images "$BUCKET/coco/train2017" --annotations "$BUCKET/coco/annotations/instances_train2017.json" \
    --models "$BUCKET/models" --output "$BUCKET/pseudolabels/coco" --incremental "$@"
