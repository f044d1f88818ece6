# In `sim`: the memory control loop on virtual time, the host KV tier in the request
# path, and the oracle (grid of static runs -> schedule, replayed). Seconds, on tiny workloads.
helm_test(test_sim_memory SOURCES test_sim_memory.cpp test_oracle_grid.cpp
          DEPS helm::harness)
target_compile_definitions(test_sim_memory PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>")
add_dependencies(test_sim_memory helm-bench)
