#!/usr/bin/env bash
# slurm/collect.sh DIR: the P99/SLO tables of a results folder (a sweep's `out`).
#
# Writes into DIR, and prints summary.md:
#   runs.{md,csv,tex}     `helm-bench report`: one row per complete results file
#   summary.{md,csv,tex}  one row per cell (mode, dataset, workload, router, load) and memory
#                         policy: mean and 95% confidence interval over seeds (Student t) of
#                         P99 and SLO %, mean P50 and throughput, and `vs_best_static_pct`: how
#                         much lower the policy's mean P99 is than that of the best static split
#                         (static:*, emb-only, kv-only) in the same cell (positive = better;
#                         "-" when the cell has no static split).
# Files without a footer (killed or still running) are left out and listed on stderr.
# P99 is over completed requests (as `report` computes it); SLO % counts drops as misses.
# Environment: HELM_BENCH (the binary; found as slurm/sweep.sh finds it otherwise).
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
[ $# -eq 1 ] || { echo "usage: slurm/collect.sh RESULTS_DIR" >&2; exit 2; }
dir=$1
[ -d "$dir" ] || { echo "collect.sh: $dir: no such folder" >&2; exit 2; }
bench=${HELM_BENCH:-}
if [ -z "$bench" ]; then
  for c in "$here/../../../bin/helm-bench" "$here/../build/bin/helm-bench"; do
    [ -x "$c" ] && { bench=$c; break; }
  done
fi
[ -n "$bench" ] || bench=$(command -v helm-bench || true)
[ -x "$bench" ] || { echo "collect.sh: helm-bench not found: build it, or set HELM_BENCH" >&2; exit 1; }

shopt -s nullglob
# A sweep's folder: its files in task order (tasks.tsv), then any others; else by name.
all=()
declare -A listed=()
if [ -f "$dir/tasks.tsv" ]; then
  while IFS=$'\t' read -r _ _ f _; do
    [ -e "$dir/$(basename "$f")" ] && { all+=("$dir/$(basename "$f")"); listed[$(basename "$f")]=1; }
  done <"$dir/tasks.tsv"
fi
for f in "$dir"/*.h5; do [ -n "${listed[$(basename "$f")]:-}" ] || all+=("$f"); done
[ ${#all[@]} -gt 0 ] || { echo "collect.sh: $dir has no .h5 results files" >&2; exit 2; }
files=()
while IFS=$'\t' read -r st verdict rows f why; do
  if [ "$st" = complete ]; then files+=("$f"); else echo "collect.sh: skipping $f: $st ($why)" >&2; fi
done < <("$bench" report --status "${all[@]}")
[ ${#files[@]} -gt 0 ] || { echo "collect.sh: no complete results file in $dir" >&2; exit 1; }

"$bench" report "${files[@]}" --format csv >"$dir/runs.csv"
"$bench" report "${files[@]}" --format markdown >"$dir/runs.md"
"$bench" report "${files[@]}" --format latex >"$dir/runs.tex"

awk -v md="$dir/summary.md" -v texout="$dir/summary.tex" -v csvout="$dir/summary.csv" '
function csvsplit(s, f,   n, i, c, q, cur) {  # RFC 4180 fields (report quotes "static:0.3,0.7")
  n = 0; cur = ""; q = 0
  for (i = 1; i <= length(s); i++) {
    c = substr(s, i, 1)
    if (q) {
      if (c == "\"") { if (substr(s, i + 1, 1) == "\"") { cur = cur "\""; i++ } else q = 0 }
      else cur = cur c
    } else if (c == "\"") q = 1
    else if (c == ",") { f[++n] = cur; cur = "" }
    else cur = cur c
  }
  f[++n] = cur
  return n
}
function csvcell(s) { return s ~ /[",]/ ? "\"" gensub_quotes(s) "\"" : s }
function gensub_quotes(s,   t) { t = s; gsub(/"/, "\"\"", t); return t }
function short(s) { return (s ~ /^[^:\/]+:.*\//) ? substr(s, 1, index(s, ":")) substr(s, match(s, /[^\/]*$/)) : s }
function tex(s,   t) { t = s; gsub(/\\/, "\\textbackslash{}", t); gsub(/[&%$#_{}]/, "\\\\&", t); return t }
function t975(df) {  # Student t, two-sided 95%
  split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", T, " ")
  return df <= 30 ? T[df] : 1.960
}
function ci(sum, sq, n,   m, v) {
  if (n < 2) return "-"
  m = sum / n; v = (sq - n * m * m) / (n - 1); if (v < 0) v = 0
  return sprintf("%.3f", t975(n - 1) * sqrt(v / n))
}
function static_policy(p) { return p ~ /^static:/ || p == "emb-only" || p == "kv-only" }
NR == 1 {
  nc = csvsplit($0, h)
  for (i = 1; i <= nc; i++) col[h[i]] = i
  next
}
{
  csvsplit($0, f)
  mode = ("mode" in col) ? f[col["mode"]] : "-"
  load = ("load" in col) ? f[col["load"]] : "-"
  cell = mode SUBSEP f[col["dataset"]] SUBSEP f[col["workload"]] SUBSEP f[col["router"]] SUBSEP load
  key = cell SUBSEP f[col["memory_policy"]]
  if (!(cell in seen_cell)) { seen_cell[cell] = 1; cells[++ncells] = cell }
  if (!(key in n)) { pols[cell, ++npol[cell]] = f[col["memory_policy"]] }
  n[key]++
  # P99 over every request after warm-up, drops counted (inf when over 1% are lost): comparisons
  # between policies use it, never the P99 of completed requests alone.
  if (f[col["p99_all_ms"]] == "inf") lost[key] = 1
  p99 = (key in lost) ? 0 : f[col["p99_all_ms"]] + 0; slo = f[col["slo_pct"]] + 0
  s99[key] += p99; q99[key] += p99 * p99
  sslo[key] += slo; qslo[key] += slo * slo
  s50[key] += f[col["p50_ms"]]; sth[key] += f[col["throughput_rps"]]
  if (f[col["valid"]] != "yes") invalid[key]++
}
END {
  hdr = "mode,dataset,workload,router,load,memory_policy,seeds,p99_all_ms,p99_ci95,slo_pct,slo_ci95,p50_ms,throughput_rps,vs_best_static_pct,all_valid"
  print hdr > csvout
  print "| mode | dataset | workload | router | load | memory_policy | seeds | P99 all ms (±95% CI) | SLO % (±95% CI) | P50 ms | req/s | P99 vs best static | valid |" > md
  print "|---|---|---|---|---|---|--:|--:|--:|--:|--:|--:|---|" > md
  print "\\begin{tabular}{llllllrrrrrrl}\n\\toprule" > texout
  print "mode & dataset & workload & router & load & policy & seeds & P99 ms & SLO \\% & P50 ms & req/s & vs best static \\% & valid \\\\\n\\midrule" > texout
  for (c = 1; c <= ncells; c++) {
    cell = cells[c]
    best = ""
    for (j = 1; j <= npol[cell]; j++) {
      key = cell SUBSEP pols[cell, j]
      m = s99[key] / n[key]
      if (static_policy(pols[cell, j]) && !(key in lost) && (best == "" || m < best)) best = m
    }
    split(cell, a, SUBSEP)
    for (j = 1; j <= npol[cell]; j++) {
      pol = pols[cell, j]; key = cell SUBSEP pol; k = n[key]
      m99 = sprintf("%.3f", s99[key] / k); c99 = ci(s99[key], q99[key], k)
      if (key in lost) { m99 = "inf"; c99 = "-" }
      mslo = sprintf("%.2f", sslo[key] / k); cslo = ci(sslo[key], qslo[key], k)
      if (cslo != "-") cslo = sprintf("%.2f", cslo + 0)
      red = (best == "" || best <= 0 || (key in lost)) ? "-" : sprintf("%.1f", 100 * (best - s99[key] / k) / best)
      valid = (key in invalid) ? "no" : "yes"
      m50 = sprintf("%.3f", s50[key] / k); th = sprintf("%.2f", sth[key] / k)
      print csvcell(a[1]) "," csvcell(a[2]) "," csvcell(a[3]) "," csvcell(a[4]) "," csvcell(a[5]) "," csvcell(pol) "," k "," m99 "," c99 "," mslo "," cslo "," m50 "," th "," red "," valid > csvout
      pm99 = c99 == "-" ? m99 : m99 " ± " c99; pslo = cslo == "-" ? mslo : mslo " ± " cslo
      print "| " a[1] " | " short(a[2]) " | " short(a[3]) " | " a[4] " | " a[5] " | " pol " | " k " | " pm99 " | " pslo " | " m50 " | " th " | " (red == "-" ? "-" : red "%") " | " valid " |" > md
      tm99 = c99 == "-" ? m99 : m99 " $\\pm$ " c99; tslo = cslo == "-" ? mslo : mslo " $\\pm$ " cslo
      print tex(a[1]) " & " tex(short(a[2])) " & " tex(short(a[3])) " & " tex(a[4]) " & " tex(a[5]) " & " tex(pol) " & " k " & " tm99 " & " tslo " & " m50 " & " th " & " red " & " valid " \\\\" > texout
    }
  }
  print "\\bottomrule\n\\end{tabular}" > texout
}' "$dir/runs.csv"

cat "$dir/summary.md"
echo "collect.sh: ${#files[@]} results files -> $dir/summary.{md,csv,tex}, $dir/runs.{md,csv,tex}" >&2
