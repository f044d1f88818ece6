# Clocks in `run`: a worker whose clock is offset and drifts (the clock test hook of
# harness/mpi/clock_sync.h) is re-measured during the run and corrected.
helm_test(test_run_clock SOURCES test_run_clock.cpp test_run_util.cpp DEPS helm::harness helm::results LABELS mpi SERIAL)
target_compile_definitions(test_run_clock PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                                  HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_run_clock helm-bench)
