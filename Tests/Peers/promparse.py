# SPDX-License-Identifier: Apache-2.0
# Parses Prometheus text exposition files with the reference Python client's parser (PyPI
# prometheus-client, text_string_to_metric_families) and prints, per file, each family's type and samples
# as JSON: {"families": {name: {"type": ..., "samples": [[sample name, {labels}, value], ...]}}}.
# A parse error exits 1 with the parser's message: the judge of vkcert's /metrics (SandboxTests).
import json
import sys

from prometheus_client.parser import text_string_to_metric_families

out = []
for path in sys.argv[1:]:
    families = {}
    try:
        for family in text_string_to_metric_families(open(path).read()):
            families[family.name] = {
                "type": family.type,
                "samples": [[s.name, dict(s.labels), s.value] for s in family.samples],
            }
    except Exception as error:  # the parser raises ValueError and friends
        print(f"{path}: {error}", file=sys.stderr)
        sys.exit(1)
    out.append({"families": families})
print(json.dumps(out))
