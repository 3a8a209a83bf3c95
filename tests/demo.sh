#!/bin/sh
# make demo: see tests/demo.py.
exec python3 "$(dirname "$0")/demo.py"
