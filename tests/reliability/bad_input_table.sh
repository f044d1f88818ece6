#!/usr/bin/env bash
# Table-driven bad input: every case of bad_input_cases.txt (WANT | COMMAND ARGS...) must exit 2
# with exactly one stderr line containing WANT, within a time limit (no hang), and leave no
# file behind in the output folder or the working folder (no partial file that looks complete).
# Usage: bad_input_table.sh HELM_BENCH [CASES_FILE]
set -uo pipefail
bin=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
cases=${2:-$here/bad_input_cases.txt}
sweep=$here/../../slurm/sweep.sh
T=$(mktemp -d) O=$T/out W=$T/cwd
trap 'rm -rf "$T"' EXIT
mkdir -p "$O" "$W"
export HELM_BENCH=$bin

# ---- the malformed files ----
garbage() { head -c 4096 /dev/urandom > "$T/$1"; }
printf 'qps = fast\n' > "$T/c_type.ini"
printf 'no-such-key = 3\n' > "$T/c_key.ini"
printf 'qps\n' > "$T/c_noeq.ini"
garbage c_bin.ini
printf 'qps = -3\n' > "$T/c_range.ini"
printf 'tag = a=b\nqps = 4%%value%%\n' > "$T/c_token.ini"  # the option parser's own message token
printf 'userId,movieId,rating,timestamp\n1,2,3.5,100\n1,x,4,200\n' > "$T/ml_ids.csv"
printf 'userId,movieId,rating,timestamp\n1,2,3.5\n' > "$T/ml_cols.csv"
printf 'userId,movieId,rating,timestamp\n1,2,3.5,-100\n' > "$T/ml_neg.csv"
printf 'userId,movieId,rating,timestamp\n1,2,3.5,99999999999999999999999\n' > "$T/ml_over.csv"
: > "$T/ml_empty.csv"
garbage ml_bin.csv
printf '1::2::5::100\n1::3::4::200\n1::4\n' > "$T/ml_trunc.dat"
printf 'user,video,date\n1,2,3\n' > "$T/kr_header.csv"
printf 'user_id,video_id,date,hourmin,time_ms,is_click\n1,2,20220408,1000,1649000000000,1\n1,3,20220408\n' > "$T/kr_trunc.csv"
printf 'user_id,video_id,date,hourmin,time_ms,is_click\n1,2,20220408,1000,-5,1\n' > "$T/kr_neg.csv"
garbage kr_bin.csv
printf 'a,b,5,100\nc,d,5\n' > "$T/az18_cols.csv"
printf 'a,b,5,99999999999999999\n' > "$T/az18_over.csv"
: > "$T/az18_empty.csv"
printf 'user_id,parent_asin,rating,timestamp\nu1,i1,5,-1\n' > "$T/az23_neg.csv"
printf 'user_id,parent_asin,rating,timestamp\nu1,i1,5,18446744073709551616\n' > "$T/az23_over.csv"
printf 'user_id,parent_asin,rating,timestamp\n,i1,5,100\n' > "$T/az23_id.csv"
printf 'u1,i1,5,100\n' > "$T/az23_nohdr.csv"
printf '1,2,3\n' > "$T/tb_cols.csv"
printf '1,2,3,pv,100\n1,2,3,pv,noon\n' > "$T/tb_time.csv"
garbage tb_bin.csv
: > "$T/rp_empty.csv"
garbage rp_bin.csv
printf 'timestamp\n100\nsoon\n' > "$T/rp_bad.csv"
printf '100\n100\n100\n' > "$T/rp_same.csv"
printf 'timestamp\n2021-01-31 00:00:00\n4330-01-31 00:00:02.123\n' > "$T/rp_year.csv"  # found by fuzz_replay
echo "not hdf5" > "$T/not.h5"
: > "$T/empty.h5"
"$bin" sim --nodes 1 --cost-model cpu-small --qps 20 --duration 2 --users 50 --items 500 --out "$T/good.h5" \
  > /dev/null || { echo "FAIL: could not write a results file"; exit 1; }
"$bin" trace --qps 20 --duration 2 --users 50 --items 500 --out "$T/trace.h5" > /dev/null ||
  { echo "FAIL: could not write a trace file"; exit 1; }
