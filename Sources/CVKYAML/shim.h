// SPDX-License-Identifier: Apache-2.0
// libyaml (Debian's libyaml-dev, pkg-config yaml-0.1): the YAML 1.1 scanner and parser under VKYAML.
#include <yaml.h>
