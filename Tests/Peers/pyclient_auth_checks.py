# SPDX-License-Identifier: Apache-2.0
"""Identity and authorization checks of the emulator with the official Kubernetes Python client.

Usage: python pyclient_auth_checks.py CONFIG_JSON
CONFIG_JSON names kubeconfig files {"admin", "node", "sa", "approver", "anonymous", "badtoken", "bootstrap",
"expired_bootstrap", "wrong_bootstrap"}, the node name, the bootstrap token id, a PEM CSR file for that node
("csr") and one for another signer ("other_csr").
Prints one JSON object: {"check name": {"ok": bool, "detail": str}, ...}. Each check is independent.
"""
import base64
import json
import sys

from kubernetes import client, config
from kubernetes.client.rest import ApiException

from pycheck import check, report, status_of  # noqa: F401 (shared harness, beside this script)

cfg = json.load(open(sys.argv[1]))


def api_for(name):
    return client.ApiClient(configuration=_configuration(name))


def _configuration(name):
    c = client.Configuration()
    config.load_kube_config(config_file=cfg[name], client_configuration=c)
    return c


def certs(name):
    return client.CertificatesV1Api(api_for(name))


def authz(name):
    return client.AuthorizationV1Api(api_for(name))


def csr(name, pem_file, signer="kubernetes.io/kubelet-serving"):
    return client.V1CertificateSigningRequest(
        metadata=client.V1ObjectMeta(name=name),
        spec=client.V1CertificateSigningRequestSpec(
            request=base64.b64encode(open(pem_file, "rb").read()).decode(), signer_name=signer,
            usages=["digital signature", "server auth"]))


node = cfg["node_name"]
ssar_create = client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
    resource_attributes=client.V1ResourceAttributes(verb="create", group="certificates.k8s.io", resource="certificatesigningrequests")))


@check("client certificate: CSR created by the node records system:node:<name> in system:nodes")
def _():
    made = certs("node").create_certificate_signing_request(csr("by-node", cfg["csr"]))
    return (made.spec.username == f"system:node:{node}" and "system:nodes" in made.spec.groups
            and "system:authenticated" in made.spec.groups), f"{made.spec.username} {made.spec.groups}"


@check("node authorizer: a node may get, list and watch CSRs")
def _():
    api = certs("node")
    got = api.read_certificate_signing_request("by-node")
    listed = api.list_certificate_signing_request()
    return got.metadata.name == "by-node" and len(listed.items) >= 1, f"{len(listed.items)} listed"


@check("node authorizer: a node may not delete a CSR (exact 403)")
def _():
    code, message = status_of(lambda: certs("node").delete_certificate_signing_request("by-node"))
    want = (f'certificatesigningrequests.certificates.k8s.io "by-node" is forbidden: User "system:node:{node}" '
            'cannot delete resource "certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope')
    return code == 403 and message == want, f"{code} {message}"


@check("node authorizer: a node may not approve (update certificatesigningrequests/approval)")
def _():
    api = certs("node")
    obj = api.read_certificate_signing_request("by-node")
    obj.status.conditions = [client.V1CertificateSigningRequestCondition(type="Approved", status="True", reason="Self", message="self")]
    code, message = status_of(lambda: api.replace_certificate_signing_request_approval("by-node", obj))
    want = (f'certificatesigningrequests.certificates.k8s.io "by-node" is forbidden: User "system:node:{node}" '
            'cannot update resource "certificatesigningrequests/approval" in API group "certificates.k8s.io" at the cluster scope')
    return code == 403 and message == want, f"{code} {message}"


@check("SelfSubjectAccessReview: node create allowed, delete not")
def _():
    api = authz("node")
    create = api.create_self_subject_access_review(ssar_create)
    delete = api.create_self_subject_access_review(client.V1SelfSubjectAccessReview(spec=client.V1SelfSubjectAccessReviewSpec(
        resource_attributes=client.V1ResourceAttributes(verb="delete", group="certificates.k8s.io", resource="certificatesigningrequests"))))
    return create.status.allowed and not delete.status.allowed, f"create={create.status.allowed} delete={delete.status.allowed}"


@check("ServiceAccount token: deploy/rbac.yaml lets the vkcert account create, get, list, delete")
def _():
    api = certs("sa")
    made = api.create_certificate_signing_request(csr("by-sa", cfg["csr"]))
    api.read_certificate_signing_request("by-sa")
    api.list_certificate_signing_request(label_selector="x=y")
    api.delete_certificate_signing_request("by-sa")
    return made.spec.username == "system:serviceaccount:interlink:vkcert" and "system:serviceaccounts:interlink" in made.spec.groups, \
        f"{made.spec.username} {made.spec.groups}"


