# `helm-bench fidelity`: its option parsing, and one tiny real run + sim pair read back from the
# CSV it writes (the accuracy goal is a measurement: docs/FIDELITY.md, not a test).
helm_test(test_fidelity SOURCES test_fidelity.cpp DEPS helm::harness LABELS mpi)
target_compile_definitions(test_fidelity PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                                 HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_fidelity helm-bench)
