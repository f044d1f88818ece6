#!/usr/bin/env bash
# Bad input to the real binary: exit code 2 and one line on stderr naming the option/file/field.
set -uo pipefail
bin=$1 shared=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
source "$(dirname "$0")/expect_bad_input.sh"
printf 'userId,movieId,rating,timestamp\n1,2,3.5,100\n1,x,4,200\n' > "$tmp/bad.csv"
echo "not hdf5" > "$tmp/not.h5"
printf 'qps = -3\n' > "$tmp/bad.ini"
expect "unknown subcommand" nosuch
expect "--qps" run --qps -1
expect "--duration" run --duration 0
expect "unrecognised option" run --no-such-option 1
expect "--memory-policy" run --memory-policy static:1.5
expect "--memory-policy" run --memory-policy static:abc
expect "--model" run --model huge
expect "bad.csv:3" run --dataset "movielens:$tmp/bad.csv"
expect "no-such.csv" run --dataset "movielens:$tmp/no-such.csv"
expect "--qps" run --config "$tmp/bad.ini"
expect "missing.ini" run --config "$tmp/missing.ini"
expect "--pool-mib" run --pool-mib 0
expect "--helm-load-factor" run --helm-load-factor 0.5
expect "--dynamo-temperature" run --dynamo-temperature -1
expect "not.h5" report "$tmp/not.h5"
expect "nothere.h5" report "$tmp/nothere.h5"
expect "--format" report "$tmp/not.h5" --format pdf
expect "--in" forward
expect "nothere.h5" forward --in "$tmp/nothere.h5"
expect "needs at least 2 MPI ranks" run --qps 5 --duration 1
expect "--backend" run --backend tpu
expect "--precision" run --backend cuda --precision fp8
expect "--host-kv-mib" run --host-kv-mib -1
# --backend cuda where no GPU is usable (CI, this machine; a machine with a GPU accepts it):
# refused while options are validated, before MPI starts, with and without mpirun.
if ! nvidia-smi -L >/dev/null 2>&1; then
  expect "--backend cuda" run --backend cuda
  expect "--backend cuda" run --backend cuda --host-kv-mib 64  # the tier is no longer refused
  expect "--backend cuda" forward --backend cuda --in "$tmp/not.h5"
  expect "--backend cuda" calibrate --backend cuda --out "$tmp/c.json"
  source "$(dirname "$0")/../../scripts/mpi-env.sh"
  err=$("${HELM_MPIRUN[@]}" -np 2 "$bin" run --backend cuda 2>&1 >/dev/null); rc=$?
  lines=$(grep -c -- "--backend cuda" <<<"$err")
  if [ $rc -eq 2 ] && [ "$lines" -eq 2 ]; then echo "ok: mpirun -np 2 run --backend cuda -> exit 2, one line per rank"
  else echo "FAIL (mpirun: exit $rc, $lines lines naming --backend cuda, want 2 and 2)"; echo "$err"; fail=1; fi
fi
exit $fail
