"""Independent check with pymilvus: can this user log in with this password?
Reads {"address", "user", "password"} as JSON on stdin (never argv, so nothing shows in ps);
prints {"ok": bool, "error": str|null} with the password kept out of the error text."""
import json
import sys

from pymilvus import connections, utility

req = json.load(sys.stdin)
host, port = req["address"].rsplit(":", 1)
alias = "check"
try:
    connections.connect(alias=alias, host=host, port=port, user=req["user"], password=req["password"], timeout=10)
    utility.list_usernames(using=alias) if req.get("list") else None
    print(json.dumps({"ok": True, "error": None}))
except Exception as e:  # noqa: BLE001 - any failure to log in is the answer
    text = str(e).replace(req["password"], "[redacted]")
    print(json.dumps({"ok": False, "error": text}))
finally:
    try:
        connections.disconnect(alias)
    except Exception:  # noqa: BLE001
        pass
