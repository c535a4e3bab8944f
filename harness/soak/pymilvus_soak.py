"""The soak's Milvus witness (harness/soak/witness.ts): pymilvus, a client independent of the provider's.

Reads one JSON request on stdin (never argv, so no password shows in ps):
  {"address", "root": [user, pw], "logins": [[user, pw], ...], "users": [name, ...]}
and prints one JSON line:
  {"logins": [{"ok": bool, "error": str|null}, ...], "userRoles": {name: [role, ...]},
   "grants": {role: ["object:name:privilege", ...]}}
A login is one connection and one GetVersion call; `error` is set (and `ok` false) when the server
could not be asked, as opposed to refusing the password. Passwords are kept out of every error text.
"""
import json
import os
import sys

from pymilvus import Role, connections, utility

# harness/pymilvus_witness.py, the tests' witness: the same connection and redaction (no
# __pycache__ left in harness/, which is not ignored)
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from pymilvus_witness import connect, scrub  # noqa: E402


def refused(text):
    low = text.lower()
    return "unauthenticated" in low or "auth" in low or "password" in low or "credential" in low


def main():
    req = json.loads(sys.stdin.readline())
    secrets = [req["root"][1]] + [pw for _, pw in req.get("logins", [])]
    try:
        logins = []
        for i, (user, pw) in enumerate(req.get("logins", [])):
            alias = f"l{i}"
            try:
                connect(alias, req["address"], user, pw)
                utility.get_server_version(using=alias)
                logins.append({"ok": True, "error": None})
            except Exception as e:  # noqa: BLE001 - a refused login is an answer
                text = scrub(str(e), secrets)
                logins.append({"ok": False, "error": None if refused(text) else text})
            finally:
                try:
                    connections.disconnect(alias)
                except Exception:  # noqa: BLE001
                    pass
        user_roles = {}
        grants = {}
        if req.get("users"):
            connect("w", req["address"], *req["root"])
            for u in req["users"]:
                info = utility.list_user(u, True, using="w")
                user_roles[u] = sorted(r for item in info.groups for r in item.roles if r)
            for role in sorted(g.role_name for g in utility.list_roles(True, using="w").groups):
                if role in ("admin", "public"):
                    continue
                grants[role] = sorted(
                    f"{e.object}:{e.object_name}:{e.privilege}" for e in Role(role, using="w").list_grants().groups
                )
        print(json.dumps({"logins": logins, "userRoles": user_roles, "grants": grants}))
    except Exception as e:  # noqa: BLE001
        print(json.dumps({"error": scrub(str(e), secrets)}))
        sys.exit(1)


main()
