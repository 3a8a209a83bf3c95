#!/bin/sh
# make bench: see tests/bench.py.
python3 "$(dirname "$0")/bench.py" &&
    python3 "$(dirname "$0")/bench_daemon.py" &&
    exec python3 "$(dirname "$0")/bench_list.py"
