# SPDX-License-Identifier: Apache-2.0
"""The check harness shared by the Python-client judges: each @check runs at once, a raised exception is
a failed check (not a crashed run), and report() prints {"name": {"ok": bool, "detail": str}} as JSON."""
import json

from kubernetes.client.rest import ApiException

results = {}


def check(name):
    def wrap(fn):
        try:
            ok, detail = fn()
        except Exception as e:  # a failed check, not a crashed run
            ok, detail = False, f"{type(e).__name__}: {e}"
        results[name] = {"ok": bool(ok), "detail": str(detail)[:700]}
        return fn
    return wrap


def status_of(call):
    """(HTTP status, Status message) of a call expected to fail; (200, None) when it succeeded."""
    try:
        call()
        return 200, None
    except ApiException as e:
        try:
            return e.status, json.loads(e.body).get("message")
        except Exception:
            return e.status, e.body


def report():
    print(json.dumps(results))
