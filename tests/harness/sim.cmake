# The simulator: event order, accounting, determinism, cache decisions equal to the real
# executor's, cost-model files, and `helm-bench sim` end to end (reads the HDF5 back).
helm_test(test_sim SOURCES test_sim_events.cpp test_sim_driver.cpp test_sim_equivalence.cpp
          test_sim_cost_model.cpp test_sim_cli.cpp test_sim_digest.cpp test_sim_faults.cpp
          test_refill_throttle.cpp test_sim_timer_delays.cpp test_sim_idle_penalty.cpp
          DEPS helm::harness)
target_compile_definitions(test_sim PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                            HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_sim helm-bench)
