#!/bin/sh
# make bench: see tests/bench.py.
exec python3 "$(dirname "$0")/bench.py"
