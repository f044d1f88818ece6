# The mrc policy in real MPI runs: what a KV hit is worth on the workers (the marginal recompute
# cost, measured at start-up or from --cost-model), and the control loop end to end (targets
# reach the workers, one bounded step per interval, /controller agrees with the workers' windows).
helm_test(test_run_mrc SOURCES test_run_kv_worth.cpp test_run_mrc_control.cpp test_run_util.cpp
          DEPS helm::harness helm::results LABELS mpi SERIAL)
target_compile_definitions(test_run_mrc PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                                HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_run_mrc helm-bench)