@check("ServiceAccount token: no approval rule in deploy/rbac.yaml for the vkcert account")
def _():
    api = certs("sa")
    certs("admin").create_certificate_signing_request(csr("sa-approve", cfg["csr"]))
    obj = api.read_certificate_signing_request("sa-approve")
    obj.status.conditions = [client.V1CertificateSigningRequestCondition(type="Approved", status="True", reason="X", message="x")]
    code, message = status_of(lambda: api.replace_certificate_signing_request_approval("sa-approve", obj))
    return code == 403 and 'User "system:serviceaccount:interlink:vkcert" cannot update resource "certificatesigningrequests/approval"' in (message or ""), f"{code} {message}"


@check("approver group: vkcert-approvers approves a kubelet-serving CSR")
def _():
    api = certs("approver")
    obj = api.read_certificate_signing_request("sa-approve")
    obj.status.conditions = [client.V1CertificateSigningRequestCondition(type="Approved", status="True", reason="OnCall", message="ok")]
    done = api.replace_certificate_signing_request_approval("sa-approve", obj)
    return any(c.type == "Approved" for c in done.status.conditions), str([c.type for c in done.status.conditions])


@check("approval admission: approve on the signer is required (exact 403)")
def _():
    certs("admin").create_certificate_signing_request(csr("other-signer", cfg["other_csr"], signer="example.com/other"))
    api = certs("approver")
    obj = api.read_certificate_signing_request("other-signer")
    obj.status.conditions = [client.V1CertificateSigningRequestCondition(type="Approved", status="True", reason="OnCall", message="ok")]
    code, message = status_of(lambda: api.replace_certificate_signing_request_approval("other-signer", obj))
    want = 'certificatesigningrequests.certificates.k8s.io "other-signer" is forbidden: user not permitted to approve requests with signerName "example.com/other"'
    return code == 403 and message == want, f"{code} {message}"


@check("anonymous: a request without credentials is system:anonymous and forbidden (exact 403)")
def _():
    code, message = status_of(lambda: certs("anonymous").list_certificate_signing_request())
    want = ('certificatesigningrequests.certificates.k8s.io is forbidden: User "system:anonymous" cannot list resource '
            '"certificatesigningrequests" in API group "certificates.k8s.io" at the cluster scope')
    return code == 403 and message == want, f"{code} {message}"


@check("bad token: 401, no fallback to anonymous")
def _():
    code, message = status_of(lambda: certs("badtoken").list_certificate_signing_request())
    return code == 401, f"{code} {message}"


@check("SubjectAccessReview: admin asks about the vkcert account and the approver group")
def _():
    api = authz("admin")
    def sar(user, groups, verb, resource, name=None):
        spec = client.V1SubjectAccessReviewSpec(user=user, groups=groups, resource_attributes=client.V1ResourceAttributes(
            verb=verb, group="certificates.k8s.io", resource=resource, name=name))
        return api.create_subject_access_review(client.V1SubjectAccessReview(spec=spec)).status.allowed
    sa = "system:serviceaccount:interlink:vkcert"
    answers = {
        "sa watch": sar(sa, ["system:serviceaccounts"], "watch", "certificatesigningrequests"),
        "sa approve": sar(sa, ["system:serviceaccounts"], "update", "certificatesigningrequests/approval"),
        "approver signer": sar("alice", ["vkcert-approvers"], "approve", "signers", "kubernetes.io/kubelet-serving"),
        "approver other signer": sar("alice", ["vkcert-approvers"], "approve", "signers", "example.com/other"),
    }
    want = {"sa watch": True, "sa approve": False, "approver signer": True, "approver other signer": False}
    return answers == want, str(answers)


@check("SubjectAccessReview: user or group is required (422)")
def _():
    spec = client.V1SubjectAccessReviewSpec(resource_attributes=client.V1ResourceAttributes(verb="get", resource="pods"))
    code, message = status_of(lambda: authz("admin").create_subject_access_review(client.V1SubjectAccessReview(spec=spec)))
    return code == 422 and "spec.user" in (message or ""), f"{code} {message}"


