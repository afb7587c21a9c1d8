#!/usr/bin/env bash
# Measure signin-audit's ingest side by side with DuckDB, in one run, on the same generated data,
# and print a markdown table (docs/perf.md, "Side by side with DuckDB").
#
#   benches/compare_duckdb.sh                  # 1,000,000 sign-ins (~2.4 GB per JSON layout)
#   SIGNINS=100000 RUNS=1 benches/compare_duckdb.sh   # a quick run
#
# Environment: SIGNINS (default 1000000), RUNS (best of, default 3), THREADS (default 2),
# DATA (default bench-data/cmp-$SIGNINS), VENV (default bench-data/duckdb-venv), KEEP=0 to delete
# the generated data afterwards. Everything generated goes under bench-data/ (git-ignored).
#
# Rows: (a) 1,000 Graph beta page files, (b) the same records one per line, (c) the portal CSV of the
# same sign-ins, (d) the same records as one JSON array (not line-delimited), and `audit
# --include-non-interactive` from the pages vs from their exported Parquet dataset. Each cell is the
# best wall time of RUNS runs, with the CPU time (user + sys) of that run and the peak RSS over all
# runs. signin-audit is timed as a whole process (`/usr/bin/time`, SHA-256 of every input
# included); DuckDB inside Python (`duckdb.connect()` done and the module imported before the clock
# starts, CPU from getrusage), which favours DuckDB by its start-up. The machine may be shared: read
# the ratios and the CPU times, not the wall times alone.
set -euo pipefail

SIGNINS=${SIGNINS:-1000000}
RUNS=${RUNS:-3}
THREADS=${THREADS:-2}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
DATA=${DATA:-bench-data/cmp-$SIGNINS}
VENV=${VENV:-bench-data/duckdb-venv}
KEEP=${KEEP:-1}
# BIN and EX: measure binaries built elsewhere (an earlier commit copied aside); then nothing is built.
BIN=${BIN:-}
EX=${EX:-target/release/examples}

say() { echo "compare_duckdb: $*" >&2; }

# --- build (the generator may live behind a cargo feature: try without, then with it) -----------
build() { cargo build --release --bin signin-audit --example generate --example reshape "$@" >&2; }
BUILT="signin-audit built elsewhere ($BIN)"
if [ -z "$BIN" ]; then
    BIN=target/release/signin-audit
    BUILT="signin-audit at $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo ' with uncommitted changes')"
    if ! build 2>/dev/null || [ ! -x "$EX/generate" ]; then
        features=$(sed -n '/^\[features\]/,/^\[/p' Cargo.toml | grep -oE '^[a-z_-]+' | grep -E 'gen|bench|test' | tr '\n' ',' || true)
        build --features "${features%,}"
    fi
fi

# --- data -----------------------------------------------------------------------------------------
mkdir -p "$DATA"
PAGES=$DATA/pages CSV=$DATA/portal RECORDS=$DATA/records.jsonl ARRAY=$DATA/array.json DATASET=$DATA/dataset
if [ ! -f "$DATA/.done" ]; then
    say "generating $SIGNINS sign-ins into $DATA"
    rm -rf "$PAGES" "$CSV" "$DATASET"
    "$EX/generate" --sign-ins "$SIGNINS" --out "$PAGES" --csv "$CSV" >&2
    "$EX/generate" --sign-ins "$SIGNINS" --layout lines --out "$DATA/pages-lines.json" >&2
    "$EX/reshape" "$DATA/pages-lines.json" --records-lines "$RECORDS" --array "$ARRAY" >&2
    rm -f "$DATA/pages-lines.json"
    "$BIN" export --out "$DATASET" --threads "$THREADS" "$PAGES" >&2
    touch "$DATA/.done"
fi
bytes() { find "$@" -type f -printf '%s\n' | awk '{ s += $1 } END { printf "%.0f\n", s }'; }

# --- DuckDB in a throwaway venv -------------------------------------------------------------------
if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import duckdb' 2>/dev/null; then
    say "installing duckdb into $VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install --quiet duckdb >&2
fi
DUCKDB_VERSION=$("$VENV/bin/python" -c 'import duckdb; print(duckdb.__version__)')

# One DuckDB query, timed in process: prints "wall user+sys peak_kb".
duck() {
    "$VENV/bin/python" - "$THREADS" "$1" <<'PY'
import resource, sys, time, duckdb
con = duckdb.connect()
con.execute(f"SET threads={int(sys.argv[1])}")
r0, t0 = resource.getrusage(resource.RUSAGE_SELF), time.perf_counter()
con.execute(sys.argv[2])
t1, r1 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
n = con.execute("SELECT count(*) FROM t").fetchone()[0]
cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
print(f"{t1 - t0:.3f} {cpu:.3f} {r1.ru_maxrss} {n}")
PY
}

# One signin-audit run: prints "wall user+sys peak_kb". Exit status 2 and 3 (findings) are results.
ours() {
    local t rc=0
    t=$(mktemp)
    /usr/bin/time -f "%e %U %S %M" -o "$t" "$BIN" "$@" --threads "$THREADS" > /dev/null || rc=$?
    [ "$rc" = 0 ] || [ "$rc" = 2 ] || [ "$rc" = 3 ] || { say "exit status $rc: $*"; rm -f "$t"; return 1; }
    tail -1 "$t" | awk '{ printf "%.3f %.3f %d\n", $1, $2 + $3, $4 }'
    rm -f "$t"
}

