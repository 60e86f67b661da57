#!/usr/bin/env bash
# Kubernetes (spark-submit straight to the API server; for schedules see k8s/scheduled-label.yaml).
# The image (k8s/Dockerfile) holds Spark, hadoop-aws + AWS SDK, the CUDA 12 / cuDNN 9 libraries ONNX
# Runtime's GPU build needs, pseudolabel-cluster.jar (built with -Pcluster,gpu) and gpu-discovery.sh.
# Executor pods ask the NVIDIA device plugin for nvidia.com/gpu; credentials come from the service
# account (IRSA / pod identity), never from the command line. Upload conf/coco-nightly.conf to
# $BUCKET/conf/ first. The image holds deploy/log4j2.properties at /opt/pseudolabel/.
set -euo pipefail
BUCKET=${BUCKET:-s3a://my-bucket}
IMAGE=${IMAGE:-registry.example.com/pseudolabel:0.1.0-gpu}
K8S=${K8S:-k8s://https://kubernetes.default.svc}

exec "${SPARK_HOME:?set SPARK_HOME}/bin/spark-submit" \
  --master "$K8S" \
  --deploy-mode cluster \
  --name pseudolabel-label \
  --class io.pseudolabel.job.Main \
  --conf spark.kubernetes.namespace=pseudolabel \
  --conf spark.kubernetes.container.image="$IMAGE" \
  --conf spark.kubernetes.authenticate.driver.serviceAccountName=pseudolabel \
  --conf spark.kubernetes.executor.node.selector.nvidia.com/gpu.present=true \
  --properties-file "$(dirname "$0")/gpu.conf" \
  --conf "spark.driver.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/pseudolabel/log4j2.properties" \
  --conf "spark.executor.extraJavaOptions=-Dai.djl.offline=true -Djava.awt.headless=true -Dlog4j2.configurationFile=/opt/pseudolabel/log4j2.properties" \
  --conf spark.executor.resource.gpu.vendor=nvidia.com \
  --conf spark.executor.resource.gpu.discoveryScript=/opt/pseudolabel/gpu-discovery.sh \
  --conf spark.executor.instances=8 \
  --conf spark.hadoop.fs.s3a.aws.credentials.provider=software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider \
  local:///opt/pseudolabel/pseudolabel-cluster.jar label \
    --config "$BUCKET/conf/coco-nightly.conf" \
    --images "$BUCKET/coco/train2017" --models "$BUCKET/models" --output "$BUCKET/pseudolabels/coco" \
    --incremental "$@"
