#!/usr/bin/env bash
# Validation-equal check of the transposed-A product's swapped path (issue 36): this checkout
# ("swapped") against OLD_CHECKOUT ("plain", before the change), from one teacher trained here.
# Usage: benchmarks/transposed-equal/run.sh OLD_CHECKOUT
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
exec "$HERE/../../tools/bench/scripts/equalDistillation.sh" "$HERE" swapped "$1" plain
