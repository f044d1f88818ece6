# experiments/settings.sh: the settings every experiment uses, for the full run and --quick (sourced
# by the runners; HELM_EXP_QUICK=1 selects --quick). One owner: the sweep files are templates whose
# @NAME@ fields come from here (experiments/lib/render.sh), so quick and full differ only in this file.
#
# Why these settings (chosen by the scouting sweeps in 00_scout/, before any main table ran; see
# RESULTS.md "Scouting"): in the previous evaluation (taobao, 4 nodes) the split had no measurable
# effect. PILOT.md: the KV working set of the users in session relative to the pool decides the best
# split, and the static-vs-oracle gap is large only near saturation. So: the KuaiRand-like profile
# (histories near the 8,000-token cap, a 32M-item catalogue), a session gap that puts enough users
# in session per pool for the KV cache to be contested, and loads near the cost model's saturation.
#
# Scale-down (both modes; the quick one more): --scale S shrinks users, catalogue and the pool (72
# GiB of an A100-80GB x S) together. Time is compressed too: a user's requests come --session-gap-s
# apart instead of 4 s and the control interval is 100 ms instead of 1 s, so a trace of seconds
# holds tens of control windows and sessions turn over. Users in session = qps x gap x 0.9: at
# 2,000 qps per node and 0.02 s that is ~36 per node, per a pool of 3.6 GiB (each such
# user holds up to 8,000 tokens x 6 KB = 48 MB of K/V): the KV cache wants about half the pool.

if [ "${HELM_EXP_TINY:-0}" = 1 ]; then
  # tests/slurm/experiments_tiny.sh only: the machinery end to end in seconds (numbers meaningless).
  EXP_MODE=tiny
  EXP_DATASETS="kuairand-27k"
  EXP_NODES=2
  EXP_SCALE=0.01
  EXP_DURATION=0.6
  EXP_WARMUP=0.2
  EXP_SEEDS="1 2"
  EXP_LOAD=1000
  EXP_CAPACITY=2000
  EXP_GRID_STEP=0.5
  EXP_WORKLOADS_E3="steady"; EXP_WORKLOADS_E4="steady"; EXP_WORKLOADS_ROUTERS="steady"
  EXP_WORKLOADS_E7="steady"; EXP_SEEDS_E7="1"; EXP_WORKLOADS_E8="steady"; EXP_LOADS="0.5x"
  EXP_DATASETS_E12="kuairand-27k amazon-books"  # two profiles: the per-profile sweeps and their join
  EXP_PROFILE_LOADS="amazon-books=20000"
elif [ "${HELM_EXP_QUICK:-0}" = 1 ]; then
  EXP_MODE=quick
  EXP_DATASETS="kuairand-27k"
  EXP_NODES=4              # scouting used 8; 4 nodes at half the load keep the per-node load
  EXP_SCALE=0.05
  EXP_DURATION=1.2        # seconds of arrivals, warm-up included: 8 measured windows of 100 ms
  EXP_WARMUP=0.4
  EXP_SEEDS="1 2 3"
  EXP_LOAD=8000           # the main tables' offered load (qps, whole cluster): 2,000 per node
  EXP_CAPACITY=10000      # qps that the load sweep's fractions refer to (stated; 07 measures it)
  EXP_GRID_STEP=0.2       # static grid and oracle grid: 0, 0.2, ..., 1
  # Where quick leaves cells out (the full run has every regime everywhere):
  EXP_WORKLOADS_E3="trend burst"      # naive reallocation: where the split moves
  EXP_WORKLOADS_E4="steady trend"     # the main table (burst, as set, overloads every split: RESULTS.md)
  EXP_WORKLOADS_ROUTERS="steady"      # every router x {best static, helm}
  EXP_WORKLOADS_E7="steady"           # capacity under the SLO (seed 1 only)
  EXP_SEEDS_E7="1"
  EXP_WORKLOADS_E8="steady"           # the load sweep
  EXP_LOADS="0.3x 0.7x 0.95x"
  # Experiments 1 and 2 on the other two profiles, at 0.84 of their measured 4-node capacity (as
  # kuairand-27k's 8,000 is of its 9,493): see exp_profile below.
  EXP_PROFILE_LOADS="amazon-books=240000 ml-20m=200000"
