# SPDX-License-Identifier: Apache-2.0
"""Checks of the emulator with the official Kubernetes Python client (PyPI `kubernetes`, strict models).

Usage: python pyclient_checks.py KUBECONFIG CSR_PEM_FILE
Prints one JSON object: {"check name": {"ok": bool, "detail": str}, ...}. Each check is independent.
"""
import base64
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from pycheck import check, report, status_of  # noqa: F401 (shared harness, beside this script)

config.load_kube_config(config_file=sys.argv[1])
api = client.CertificatesV1Api()
pem = open(sys.argv[2], "rb").read()


def csr(name, labels=None):
    return client.V1CertificateSigningRequest(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        spec=client.V1CertificateSigningRequestSpec(
            request=base64.b64encode(pem).decode(), signer_name="kubernetes.io/kubelet-serving",
            usages=["digital signature", "server auth"]))


for i in range(50):
    api.create_certificate_signing_request(csr(f"page-{i:02d}", {"tier": "a" if i % 2 else "b", "n": str(i)}))


@check("pagination: 50 objects, limit 7, continue tokens, remainingItemCount")
def _():
    seen, token, pages, first_remaining = [], None, 0, None
    while True:
        page = api.list_certificate_signing_request(limit=7, _continue=token) if token else api.list_certificate_signing_request(limit=7)
        pages += 1
        if pages == 1:
            first_remaining = page.metadata.remaining_item_count
        seen += [i.metadata.name for i in page.items]
        token = page.metadata._continue
        if not token:
            break
    names = [n for n in seen if n.startswith("page-")]
    return (names == sorted(set(names)) and len(names) == 50 and pages == 8 and first_remaining == 43,
            f"pages={pages} items={len(names)} first remainingItemCount={first_remaining}")


@check("pagination: a malformed continue token is a 400")
def _():
    try:
        api.list_certificate_signing_request(limit=7, _continue="not-a-token")
        return False, "accepted"
    except ApiException as e:
        return e.status == 400, f"{e.status} {json.loads(e.body).get('message')}"


@check("label selector: equality and set-based")
def _():
    def names(selector):
        return {i.metadata.name for i in api.list_certificate_signing_request(label_selector=selector).items}
    a = names("tier=a")
    both = names("tier in (a,b)")
    not_a = names("tier notin (a)")
    missing = names("!tier")
    has = names("tier")
    n7 = names("n==7,tier!=b")
    ok = len(a) == 25 and len(both) == 50 and not_a == names("tier=b") and not (missing & has) and n7 == {"page-07"}
    return ok, f"a={len(a)} in={len(both)} notin={len(not_a)} !tier∩tier={len(missing & has)} n7={n7}"


@check("label selector: malformed is a 400")
def _():
    try:
        api.list_certificate_signing_request(label_selector="tier in (a")
        return False, "accepted"
    except ApiException as e:
        return e.status == 400, f"{e.status} {json.loads(e.body).get('message')}"


@check("patch: merge of labels on the object")
def _():
    out = api.patch_certificate_signing_request("page-00", {"metadata": {"labels": {"patched": "yes", "n": None}}})
    return out.metadata.labels.get("patched") == "yes" and "n" not in out.metadata.labels, f"{out.metadata.labels}"


@check("patch: JSON patch with a failing test op is a 422, a passing one applies")
def _():
    try:
        api.patch_certificate_signing_request("page-01", [{"op": "test", "path": "/metadata/labels/tier", "value": "zzz"},
                                                          {"op": "add", "path": "/metadata/labels/x", "value": "1"}])
        return False, "accepted"
    except ApiException as e:
        failed = e.status == 422
        detail = f"{e.status} {json.loads(e.body).get('message')}"
    out = api.patch_certificate_signing_request("page-01", [{"op": "test", "path": "/metadata/labels/tier", "value": "a"},
                                                            {"op": "add", "path": "/metadata/labels/x", "value": "1"}])
    return failed and out.metadata.labels.get("x") == "1", detail


@check("patch: /approval with a strategic merge adds the Approved condition")
def _():
    body = {"status": {"conditions": [{"type": "Approved", "status": "True", "reason": "PyClient", "message": "approved by the Python client"}]}}
    out = api.patch_certificate_signing_request_approval("page-02", body)
    types = [c.type for c in out.status.conditions]
    again = api.patch_certificate_signing_request_approval("page-02", {"status": {"conditions": [{"type": "Approved", "status": "True", "reason": "Again", "message": "m"}]}})
    return types[:1] == ["Approved"] and len(again.status.conditions) == len(out.status.conditions) and again.status.conditions[0].reason == "Again", f"{types} then {[c.reason for c in again.status.conditions]}"


@check("delete: a wrong uid precondition is a 409 and keeps the object; the right one deletes")
def _():
    obj = api.read_certificate_signing_request("page-03")
    try:
        api.delete_certificate_signing_request("page-03", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="wrong")))
        return False, "deleted"
    except ApiException as e:
        conflict = e.status == 409 and "Precondition failed: UID in precondition: wrong" in json.loads(e.body).get("message", "")
        detail = json.loads(e.body).get("message")
    still = api.read_certificate_signing_request("page-03").metadata.uid == obj.metadata.uid
    api.delete_certificate_signing_request("page-03", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=obj.metadata.uid)))
    try:
        api.read_certificate_signing_request("page-03")
        gone = False
    except ApiException as e:
        gone = e.status == 404
    return conflict and still and gone, detail


@check("delete: a stale resourceVersion precondition is a 409")
def _():
    obj = api.read_certificate_signing_request("page-04")
    api.patch_certificate_signing_request("page-04", {"metadata": {"labels": {"bump": "1"}}})
    try:
        api.delete_certificate_signing_request("page-04", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(resource_version=obj.metadata.resource_version)))
        return False, "deleted"
    except ApiException as e:
        msg = json.loads(e.body).get("message", "")
        return e.status == 409 and "ResourceVersion in precondition" in msg, msg


@check("watch: a bookmark arrives within a 5 s watch with allowWatchBookmarks, shortly before timeoutSeconds")
def _():
    import time
    from kubernetes import watch
    w = watch.Watch()
    start = time.monotonic()
    kinds, bookmark_at, rv = [], None, None
    for event in w.stream(api.list_certificate_signing_request, allow_watch_bookmarks=True, timeout_seconds=5, label_selector="n=10"):
        kinds.append(event["type"])
        if event["type"] == "BOOKMARK":
            bookmark_at = time.monotonic() - start
            raw = event["raw_object"]
            rv = raw["metadata"]["resourceVersion"]
    elapsed = time.monotonic() - start
    ok = "ADDED" in kinds and bookmark_at is not None and 2.0 <= bookmark_at <= 4.5 and rv and int(rv) > 0 and elapsed <= 7
    return ok, f"events={kinds} bookmark at {bookmark_at and round(bookmark_at, 2)} s rv={rv} watch ended after {round(elapsed, 2)} s"


report()
