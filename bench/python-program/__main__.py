"""The benchmark's Python program: `n` resources of one scenario, rotated by changing `round`.

python-floor: raw resources of the no-op plugin (dbnoop); python-floorshape: no-op resources
with MilvusUserPassword's inputs and outputs (a diagnostic); python-milvus: MilvusUserPassword
through the generated SDK, as a user writes it.
"""
import pulumi

cfg = pulumi.Config()
scenario = cfg.require("scenario")
n = cfg.require_int("n")
round_ = cfg.require("round")
prefix = cfg.require("prefix")

if scenario == "python-floor":
    for i in range(n):
        pulumi.CustomResource("dbnoop:index:Noop", f"r{i}", {"name": f"{prefix}_{i}", "round": round_})
elif scenario == "python-floorshape":
    # MilvusUserPassword's inputs and outputs on a resource that does nothing, as the SDK class
    # declares them (each input, then each output left to the provider)
    root_password = cfg.require_secret("rootPassword")
    outputs = ["active_user", "address", "password_verified", "rotated_at"]
    for i in range(n):
        props = {
            "connection": {"address": cfg.require("milvusAddress"), "username": "root", "password": root_password},
            "createIfMissing": True,
            "currentPassword": None,
            "deleteUserOnDestroy": True,
            "password": None,
            "rotateAfterDays": None,
            "rotationTrigger": round_,
            "standbyUser": None,
            "user": f"{prefix}_{i}",
            **{k: None for k in outputs},
        }
        pulumi.CustomResource("dbnoop:index:Shaped", f"r{i}", props)
elif scenario == "python-milvus":
    import pulumi_dbpasswords as dbpasswords

    root_password = cfg.require_secret("rootPassword")
    for i in range(n):
        dbpasswords.MilvusUserPassword(
            f"r{i}",
            connection=dbpasswords.MilvusConnectionArgs(
                address=cfg.require("milvusAddress"), username="root", password=root_password
            ),
            user=f"{prefix}_{i}",
            create_if_missing=True,
            delete_user_on_destroy=True,
            rotation_trigger=round_,
        )
else:
    raise ValueError(f"unknown scenario {scenario}")
