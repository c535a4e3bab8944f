"""The soak's Python stack (scripts/soak.ts, harness/soak/soak.ts), through the dbpasswords plugin.

The same resources and configuration as harness/soak/ts-program: for each resource `key`,
`<key>Trigger` is its rotation trigger and `<key>Password` (secret, optional) a password given in
config, without which the password is generated; every resource has `rotateAfterDays`.
"""
import pulumi
import pulumi_dbpasswords as dbpasswords

cfg = pulumi.Config()
prefix = cfg.require("prefix")
rotate_after_days = cfg.require_int("rotateAfterDays")
endpoint = cfg.require("endpoint")


def milvus():
    return dbpasswords.MilvusConnectionArgs(
        address=cfg.require("milvusAddress"),
        username="root",
        password=cfg.require_secret("milvusRootPassword"),
        timeout_ms=8000,
    )


def cassandra():
    return dbpasswords.CassandraConnectionArgs(
        address=cfg.require("cassandraAddress"),
        username="cassandra",
        password=cfg.require_secret("cassandraPassword"),
        timeout_ms=10000,
    )


def rotation(key):
    return dict(
        password=cfg.get_secret(f"{key}Password"),
        rotation_trigger=cfg.require(f"{key}Trigger"),
        rotate_after_days=rotate_after_days,
    )


dbpasswords.MilvusUserPassword(
    "milvus-a", connection=milvus(), user=f"{prefix}_ma", create_if_missing=True, **rotation("milvusA")
)
dbpasswords.MilvusUserPassword(
    "milvus-b", connection=milvus(), user=f"{prefix}_mb", create_if_missing=True, **rotation("milvusB")
)
dbpasswords.MilvusUserPassword(
    "milvus-pair",
    connection=milvus(),
    user=f"{prefix}_mblue",
    standby_user=f"{prefix}_mgreen",
    create_if_missing=True,
    **rotation("milvusPair"),
)
dbpasswords.CassandraRolePassword(
    "cassandra-a", connection=cassandra(), role=f"{prefix}_ca", create_if_missing=True, **rotation("cassandraA")
)
dbpasswords.CassandraRolePassword(
    "cassandra-b", connection=cassandra(), role=f"{prefix}_cb", create_if_missing=True, **rotation("cassandraB")
)
dbpasswords.CassandraRolePassword(
    "cassandra-pair",
    connection=cassandra(),
    role=f"{prefix}_cblue",
    standby_role=f"{prefix}_cgreen",
    create_if_missing=True,
    **rotation("cassandraPair"),
)


def gemini(name, key):
    address = cfg.require(f"{key}Address")
    proof = (
        dict(cql=dbpasswords.GeminiDbCqlArgs(address=address, timeout_ms=5000))
        if cfg.require(f"{key}Proof") == "cql"
        else dict(redis=dbpasswords.GeminiDbRedisArgs(address=address, tls=False, timeout_ms=5000))
    )
    dbpasswords.GeminiDbAdminPassword(
        name,
        region="eu-west-101",
        project_id=cfg.require("projectId"),
        instance_id=cfg.require(f"{key}Instance"),
        endpoint=endpoint,
        iam_endpoint=endpoint,
        timeout_ms=5000,
        **proof,
        **rotation(key),
    )


gemini("gemini-a", "geminiA")
gemini("gemini-b", "geminiB")
