# experiments/09_routing/settings.sh: the routing study's settings (H3' in docs/HYPOTHESES.md),
# sourced by run.sh. Kept here, not in experiments/settings.sh, so this study's scale-down is one
# file that no other experiment reads.
#
# Budget rule (the box: 2 cores shared by five people): the whole study must run in about 45 min
# of wall at 2 processes. Measured before the sweep (one run of each shape, 8 nodes, 0.7x, helm):
# kuairand-27k 1.2 s of arrivals ~1 s of CPU; amazon-books 0.6 s of arrivals at 400K qps 9-10 s
# (so 0.3 s here); 32-node kuairand ~3-4 s. Hence:
#   - time compression as in experiments/settings.sh (session gap 0.02 s, SLO 50 ms), and the two
#     short-history profiles, whose capacity is 40-70x kuairand's (hundreds of thousands of qps
#     at 8 nodes), get a quarter of kuairand's trace (0.3 s, warm-up 0.1 s) with the burst shape
#     scaled alike, so that every profile sees bursts within its trace;
#   - `--emb-sample 0.05` (the miniature simulation, README "sim --emb-sample R") on kuairand-27k
#     only: its rule is "long histories on large caches"; amazon-books and ml-20m run exact (their
#     runs are short per request, and the sampled EMB error grows on small caches);
#   - 32 nodes: kuairand-27k only (the other profiles at 32 nodes would need ~1.5-2.3M qps).

R_ROUTERS="rr least-loaded p2c kv-affinity cache-aware dynamo llm-d load-aware helm"
R_WORKLOADS="steady trend burst"
R_LOADS="0.5x 0.7x 0.85x"
R_SEEDS="1 2 3"
# Which (nodes, profile) sweeps run: "NODES:PROFILE".
R_SWEEPS=${R_SWEEPS:-"8:kuairand-27k 8:ml-20m 8:amazon-books 32:kuairand-27k"}

# Heterogeneous static splits (EMB share per node, in turn): the H3 study's 0.2 / 0.8 / 0.5 repeated
# over the nodes, so every node count has EMB-heavy, KV-heavy and balanced nodes.
r_splits() { awk -v n="$1" 'BEGIN { split("0.2 0.8 0.5", p, " "); for (i = 0; i < n; i++) printf "%s%s", (i ? "," : ""), p[i % 3 + 1] }'; }

# Per profile: seconds of arrivals, warm-up, burst gap and length, the first load `capacity` tries
# (per node), and the EMB sampling option.
r_profile() {  # r_profile PROFILE -> sets R_DUR R_WARM R_BGAP R_BLEN R_CAP0 R_EMB
  case $1 in
    kuairand-27k) R_DUR=1.2 R_WARM=0.4 R_BGAP=0.6 R_BLEN=0.2 R_CAP0=250 R_EMB="--emb-sample 0.05" ;;
    amazon-books|ml-20m) R_DUR=0.3 R_WARM=0.1 R_BGAP=0.15 R_BLEN=0.05 R_CAP0=12500 R_EMB="" ;;
    *) echo "09_routing/settings.sh: no settings for profile '$1'" >&2; return 2 ;;
  esac
}
# Options every run of a sweep shares (also the capacity measurement's, which uses the default
# router, rr: the router is an axis, so sweep.sh keeps it out of the capacity runs).
r_common() {  # r_common NODES PROFILE
  r_profile "$2" || return 2
  echo "--scale 0.05 --duration $R_DUR --warmup-s $R_WARM --drain-s 3 --session-gap-s 0.02 --slo-ms 50" \
       "--control-interval-ms 100 --burst-multiplier 2 --burst-duration-s $R_BLEN --burst-gap-s $R_BGAP" \
       "--trend-amplitude 0.3 --nodes $1 --cost-model a100-80gb --pool-mib 73728" \
       "--memory-policy static:$(r_splits "$1") $R_EMB"
}
