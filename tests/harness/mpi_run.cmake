# End-to-end: a real 4-rank MPI run (1 scheduler + 3 workers) of a short experiment, then its
# HDF5 file checked by a test that reads it back, then `report` on it; plus bad-input handling
# of the real binary.
set(run_file ${CMAKE_BINARY_DIR}/tests/mpi_run.h5)
add_test(NAME mpi_run_4ranks
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/run_mpi.sh $<TARGET_FILE:helm-bench> ${run_file}
          ${HELM_SHARED_DIR})
set_tests_properties(mpi_run_4ranks PROPERTIES FIXTURES_SETUP mpi_run_file TIMEOUT 300 LABELS mpi
                     RUN_SERIAL TRUE)

# Not helm_test(): its cases must run only after the MPI run (a fixture), as one ctest entry.
add_executable(test_run_file test_run_file.cpp)
target_link_libraries(test_run_file PRIVATE helm::results GTest::gtest GTest::gtest_main)
set_target_properties(test_run_file PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR}/tests)
add_test(NAME run_file_checks COMMAND test_run_file)
set_tests_properties(run_file_checks PROPERTIES FIXTURES_REQUIRED mpi_run_file
                     ENVIRONMENT "HELM_RUN_FILE=${run_file}" LABELS mpi)

add_test(NAME report_on_run_file COMMAND $<TARGET_FILE:helm-bench> report ${run_file} --format csv)
set_tests_properties(report_on_run_file PROPERTIES FIXTURES_REQUIRED mpi_run_file
                     PASS_REGULAR_EXPRESSION "mpi_run.h5,synthetic,steady,\"static:0.3,0.7\",rr," LABELS mpi)

add_test(NAME cli_bad_input
  COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_bad_input.sh $<TARGET_FILE:helm-bench> ${HELM_SHARED_DIR})

# The front end replays a real run's recorded events to the same decisions and rows.
# Alone: under a loaded ctest -j2 its 4 ranks starved and naive-adaptive never moved (moved = 0).
helm_test(test_front_end_replay SOURCES test_front_end_replay.cpp test_run_util.cpp DEPS helm::harness LABELS mpi SERIAL)
target_compile_definitions(test_front_end_replay PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                                         HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_front_end_replay helm-bench)

# `run` and `sim` route a trace identically for deterministic routers (instant executor).
helm_test(test_run_sim_agree SOURCES test_run_sim_agree.cpp DEPS helm::results LABELS mpi)
target_compile_definitions(test_run_sim_agree PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>"
                                                      HELM_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
add_dependencies(test_run_sim_agree helm-bench)