else
  EXP_MODE=full
  EXP_DATASETS="kuairand-27k"   # experiments 3-8; 1 and 2 run all three profiles (exp_profile)
  # The other two profiles' capacities, measured (`helm-bench capacity --mode sim --target 0.99`, steady, seed 1,
  # kv-affinity, static:0.5, this file's common options but 0.3 s traces with 0.1 s of warm-up
  # and bursts of 0.05 s every 0.15 s, as experiments/09_routing does for these profiles):
  # amazon-books 284,099 qps at 4 nodes, 2,273,131 at 32; ml-20m 237,377 at 4, 1,478,872 at 32
  # (kuairand-27k: 9,493 at 4 nodes, 1.2 s traces, experiment 7). Experiments 1 and 2 run them at
  # 0.84 of the 32-node figure, as in quick.
  EXP_PROFILE_LOADS="amazon-books=1910000 ml-20m=1240000"
  EXP_NODES=32
  EXP_SCALE=0.05
  # Cut to fit 12 hours of the 2-slot local Slurm (experiments/estimate.sh on the quick run's
  # times.tsv: 9.8 h with the three profiles in 1-2 and the real runs of 10; the first full settings, 6 s traces, 5 seeds, 5 loads and the 0.1 grid in
  # experiment 8 too, came to 84 h): the 32 nodes, every regime in every table and 3
  # seeds stay; the traces are 1.6 s (12 measured windows of 100 ms, 1.5x quick's 8), the load
  # sweep has quick's three loads on a 0.2 grid, and experiments 1 and 2 keep the 0.1 grid (the
  # best split's move, the paper's "up to 0.35", needs it).
  EXP_DURATION=1.6
  EXP_WARMUP=0.4
  EXP_SEEDS="1 2 3"
  EXP_LOAD=64000          # 2,000 per node, as in quick
  EXP_CAPACITY=80000
  EXP_LOADS="0.3x 0.7x 0.95x"
  EXP_GRID_STEP=0.1
  EXP_GRID_STEP_E8=0.2
  EXP_WORKLOADS_E3="steady trend burst"
  EXP_WORKLOADS_E4="steady trend burst"
  EXP_WORKLOADS_ROUTERS="steady trend burst"
  EXP_WORKLOADS_E7="steady trend burst"
  EXP_SEEDS_E7="1 2 3"
  EXP_WORKLOADS_E8="steady trend burst"
fi
# The static grid of step S as a sweep's memory_policy axis: static:0 static:S ... static:1.
exp_static_grid() { awk -v s="$1" 'BEGIN { for (r = 0; r <= 1 + 1e-9; r += s) printf "%sstatic:%g", (r > 0 ? " " : ""), r }'; }
EXP_STATIC_GRID=$(exp_static_grid "$EXP_GRID_STEP")
# The load sweep's grid (08: the static grid and the oracle at every load) may be coarser.
EXP_GRID_STEP_E8=${EXP_GRID_STEP_E8:-$EXP_GRID_STEP}
# The regimes, time-compressed like the sessions: bursts of 2x the mean rate, 0.2 s long, every
# 0.6 s on average; the trend's diurnal swing of +-30% spans the whole trace.
EXP_WORKLOADS=${EXP_WORKLOADS:-"steady trend burst"}
exp_common() {  # exp_common DURATION WARMUP BURST_S BURST_GAP_S CONTROL_MS: the options every run shares
  echo "--scale $EXP_SCALE --duration $1 --warmup-s $2 --drain-s 3 --session-gap-s 0.02 --slo-ms 50" \
       "--control-interval-ms $5 --burst-multiplier 2 --burst-duration-s $3 --burst-gap-s $4 --trend-amplitude 0.3"
}
EXP_COMMON=$(exp_common "$EXP_DURATION" "$EXP_WARMUP" 0.2 0.6 100)
# The pool is stated (the a100-80gb cost model's 72 GiB, x --scale) because only `sim` takes the
# cost model's pool as its default; `oracle` would simulate the CPU run's 24 MiB x --scale.
EXP_SIM="--nodes $EXP_NODES --cost-model a100-80gb --pool-mib 73728"
# The best baseline router (the previous routing study: kv-affinity beat the others in steady
# traffic; 04's router table re-checks it) and HELM's own.
EXP_BASE_ROUTER=kv-affinity
EXP_POLICY=policies/helm-a100-80gb.h5

