#!/usr/bin/env bash
# usage: ./hack/quickstart-down.sh
# Stops what ./hack/quickstart.sh started (the same as ./hack/local-down.sh).
exec "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/local-down.sh" "$@"
