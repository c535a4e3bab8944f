"""Two Milvus users take turns, from a Python program through the dbpasswords plugin.

Each rotation sets a new generated password on the user that is not active, gives it exactly
the roles of the active one, and makes it active; the previously active user keeps its
password until the rotation after, so running services keep working while they pick up the
new credentials.
"""
import pulumi
import pulumi_dbpasswords as dbpasswords

cfg = pulumi.Config()

search = dbpasswords.MilvusUserPassword(
    "search",
    connection=dbpasswords.MilvusConnectionArgs(
        address=cfg.require("milvusAddress"),
        username="root",
        password=cfg.require_secret("milvusRootPassword"),
    ),
    user=cfg.get("user") or "search_blue",
    standby_user=cfg.get("standbyUser") or "search_green",
    create_if_missing=True,
    delete_user_on_destroy=cfg.get_bool("deleteUserOnDestroy") or False,
    rotation_trigger=cfg.require("rotation"),
    # optional: rotate on a schedule as well, e.g. 30 (a nightly `pulumi up` rotates when due)
    rotate_after_days=cfg.get_int("rotateAfterDays"),
)

# What services log in with: read both after every rotation (stack outputs, or a
# StackReference from the service's own stack).
pulumi.export("activeUser", search.active_user)
pulumi.export("password", search.password)  # a secret output
pulumi.export("passwordVerified", search.password_verified)