# Experiments 1 and 2 cover the three profiles; 3-8 run EXP_DATASETS only.
EXP_DATASETS_E12=${EXP_DATASETS_E12:-"kuairand-27k amazon-books ml-20m"}
# exp_profile DATASET: EXP_DATASETS, EXP_LOAD and EXP_COMMON for one profile of experiments 1 and 2
# (run it in a subshell: it overwrites them). kuairand-27k keeps the settings above. amazon-books
# and ml-20m have short histories, so their capacity is 25-30x kuairand-27k's: at the same trace
# length a run would simulate 25-30x the requests. Their traces are a quarter as long (0.3 s, 0.1
# s of warm-up, as experiments/09_routing's), and so that they still hold 8 measured control
# windows and see bursts, the control interval, burst length and burst gap are a quarter too.
exp_profile() {
  EXP_DATASETS=$1
  [ "$1" != kuairand-27k ] || return 0
  local kv load=""
  for kv in ${EXP_PROFILE_LOADS:-}; do [ "${kv%%=*}" != "$1" ] || load=${kv#*=}; done
  [ -n "$load" ] || { echo "settings.sh: no load for profile '$1' in $EXP_MODE mode" >&2; return 2; }
  EXP_LOAD=$load
  EXP_DURATION=0.3 EXP_WARMUP=0.1
  EXP_COMMON=$(exp_common 0.3 0.1 0.05 0.15 25)
}

# The real-run variant of experiments 1 and 4 (10_real/run.sh): `helm-bench run` on the CPU backend,
# 1 + 3 MPI ranks, one run at a time, on the routing study's real cell (ml-20m, the small model,
# --scale 0.01): 8 s of arrivals, 2 s of warm-up, bursts of 2x for 1 s every 3 s, the default 1 s
# control interval (6 measured windows). Load: 0.7 of the capacity `capacity --mode run` measures
# on these options (its highest served step, as docs/FIDELITY.md takes it), steady, static:0.5.
# The capacity search's steps are 5 s traces. Tiny (its test): 2 s traces and steps, 2 seeds.
EXP_REAL_DATASET=ml-20m
EXP_REAL_GRID="static:0 static:0.5 static:1"
EXP_REAL_LOAD_SHARE=0.7
if [ "$EXP_MODE" = tiny ]; then
  EXP_REAL_DURATION=2 EXP_REAL_WARMUP=0.5 EXP_REAL_CAP_DURATION=2 EXP_REAL_SEEDS="1 2"
else
  EXP_REAL_DURATION=8 EXP_REAL_WARMUP=2 EXP_REAL_CAP_DURATION=5 EXP_REAL_SEEDS="1 2 3"
fi
# exp_real_opts DURATION: a real run's options (the runs' and the capacity search's differ in length).
exp_real_opts() {
  echo "--scale 0.01 --model small --duration $1 --warmup-s $EXP_REAL_WARMUP --drain-s 5 --slo-ms 50" \
       "--burst-multiplier 2 --burst-duration-s 1 --burst-gap-s 3 --trend-amplitude 0.3"
}
EXP_REAL_OPTS=$(exp_real_opts "$EXP_REAL_DURATION")