@check("SubjectAccessReview: a node may review others (bootstrappolicy NodeRules: the kubelet authorizes its API so), a ServiceAccount without system:auth-delegator may not (403)")
def _():
    spec = client.V1SubjectAccessReviewSpec(user="x", resource_attributes=client.V1ResourceAttributes(verb="get", resource="pods"))
    review = authz("node").create_subject_access_review(client.V1SubjectAccessReview(spec=spec))
    code, message = status_of(lambda: authz("sa").create_subject_access_review(client.V1SubjectAccessReview(spec=spec)))
    return (review.status.allowed is False and code == 403
            and 'cannot create resource "subjectaccessreviews" in API group "authorization.k8s.io"' in (message or "")), f"node: {review.status}; sa: {code} {message}"


# ---- Secrets and Namespaces (core/v1), bootstrap tokens ----
core = client.CoreV1Api(api_for("admin"))


@check("secrets: stringData is merged into data, type defaults to Opaque")
def _():
    made = core.create_namespaced_secret("default", client.V1Secret(metadata=client.V1ObjectMeta(name="s1", labels={"app": "vk"}),
                                                                   string_data={"user": "vk"}))
    got = core.read_namespaced_secret("s1", "default")
    return (got.type == "Opaque" and base64.b64decode(got.data["user"]) == b"vk" and got.string_data is None
            and got.metadata.namespace == "default" and made.metadata.resource_version), f"{got.type} {got.data} {got.string_data}"


