#!/usr/bin/env python3
"""The audit of an exported signin-audit dataset on Apache Spark, bucket by bucket.

    spark-submit examples/spark/signin_audit_job.py \
        --binary target/release/signin-audit --dataset /dbfs/case/dataset --out /dbfs/case/audit \
        [--master local[2]] [-- AUDIT FLAGS...]

What runs where (the contract is docs/scale.md):

1. the driver reads the dataset with ``spark.read.parquet`` and checks, as a Spark aggregation,
   that every ``bucket=NN`` holds the rows ``manifest.json`` lists;
2. the executors run the ``signin-audit`` binary (shipped with the job by ``SparkContext.addFile``)
   on one bucket each, three times: ``aggregate --bucket N`` (facts), ``aggregate --bucket N
   --facts F`` (cross-user aggregates), ``audit --bucket N --facts F --aggregates A`` (the bucket's
   users and findings). Each task gets its bucket's parquet bytes from Spark (``binaryFiles``, so
   any Hadoop file system works) and the manifest, and the binary checks the bucket's SHA-256
   against the manifest before reading it. The merged facts and aggregates travel to the
   executors as broadcast variables;
3. the driver merges the parts with ``signin-audit merge`` (which verifies the whole dataset again,
   so ``--dataset`` must also be a path the driver can read: a local path, a shared mount,
   ``/dbfs/...`` on Databricks) into ``OUT/report.json`` and ``OUT/report.jsonl``, the bytes a
   single ``signin-audit audit DATASET`` writes, and exits with audit's status (0, 2 or 3; 1 on
   error).

Nothing here depends on the cluster: the same job runs with ``--master local[2]`` and on
Databricks, Synapse or a Sentinel data lake notebook (give ``--master`` only outside spark-submit).
"""

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

from pyspark import SparkFiles
from pyspark.sql import SparkSession
from pyspark.sql import functions as F

BUCKET_DIR = re.compile(r"bucket=(\d+)/part-0\.parquet$")


def run_binary(name, args):
    """Run the shipped binary; its stdout, or the task fails with its stderr."""
    done = subprocess.run([SparkFiles.get(name)] + args, capture_output=True, check=False)
    if done.returncode != 0:
        raise RuntimeError("signin-audit %s: exit %d: %s" % (" ".join(args[:2]), done.returncode, done.stderr.decode(errors="replace")))
    return done.stdout.decode()


def bucket_task(name, manifest, path, data, step, state, flags):
    """One bucket on an executor: a dataset of its own file and the manifest, then the binary."""
    bucket = int(BUCKET_DIR.search(path).group(1))
    with tempfile.TemporaryDirectory(prefix="signin-audit-") as tmp:
        dataset = os.path.join(tmp, "dataset")
        part_dir = os.path.join(dataset, "bucket=%02d" % bucket)
        os.makedirs(part_dir)
        with open(os.path.join(dataset, "manifest.json"), "w", encoding="utf-8") as f:
            f.write(manifest)
        with open(os.path.join(part_dir, "part-0.parquet"), "wb") as f:
            f.write(data)
        args = list(step) + ["--bucket", str(bucket)]
        for flag, text in state:
            state_file = os.path.join(tmp, flag.strip("-") + ".jsonl")
            with open(state_file, "w", encoding="utf-8") as f:
                f.write(text)
            args += [flag, state_file]
        return run_binary(name, args + list(flags) + [dataset])


def main():
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--binary", required=True, help="the signin-audit executable (Linux, same architecture as the executors)")
    p.add_argument("--dataset", required=True, help="the dataset directory written by signin-audit export")
    p.add_argument("--out", required=True, help="directory for the merged report and the steps' lines")
    p.add_argument("--master", help="Spark master for a run outside spark-submit, e.g. local[2]")
    p.add_argument("flags", nargs="*", help="audit flags after --: --days, --as-of, --include-non-interactive...")
    a = p.parse_args()

    builder = SparkSession.builder.appName("signin-audit")
    if a.master:
        builder = builder.master(a.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    dataset = a.dataset.rstrip("/")
    with open(os.path.join(dataset, "manifest.json"), encoding="utf-8") as f:
        manifest_text = f.read()
    manifest = json.loads(manifest_text)
    listed = {int(BUCKET_DIR.search(f["path"]).group(1)): f["rows"] for f in manifest["files"]}

    # 1. The rows of every bucket, counted by Spark, must be the manifest's.
    counted = {r["bucket"]: r["count"] for r in spark.read.parquet(dataset).groupBy("bucket").count().collect()}
    if counted != listed:
        sys.exit("signin-audit: %s: rows per bucket %s, the manifest lists %s" % (dataset, counted, listed))

    # 2. Three passes on the executors, one task per bucket.
    sc.addFile(os.path.abspath(a.binary))
    name = os.path.basename(a.binary)
    files = sc.binaryFiles(dataset + "/bucket=*/part-0.parquet", minPartitions=len(listed)).cache()
    shared = sc.broadcast(manifest_text)
    flags = list(a.flags)

    def step(cmd, state):
        state_b = sc.broadcast(state)
        lines = files.map(lambda kv: bucket_task(name, shared.value, kv[0], kv[1], cmd, state_b.value, flags)).collect()
        return "".join(lines)

    facts = step(["aggregate"], [])
    # Facts do not depend on the audit flags; aggregates and parts are written with them.
    aggregates = step(["aggregate"], [("--facts", facts)])
    parts = step(["audit"], [("--facts", facts), ("--aggregates", aggregates)])

    # 3. Merge on the driver.
    os.makedirs(a.out, exist_ok=True)
    paths = {}
    for key, text in (("facts", facts), ("aggregates", aggregates), ("parts", parts)):
        paths[key] = os.path.join(a.out, key + ".jsonl")
        with open(paths[key], "w", encoding="utf-8") as f:
            f.write(text)
    status = 0
    for fmt in ("json", "jsonl"):
        merge = [a.binary, "merge", "-o", fmt, "--facts", paths["facts"], "--aggregates", paths["aggregates"], "--part", paths["parts"]]
        with open(os.path.join(a.out, "report." + fmt), "wb") as out:
            done = subprocess.run(merge + flags + [dataset], stdout=out, check=False)
        if done.returncode == 1:
            sys.exit("signin-audit merge failed")
        status = done.returncode
    spark.stop()
    sys.exit(status)


if __name__ == "__main__":
    main()
