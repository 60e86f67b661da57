#!/usr/bin/env bash
# YARN (Hadoop 3.1+ with GPU scheduling: yarn.io/gpu in resource-types.xml and GPU isolation on the
# NodeManagers). spark.executor.resource.gpu.amount becomes a yarn.io/gpu request per container; the
# discovery script runs inside the container and reports the GPU YARN gave it; install it on every
# NodeManager at /opt/pseudolabel/gpu-discovery.sh (an EMR bootstrap action), executable, root-owned.
# On EMR hadoop-aws and the AWS SDK are already on the classpath: drop --packages there.
# Settings: upload conf/coco-nightly.conf to $BUCKET/conf/ first; any pseudolabel key can also be given as
# --conf spark.pseudolabel.<key>=<value> here (before the jar) or in spark-defaults.conf.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
BUCKET=${BUCKET:-s3a://my-bucket}
JAR=${JAR:-$HERE/../spark-job/target/pseudolabel-cluster.jar}

exec "${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" \
  --master yarn \
  --deploy-mode cluster \
  --name pseudolabel-label \
  --class io.pseudolabel.job.Main \
  --packages org.apache.hadoop:hadoop-aws:3.4.2 \
  --properties-file "$HERE/gpu.conf" \
  --files "$HERE/log4j2.properties" \
  --conf "spark.driver.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=log4j2.properties" \
  --conf spark.executor.resource.gpu.discoveryScript=/opt/pseudolabel/gpu-discovery.sh \
  --conf spark.executor.instances=8 \
  --conf spark.driver.memory=8g \
  "$JAR" label \
    --config "$BUCKET/conf/coco-nightly.conf" \
    --images "$BUCKET/coco/train2017" --models "$BUCKET/models" --output "$BUCKET/pseudolabels/coco" \
    --incremental "$@"