head -c 3000 "$T/good.h5" > "$T/res_trunc.h5"
# A trace whose stored spec has a value no field can hold (found by fuzz_spec_text: a UB cast).
cp "$T/trace.h5" "$T/trace_spec.h5"
/usr/bin/python3 -c "
import h5py, sys
with h5py.File(sys.argv[1], 'r+') as f:
    s = f.attrs['spec']; s = s.decode() if isinstance(s, bytes) else s
    f.attrs['spec'] = s.replace('candidates = ', 'candidates = 1e113 #', 1)" "$T/trace_spec.h5"
head -c $(($(stat -c %s "$T/trace.h5") / 2)) "$T/trace.h5" > "$T/trace_trunc.h5"
/usr/bin/python3 -c "import h5py,sys; f=h5py.File(sys.argv[1],'w'); f.attrs['schema_version']='x'; f['a']=[1]" \
  "$T/other.h5" || { echo "FAIL: h5py"; exit 1; }
printf '{"format": "helm-bench cost model", ' > "$T/cm_syntax.json"
printf '{}' > "$T/cm_empty.json"
printf '[1, 2]' > "$T/cm_array.json"
garbage cm_bin.json
shipped=$here/../../cost_models/cpu-small.json
/usr/bin/python3 - "$shipped" "$T" <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
z = json.loads(json.dumps(m)); z["host"]["request_ns"] = -1.0
json.dump(z, open(sys.argv[2] + "/cm_zero.json", "w"))
t = json.loads(json.dumps(m)); t["hstu"]["bytes_per_element"] = "four"
json.dump(t, open(sys.argv[2] + "/cm_type.json", "w"))
PY
printf '[nosuch]\n' > "$T/sw_section.ini"
printf '[sweep]\nname tiny\n' > "$T/sw_line.ini"
printf '[sweep]\ncolour = red\n' > "$T/sw_key.ini"
printf '[sweep]\nname = a\nname = b\n' > "$T/sw_twice.ini"
printf '[sweep]\nname = a\n[axes]\nmode = fly\n' > "$T/sw_mode.ini"
printf '[sweep]\nname = a\n[axes]\nmode = sim\nseed = -1\n' > "$T/sw_seed.ini"
printf '[sweep]\nname = a\n[axes]\nmode = sim\nload = lots\n' > "$T/sw_load.ini"
garbage sw_bin.ini
printf '0,0.5\nsoon,0.3\n' > "$T/or_time.csv"
printf '0,1.7\n' > "$T/or_ratio.csv"
printf '0,0.5\n0,0.4\n' > "$T/or_order.csv"
printf 'nan,0.5\n' > "$T/or_nan.csv"
printf '1e300,0.5\n' > "$T/or_huge.csv"
printf '5\n' > "$T/or_cols.csv"
: > "$T/or_empty.csv"

# ---- the cases ----
fail=0 n=0
while IFS= read -r raw; do
  [[ $raw =~ ^[[:space:]]*(#|$) ]] && continue
  want=${raw%%|*} cmd=${raw#*|}
  want=$(echo "$want" | sed 's/[[:space:]]*$//; s/^'"'"'//; s/'"'"'$//')
  eval "set -- $cmd"
  tool=$1; shift
  case $tool in
    helm-bench) argv=("$bin" "$@") ;;
    sweep) argv=(bash "$sweep" --dry-run "$@") ;;
    *) echo "FAIL: unknown command '$tool' in: $raw"; fail=1; continue ;;
  esac
  n=$((n + 1))
  err=$(cd "$W" && timeout 60 "${argv[@]}" 2>&1 >/dev/null); rc=$?
  left=$(find "$O" "$W" -mindepth 1 -printf "%f ")
  rm -rf "${O:?}"/* "${W:?}"/*
  if [ $rc -eq 124 ]; then echo "FAIL (hang: killed after 60 s): $cmd"; fail=1; continue; fi
  if [ $rc -ne 2 ]; then echo "FAIL (exit $rc, want 2): $cmd"; echo "$err" | head -5; fail=1; continue; fi
  if ! grep -qF -- "$want" <<<"$err"; then echo "FAIL (no '$want' in stderr): $cmd"; echo "$err" | head -5; fail=1; continue; fi
  if [ "$(wc -l <<<"$err")" -ne 1 ]; then echo "FAIL (not one line): $cmd"; echo "$err" | head -5; fail=1; continue; fi
  if [ -n "$left" ]; then echo "FAIL (left files: $left): $cmd"; fail=1; continue; fi
  echo "ok: ${cmd# } -> ${err:0:160}"
done < "$cases"
echo "$n bad inputs tried"
[ $n -ge 40 ] || { echo "FAIL: fewer than 40 cases"; fail=1; }
exit $fail
