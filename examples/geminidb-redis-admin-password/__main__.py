"""The rwuser password of a GeminiDB Redis instance, from a Python program through the dbpasswords plugin.

Each reset goes through Huawei's API (PUT /v3/{project_id}/instances/{instance_id}/password) and
is then proved on the database itself: `AUTH <new password>` and `PING` succeed on a fresh
connection and the old password is refused. `pulumi refresh` logs in with the password in state
and shows `passwordVerified: false` after a reset made elsewhere; the next `pulumi up` repairs it.
"""
import pulumi
import pulumi_dbpasswords as dbpasswords

cfg = pulumi.Config()


def read_file(name):
    with open(name, encoding="utf-8") as f:
        return f.read()


# The CA certificate offered in the instance's console (SSL is on by default on new Redis
# instances). Without it, the system's trusted CAs are used.
ca_file = cfg.get("redisCaCertificateFile")

# Credentials come from the environment (HW_ACCESS_KEY / HW_SECRET_KEY, or HW_AUTH_TOKEN, or
# HW_USER_NAME / HW_PASSWORD / HW_DOMAIN_NAME) and never enter state.
cache = dbpasswords.GeminiDbAdminPassword(
    "cache-db",
    region=cfg.get("region") or "eu-west-101",
    project_id=cfg.get("projectId"),  # looked up by region name when omitted
    instance_id=cfg.require("instanceId"),
    # what this program expects: preview checks the password rule and the proof block against
    # it, and up fails before any reset when the instance is not a Redis instance
    engine="redis",
    # a password from secret config; without one, a generated password, new on each rotation
    password=cfg.get_secret("rwuserPassword"),
    # change it to rotate (`pulumi config set rotation 2026-12`)
    rotation_trigger=cfg.get("rotation"),
    # only for a private endpoint or a local emulator
    endpoint=cfg.get("endpoint"),
    iam_endpoint=cfg.get("iamEndpoint"),
    # where the pipeline reaches the instance: every reset is proved by a Redis login as rwuser
    redis=dbpasswords.GeminiDbRedisArgs(
        address=cfg.require("redisAddress"),  # host:port, 6379 when no port is given
        tls=cfg.get_bool("redisTls"),  # default true, as on new instances
        ca_certificate=read_file(ca_file) if ca_file else None,
    ),
)

pulumi.export("instanceId", cache.instance_id)
pulumi.export("engine", cache.engine)
pulumi.export("passwordVerified", cache.password_verified)
pulumi.export("rotatedAt", cache.rotated_at)
# what applications log in with (a secret output): `pulumi stack output password --show-secrets`
pulumi.export("password", cache.password)
