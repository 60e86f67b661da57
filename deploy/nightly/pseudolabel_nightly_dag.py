"""Airflow DAG: nightly incremental pseudo-labelling, then a VOC export of the new run for trainers.

Needs apache-airflow-providers-apache-spark and a `spark_gpu` connection (host yarn / k8s://... /
spark://...). Credentials for S3 come from the cluster's IAM role, never from the DAG or the connection.
"""
from datetime import datetime, timedelta

from airflow import DAG
from airflow.providers.apache.spark.operators.spark_submit import SparkSubmitOperator

BUCKET = "s3a://my-bucket"
JAR = "/opt/pseudolabel/pseudolabel-cluster.jar"
GPU_CONF = {
    "spark.executor.cores": "4",
    "spark.task.cpus": "4",
    "spark.executor.resource.gpu.amount": "1",
    "spark.task.resource.gpu.amount": "1",
    "spark.executor.resource.gpu.discoveryScript": "/opt/pseudolabel/gpu-discovery.sh",
    "spark.executor.memory": "8g",
    "spark.executor.memoryOverhead": "6g",
    "spark.executor.extraJavaOptions": "-Dai.djl.offline=true -Djava.awt.headless=true",
    "spark.driver.extraJavaOptions": "-Dai.djl.offline=true -Djava.awt.headless=true",
}

with DAG(
    dag_id="pseudolabel_nightly",
    start_date=datetime(2025, 1, 1),
    schedule="0 2 * * *",
    catchup=False,
    max_active_runs=1,  # two label runs must never share an output at once
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30)},
) as dag:
    label = SparkSubmitOperator(
        task_id="label_incremental",
        conn_id="spark_gpu",
        application=JAR,
        java_class="io.pseudolabel.job.Main",
        packages="org.apache.hadoop:hadoop-aws:3.4.2",  # drop on EMR, where S3A is built in
        conf=GPU_CONF,
        num_executors=8,
        application_args=[
            "label",
            "--config", f"{BUCKET}/conf/coco.conf",
            "--images", f"{BUCKET}/coco/train2014",
            "--models", f"{BUCKET}/models",
            "--output", f"{BUCKET}/pseudolabels/coco",
            "--incremental",
        ],
    )

    export = SparkSubmitOperator(
        task_id="export_coco",
        conn_id="spark_gpu",
        application=JAR,
        java_class="io.pseudolabel.job.Main",
        packages="org.apache.hadoop:hadoop-aws:3.4.2",
        application_args=[
            "export", "coco",
            "--labels", f"{BUCKET}/pseudolabels/coco",  # the run _LATEST names
            "--output", f"{BUCKET}/exports/coco/instances_pseudo_{{{{ ds_nodash }}}}.json",
            "--classes", "coco",
        ],
    )

    label >> export