# Best of RUNS: "wall cpu peak_kb" of the fastest run (peak: the largest of all runs).
best() {
    local i out all=""
    for ((i = 0; i < RUNS; i++)); do
        out=$("$@") || { echo "fail"; return; }
        all+="$out"$'\n'
    done
    printf "%s" "$all" | awk 'NR == 1 || $1 < w { w = $1; c = $2 } $3 > m { m = $3 } END { printf "%s %s %s\n", w, c, m }'
}

# A cell: "8.10 s (297 MB/s), CPU 14.2 s, 812 MiB".
cell() {
    local r=$1 b=$2
    [ "$r" = "fail" ] && { echo "failed"; return; }
    echo "$r" | awk -v b="$b" '{ printf "%.2f s (%.0f MB/s), CPU %.1f s, %.0f MiB", $1, b / $1 / 1e6, $2, $3 / 1024 }'
}
ratio() { # ours / theirs, wall
    [ "$1" = "fail" ] || [ "$2" = "fail" ] && { echo "—"; return; }
    awk -v a="${1%% *}" -v b="${2%% *}" 'BEGIN { printf "%.2f", a / b }'
}

P_BYTES=$(bytes "$PAGES") R_BYTES=$(bytes "$RECORDS") C_BYTES=$(bytes "$CSV") A_BYTES=$(bytes "$ARRAY")
J="maximum_object_size=268435456"
PAGES_GLOB="'$PAGES/*.json'"
ALL_PAGES="CREATE TABLE t AS SELECT r.* FROM (SELECT unnest(value) AS r FROM read_json($PAGES_GLOB, format='unstructured', $J))"
# Two fields of the pages as a projection: naming them in `columns=` was 2.3x slower than reading every field
# (20,000 sign-ins); for the lines `columns=` is the fast form (~9x faster than a projection).
TWO_PAGES="CREATE TABLE t AS SELECT r.userPrincipalName, r.ipAddress FROM (SELECT unnest(value) AS r FROM read_json($PAGES_GLOB, format='unstructured', $J))"
ALL_LINES="CREATE TABLE t AS SELECT * FROM read_json('$RECORDS', format='newline_delimited')"
TWO_LINES="CREATE TABLE t AS SELECT * FROM read_json('$RECORDS', format='newline_delimited', columns={userPrincipalName: 'VARCHAR', ipAddress: 'VARCHAR'})"
ALL_CSV="CREATE TABLE t AS SELECT * FROM read_csv('$CSV/*.csv', union_by_name=true)"
ALL_ARRAY="CREATE TABLE t AS SELECT * FROM read_json('$ARRAY', format='array', $J)"

say "measuring (best of $RUNS, $THREADS threads)"
a_ours=$(best ours inventory -o json "$PAGES");    a_all=$(best duck "$ALL_PAGES");  a_two=$(best duck "$TWO_PAGES")
b_ours=$(best ours inventory -o json "$RECORDS");  b_all=$(best duck "$ALL_LINES");  b_two=$(best duck "$TWO_LINES")
c_ours=$(best ours inventory -o json "$CSV");      c_all=$(best duck "$ALL_CSV")
d_ours=$(best ours inventory -o json "$ARRAY");    d_all=$(best duck "$ALL_ARRAY")
e_json=$(best ours audit --include-non-interactive -q "$PAGES")
e_pq=$(best ours audit --include-non-interactive -q "$DATASET")
Q_BYTES=$(bytes "$DATASET")

cat <<EOF
$SIGNINS sign-ins, best of $RUNS, $THREADS threads, $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg) at the end;
$BUILT, DuckDB $DUCKDB_VERSION.
Each cell: best wall time (MB/s of the input), the CPU time (user + sys) of that run, peak RSS.

| input | bytes | signin-audit \`inventory\` | DuckDB, every field into a table | DuckDB, 2 fields (user, IP) | ours / all fields | ours / 2 fields |
|---|---|---|---|---|---|---|
| (a) Graph page files | $P_BYTES | $(cell "$a_ours" "$P_BYTES") | $(cell "$a_all" "$P_BYTES") | $(cell "$a_two" "$P_BYTES") | $(ratio "$a_ours" "$a_all") | $(ratio "$a_ours" "$a_two") |
| (b) the same records, one per line | $R_BYTES | $(cell "$b_ours" "$R_BYTES") | $(cell "$b_all" "$R_BYTES") | $(cell "$b_two" "$R_BYTES") | $(ratio "$b_ours" "$b_all") | $(ratio "$b_ours" "$b_two") |
| (c) portal CSV (2 files) | $C_BYTES | $(cell "$c_ours" "$C_BYTES") | $(cell "$c_all" "$C_BYTES") | | $(ratio "$c_ours" "$c_all") | |
| (d) one JSON array of all records | $A_BYTES | $(cell "$d_ours" "$A_BYTES") | $(cell "$d_all" "$A_BYTES") | | $(ratio "$d_ours" "$d_all") | |

| \`audit --include-non-interactive -q\` | input bytes | time | raw / dataset |
|---|---|---|---|
| from the Graph page files | $P_BYTES | $(cell "$e_json" "$P_BYTES") | |
| from its Parquet export | $Q_BYTES | $(cell "$e_pq" "$Q_BYTES") | $(ratio "$e_json" "$e_pq") |
EOF

if [ "$KEEP" = 0 ]; then
    rm -rf "$DATA"
fi
