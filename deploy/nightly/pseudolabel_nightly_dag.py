"""Airflow DAG: nightly incremental pseudo-labelling, then a COCO export of the published run for trainers.

Needs apache-airflow-providers-apache-spark and a `spark_gpu` connection (host yarn / k8s://... /
spark://...). Credentials for S3 come from the cluster's IAM role, never from the DAG or the connection.

`label` exits non-zero when the night was not published, and SparkSubmitOperator then fails the task, so
`export_coco` does not run on it: exit 3, the failure gate (more images failed than
pseudolabel.job.max-failed-fraction; the run is kept under <output>/runs/<run_id>/ with its _MANIFEST.json,
_LATEST unchanged); exit 5, the quality gate (the mean label quality fell more than
pseudolabel.job.max-quality-drop below the previous run's; kept, not published); exit 4, another run holds the output root's lease (or published first). In cluster mode
spark-submit reports only that the application failed; the driver's log has the counts, the first errors or
the holder's name. The retry comes 30 minutes later: long enough for a transient store outage to pass, and
for a crashed run's lease to expire (pseudolabel.runs.lease-timeout, 10 min). An unchanged night succeeds
and exports the same run again.
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
    max_active_runs=1,  # one DAG run at a time; the output root's lease also refuses a second writer
    default_args={"retries": 1, "retry_delay": timedelta(minutes=30), "email_on_failure": True},
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
            "--config", f"{BUCKET}/conf/coco-nightly.conf",
            "--images", f"{BUCKET}/coco/train2017",
            "--models", f"{BUCKET}/models",
            "--output", f"{BUCKET}/pseudolabels/coco",
            "--incremental",
            # the failure gate: above 5% failed images the run is kept but not published, and this task fails
            "--conf", "pseudolabel.job.max-failed-fraction=0.05",
            # the quality gate: a night whose mean label quality is 0.05 below the last one's is not published
            "--conf", "pseudolabel.job.max-quality-drop=0.05",
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

    # The night in one line (driver log, and the run's _MANIFEST.json "stats"): mean quality against the
    # previous run, images relabelled / added / removed, instances by class.
    label >> export
