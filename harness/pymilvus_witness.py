"""pymilvus as an independent witness of what a Milvus server holds.

Reads one JSON request on stdin (never argv, so no password shows in ps) and prints one
JSON line:
  {"action": "setup", "address", "root": [user, pw], "users": {name: pw},
   "roles": {role: [[object, name, privilege], ...]}, "bind": {user: [role, ...]},
   "collection": name}
      creates the collection (with 3 rows), users, roles, grants and bindings (each optional).
  {"action": "snapshot", "address", "root": [user, pw], "logins": {name: pw}}
      what the server holds: users, each user's roles, each role's grants, collections with
      their row counts, and whether each given login works.
  {"action": "session", "address", "user", "password"}
      an open client session: connects once, then reads commands from stdin, one per line:
      "call" runs GetVersion on that same connection and prints {"ok", "error"}; "quit" ends.
Passwords are kept out of every error text.
"""
import json
import sys

from pymilvus import Collection, CollectionSchema, DataType, FieldSchema, Role, connections, utility


def scrub(text, secrets):
    for s in secrets:
        if s:
            text = text.replace(s, "[redacted]")
    return text


def connect(alias, address, user, password):
    host, port = address.rsplit(":", 1)
    connections.connect(alias=alias, host=host, port=port, user=user, password=password, timeout=10)


def setup(req):
    connect("w", req["address"], *req["root"])
    name = req.get("collection")
    if name:
        schema = CollectionSchema(
            [FieldSchema("id", DataType.INT64, is_primary=True), FieldSchema("vec", DataType.FLOAT_VECTOR, dim=4)]
        )
        coll = Collection(name, schema, using="w")
        coll.insert([[1, 2, 3], [[0.1, 0.2, 0.3, 0.4]] * 3])
        coll.flush()
    for user, pw in req.get("users", {}).items():
        utility.create_user(user, pw, using="w")
    for role, grants in req.get("roles", {}).items():
        r = Role(role, using="w")
        r.create()
        for obj, obj_name, privilege in grants:
            r.grant(obj, obj_name, privilege)
    for user, roles in req.get("bind", {}).items():
        for role in roles:
            Role(role, using="w").add_user(user)
    return {"ok": True}


def snapshot(req):
    connect("w", req["address"], *req["root"])
    users = sorted(utility.list_usernames(using="w"))
    user_roles = {}
    for u in users:
        info = utility.list_user(u, True, using="w")
        user_roles[u] = sorted(r for item in info.groups for r in item.roles)
    roles = sorted(g.role_name for g in utility.list_roles(True, using="w").groups)
    grants = {}
    for role in roles:
        if role in ("admin", "public"):
            continue
        grants[role] = sorted(
            f"{e.object}:{e.object_name}:{e.privilege}" for e in Role(role, using="w").list_grants().groups
        )
    collections = {}
    for name in sorted(utility.list_collections(using="w")):
        collections[name] = Collection(name, using="w").num_entities
    logins = {}
    for user, pw in req.get("logins", {}).items():
        try:
            connect("l", req["address"], user, pw)
            utility.get_server_version(using="l")
            logins[user] = True
        except Exception:  # noqa: BLE001 - a refused login is the answer
            logins[user] = False
        finally:
            try:
                connections.disconnect("l")
            except Exception:  # noqa: BLE001
                pass
    return {"users": users, "userRoles": user_roles, "grants": grants, "collections": collections, "logins": logins}


def session(req):
    secrets = [req["password"]]
    connect("s", req["address"], req["user"], req["password"])
    print(json.dumps({"ok": True, "error": None}), flush=True)
    for line in sys.stdin:
        command = line.strip()
        if command == "quit":
            break
        try:
            utility.get_server_version(using="s")
            print(json.dumps({"ok": True, "error": None}), flush=True)
        except Exception as e:  # noqa: BLE001 - the failure is the measurement
            print(json.dumps({"ok": False, "error": scrub(str(e), secrets)}), flush=True)


def main():
    req = json.loads(sys.stdin.readline())
    secrets = [req.get("password")] + list(req.get("root", [None, None])[1:]) + list(req.get("users", {}).values())
    secrets += list(req.get("logins", {}).values())
    try:
        if req["action"] == "session":
            session(req)
            return
        result = setup(req) if req["action"] == "setup" else snapshot(req)
        print(json.dumps(result))
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"error": scrub(str(e), secrets)}))
        sys.exit(1)


if __name__ == "__main__":  # harness/soak/pymilvus_soak.py imports scrub and connect
    main()