@check("secrets: list pages (limit, continue) in one namespace and across namespaces, as for CSRs")
def _():
    # "pages" lists before "pages-a", though the key "pages-a/p0" sorts before "pages/p1" as a string.
    for ns in ("pages", "pages-a"):
        core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name=ns)))
        for i in range(6):
            core.create_namespaced_secret(ns, client.V1Secret(metadata=client.V1ObjectMeta(name=f"p{i}"), string_data={"i": str(i)}))
    first = core.list_namespaced_secret("pages-a", limit=4)
    second = core.list_namespaced_secret("pages-a", limit=4, _continue=first.metadata._continue)
    one_ns = [s.metadata.name for s in first.items + second.items]
    whole = [(s.metadata.namespace, s.metadata.name) for s in core.list_secret_for_all_namespaces().items]
    walks = {}
    for limit in (1, 2, 3, 4, 5):
        walked, token, pages = [], None, 0
        while True:
            page = core.list_secret_for_all_namespaces(limit=limit, _continue=token)
            walked += [(s.metadata.namespace, s.metadata.name) for s in page.items]
            pages += 1
            token = page.metadata._continue
            if not token:
                break
        walks[limit] = (walked == whole, pages == (len(whole) + limit - 1) // limit)
    ok = (one_ns == [f"p{i}" for i in range(6)] and first.metadata.remaining_item_count == 2 and second.metadata._continue is None
          and len(whole) >= 12 and all(a and b for a, b in walks.values()))
    return ok, f"{one_ns} remaining={first.metadata.remaining_item_count} whole={len(whole)} walks (equal, page count) by limit={walks}"


@check("secrets: kubernetes.io/tls needs tls.crt and tls.key (exact 422)")
def _():
    body = client.V1Secret(metadata=client.V1ObjectMeta(name="bad-tls"), type="kubernetes.io/tls",
                           data={"tls.crt": base64.b64encode(b"x").decode()})
    code, message = status_of(lambda: core.create_namespaced_secret("default", body))
    return code == 422 and message == 'Secret "bad-tls" is invalid: data[tls.key]: Required value', f"{code} {message}"


@check("secrets: a stale resourceVersion is the 409 conflict (exact)")
def _():
    current = core.read_namespaced_secret("s1", "default")
    stale = current.metadata.resource_version
    current.data["more"] = base64.b64encode(b"1").decode()
    core.replace_namespaced_secret("s1", "default", current)
    current.metadata.resource_version = stale
    code, message = status_of(lambda: core.replace_namespaced_secret("s1", "default", current))
    want = 'Operation cannot be fulfilled on secrets "s1": the object has been modified; please apply your changes to the latest version and try again'
    return code == 409 and message == want, f"{code} {message}"


@check("secrets: merge and JSON patches")
def _():
    core.patch_namespaced_secret("s1", "default", {"metadata": {"labels": {"tier": "x"}}})
    got = core.read_namespaced_secret("s1", "default")
    return got.metadata.labels == {"app": "vk", "tier": "x"}, str(got.metadata.labels)


@check("secrets: type is immutable (exact 422)")
def _():
    current = core.read_namespaced_secret("s1", "default")
    current.type = "example.com/other"
    code, message = status_of(lambda: core.replace_namespaced_secret("s1", "default", current))
    return code == 422 and message == 'Secret "s1" is invalid: type: Invalid value: "example.com/other": field is immutable', f"{code} {message}"


@check("secrets: a data key must be a config key (422)")
def _():
    body = client.V1Secret(metadata=client.V1ObjectMeta(name="bad-key"), data={"no spaces": base64.b64encode(b"x").decode()})
    code, message = status_of(lambda: core.create_namespaced_secret("default", body))
    return code == 422 and message.startswith('Secret "bad-key" is invalid: data[no spaces]: Invalid value: "no spaces": a valid config key'), f"{code} {message}"


@check("secrets: a namespace that does not exist is a 404; a created one works")
def _():
    body = client.V1Secret(metadata=client.V1ObjectMeta(name="s"), string_data={"a": "b"})
    code, message = status_of(lambda: core.create_namespaced_secret("nope", body))
    core.create_namespace(client.V1Namespace(metadata=client.V1ObjectMeta(name="interlink")))
    core.create_namespaced_secret("interlink", body)
    everywhere = {(i.metadata.namespace, i.metadata.name) for i in core.list_secret_for_all_namespaces().items}
    return (code == 404 and message == 'namespaces "nope" not found' and ("interlink", "s") in everywhere
            and ("default", "s1") in everywhere), f"{code} {message} {sorted(everywhere)[:6]}"


@check("secrets: label selector and delete preconditions (exact 409)")
def _():
    selected = [i.metadata.name for i in core.list_namespaced_secret("default", label_selector="app=vk").items]
    body = client.V1DeleteOptions(preconditions=client.V1Preconditions(uid="not-the-uid"))
    code, message = status_of(lambda: core.delete_namespaced_secret("s1", "default", body=body))
    uid = core.read_namespaced_secret("s1", "default").metadata.uid
    want = (f'Operation cannot be fulfilled on secrets "s1": StorageError: invalid object, Code: 4, Key: /registry/secrets/default/s1, '
            f'ResourceVersion: 0, AdditionalErrorMsg: Precondition failed: UID in precondition: not-the-uid, UID in object meta: {uid}')
    core.delete_namespaced_secret("s1", "default", body=client.V1DeleteOptions(preconditions=client.V1Preconditions(uid=uid)))
    code2, _ = status_of(lambda: core.read_namespaced_secret("s1", "default"))
    return selected == ["s1"] and code == 409 and message == want and code2 == 404, f"{selected} {code} {message} then {code2}"


@check("node authorizer: a node may not list secrets, nor get one no pod of it references")
def _():
    node_core = client.CoreV1Api(api_for("node"))
    code, message = status_of(lambda: node_core.list_namespaced_secret("kube-system"))
    code2, message2 = status_of(lambda: node_core.read_namespaced_secret("s", "interlink"))
    want = (f'secrets is forbidden: User "system:node:{node}" cannot list resource "secrets" in API group "" in the namespace '
            '"kube-system": can only get individual resources of this type')
    want2 = (f'secrets "s" is forbidden: User "system:node:{node}" cannot get resource "secrets" in API group "" in the namespace '
             f'"interlink": no relationship found between node \'{node}\' and this object')
    return code == 403 and message == want and code2 == 403 and message2 == want2, f"{code} {message} | {code2} {message2}"


@check("bootstrap token: authenticates as system:bootstrap:<id> in system:bootstrappers and its extra group")
def _():
    made = certs("bootstrap").create_certificate_signing_request(csr("by-bootstrap", cfg["csr"]))
    want_groups = ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"]
    return (made.spec.username == f"system:bootstrap:{cfg['bootstrap_id']}" and made.spec.groups == want_groups), \
        f"{made.spec.username} {made.spec.groups}"


@check("bootstrap token: an expired one or a wrong secret is a 401")
def _():
    code, _ = status_of(lambda: certs("expired_bootstrap").list_certificate_signing_request())
    code2, _ = status_of(lambda: certs("wrong_bootstrap").list_certificate_signing_request())
    return code == 401 and code2 == 401, f"expired {code}, wrong secret {code2}"


# ---- managedFields and server-side apply (CSRs) ----
admin_certs = certs("admin")
APPLY = "application/apply-patch+yaml"


def managers(name):
    obj = admin_certs.read_certificate_signing_request(name)
    return {(m.manager, m.operation, m.subresource): m.fields_v1 for m in (obj.metadata.managed_fields or [])}


def apply_config(name, labels=None, conditions=None):
    body = {"apiVersion": "certificates.k8s.io/v1", "kind": "CertificateSigningRequest", "metadata": {"name": name}}
    if labels is not None:
        body["metadata"]["labels"] = labels
    if conditions is not None:
        body["status"] = {"conditions": conditions}
    return body


@check("managedFields: create records the fieldManager's Update with the fields it set")
def _():
    body = csr("ssa-1", cfg["csr"])
    body.metadata.labels = {"team": "vk"}
    admin_certs.create_certificate_signing_request(body, field_manager="creator")
    m = managers("ssa-1")
    fields = m.get(("creator", "Update", None)) or {}
    ok = (list(m) == [("creator", "Update", None)] and "f:signerName" in fields.get("f:spec", {})
          and "f:team" in fields.get("f:metadata", {}).get("f:labels", {}) and "f:username" not in fields.get("f:spec", {}))
    return ok, str(m)[:500]


@check("managedFields: without fieldManager the manager is the User-Agent's product")
def _():
    admin_certs.create_certificate_signing_request(csr("ssa-ua", cfg["csr"]))
    m = managers("ssa-ua")
    return list(m) == [("OpenAPI-Generator", "Update", None)], str(list(m))


@check("server-side apply: a field another manager owns is a 409 conflict (exact message)")
def _():
    obj = admin_certs.read_certificate_signing_request("ssa-1")
    when = [e.time for e in obj.metadata.managed_fields if e.manager == "creator"][0].strftime("%Y-%m-%dT%H:%M:%SZ")
    code, message = status_of(lambda: admin_certs.patch_certificate_signing_request(
        "ssa-1", apply_config("ssa-1", labels={"team": "other"}), field_manager="labeller", _content_type=APPLY))
    want = f'Apply failed with 1 conflict: conflict with "creator" using certificates.k8s.io/v1 at {when}: .metadata.labels.team'
    return code == 409 and message == want, f"{code} {message}"


@check("server-side apply: force takes the field over")
def _():
    admin_certs.patch_certificate_signing_request("ssa-1", apply_config("ssa-1", labels={"team": "other"}),
                                                  field_manager="labeller", force=True, _content_type=APPLY)
    obj = admin_certs.read_certificate_signing_request("ssa-1")
    m = managers("ssa-1")
    creator = m.get(("creator", "Update", None)) or {}
    applied = m.get(("labeller", "Apply", None)) or {}
    return (obj.metadata.labels == {"team": "other"} and "f:team" in applied.get("f:metadata", {}).get("f:labels", {})
            and "f:labels" not in creator.get("f:metadata", {})), str(m)[:500]


@check("server-side apply: a field the manager stops applying is removed")
def _():
    admin_certs.patch_certificate_signing_request("ssa-1", apply_config("ssa-1", labels={"tier": "1"}),
                                                  field_manager="labeller", _content_type=APPLY)
    obj = admin_certs.read_certificate_signing_request("ssa-1")
    return obj.metadata.labels == {"tier": "1"}, str(obj.metadata.labels)


@check("server-side apply: fieldManager is required (exact 422), force only for apply (exact 422)")
def _():
    code, message = status_of(lambda: admin_certs.patch_certificate_signing_request(
        "ssa-1", apply_config("ssa-1", labels={"x": "y"}), _content_type=APPLY))
    code2, message2 = status_of(lambda: admin_certs.patch_certificate_signing_request("ssa-1", {"metadata": {"labels": {"x": "y"}}}, force=True))
    return (code == 422 and message == 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch'
            and code2 == 422 and message2 == 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch'), \
        f"{code} {message} | {code2} {message2}"


@check("server-side apply on /approval: an Approved condition owned by the approver, by key")
def _():
    cond = {"type": "Approved", "status": "True", "reason": "SSA", "message": "applied"}
    admin_certs.patch_certificate_signing_request_approval("ssa-ua", apply_config("ssa-ua", conditions=[cond]),
                                                           field_manager="approver", _content_type=APPLY)
    obj = admin_certs.read_certificate_signing_request("ssa-ua")
    m = managers("ssa-ua")
    entry = m.get(("approver", "Apply", "approval")) or {}
    element = entry.get("f:status", {}).get("f:conditions", {}).get('k:{"type":"Approved"}', {})
    return (any(c.type == "Approved" for c in obj.status.conditions) and "." in element and "f:reason" in element), str(m)[:600]


@check("server-side apply creates an absent object")
def _():
    body = apply_config("ssa-new", labels={"made": "by-apply"})
    body["spec"] = {"request": base64.b64encode(open(cfg["csr"], "rb").read()).decode(), "signerName": "kubernetes.io/kubelet-serving",
                    "usages": ["digital signature", "server auth"]}
    admin_certs.patch_certificate_signing_request("ssa-new", body, field_manager="applier", _content_type=APPLY)
    m = managers("ssa-new")
    return list(m) == [("applier", "Apply", None)] and "f:request" in m[("applier", "Apply", None)].get("f:spec", {}), str(m)[:400]


@check("delete: propagationPolicy accepted (no dependents: deleted at once); an unknown one is a 422 (exact)")
def _():
    admin_certs.create_certificate_signing_request(csr("prop-1", cfg["csr"]))
    admin_certs.create_certificate_signing_request(csr("prop-2", cfg["csr"]))
    admin_certs.delete_certificate_signing_request("prop-1", body=client.V1DeleteOptions(propagation_policy="Foreground"))
    code, message = status_of(lambda: admin_certs.delete_certificate_signing_request("prop-2", propagation_policy="Sideways"))
    gone, _ = status_of(lambda: admin_certs.read_certificate_signing_request("prop-1"))
    want = 'DeleteOptions.meta.k8s.io "" is invalid: propagationPolicy: Unsupported value: "Sideways": supported values: "Foreground", "Background", "Orphan", "nil"'
    return gone == 404 and code == 422 and message == want, f"{gone} {code} {message}"



@check("server-side apply on /status: a Failed condition owned by the signer's manager; Approved may not be added there")
def _():
    failed = {"type": "Failed", "status": "True", "reason": "SignerValidationFailure", "message": "applied by a signer"}
    admin_certs.patch_certificate_signing_request_status("ssa-1", apply_config("ssa-1", conditions=[failed]),
                                                         field_manager="signer", _content_type=APPLY)
    m = managers("ssa-1")
    entry = m.get(("signer", "Apply", "status")) or {}
    approved = {"type": "Approved", "status": "True", "reason": "X", "message": "x"}
    code, message = status_of(lambda: admin_certs.patch_certificate_signing_request_status(
        "ssa-1", apply_config("ssa-1", conditions=[failed, approved]), field_manager="signer", _content_type=APPLY))
    return ('k:{"type":"Failed"}' in entry.get("f:status", {}).get("f:conditions", {}) and code == 422
            and 'Forbidden: updates may not add a condition of type "Approved"' in (message or "")), f"{str(m)[:300]} | {code} {message}"



@check("secrets: watch from a resourceVersion sees ADDED, MODIFIED and DELETED; a bookmark carries the current version")
def _():
    from kubernetes import watch
    start = core.list_namespaced_secret("interlink").metadata.resource_version
    core.create_namespaced_secret("interlink", client.V1Secret(metadata=client.V1ObjectMeta(name="w1"), string_data={"a": "1"}))
    core.patch_namespaced_secret("w1", "interlink", {"metadata": {"labels": {"seen": "yes"}}})
    core.delete_namespaced_secret("w1", "interlink")
    events = []
    for event in watch.Watch().stream(core.list_namespaced_secret, "interlink", resource_version=start, timeout_seconds=4,
                                      allow_watch_bookmarks=True):
        obj = event["object"]  # the client leaves a BOOKMARK's object as a dict
        events.append((event["type"], obj["metadata"].get("name") if isinstance(obj, dict) else obj.metadata.name))
    kinds = [t for t, _ in events]
    return kinds[:3] == ["ADDED", "MODIFIED", "DELETED"] and all(n == "w1" for t, n in events[:3]) and "BOOKMARK" in kinds, str(events)



@check("secrets: managedFields for create and patch (data keys, type, labels), by fieldManager")
def _():
    core.create_namespaced_secret("interlink", client.V1Secret(metadata=client.V1ObjectMeta(name="mf"), type="kubernetes.io/tls",
                                  string_data={"tls.crt": "c", "tls.key": "k"}), field_manager="installer")
    core.patch_namespaced_secret("mf", "interlink", {"metadata": {"labels": {"owner": "ops"}}}, field_manager="labeller")
    got = core.read_namespaced_secret("mf", "interlink")
    m = {(e.manager, e.operation): e.fields_v1 for e in got.metadata.managed_fields or []}
    installer = m.get(("installer", "Update"), {})
    labeller = m.get(("labeller", "Update"), {})
    return ("f:tls.crt" in installer.get("f:data", {}) and "f:type" in installer and "f:stringData" not in installer
            and "f:owner" in labeller.get("f:metadata", {}).get("f:labels", {})), str(m)


report()
