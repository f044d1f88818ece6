# `helm-bench trace`: profiles x regimes, a trace file written and replayed, bad input.
add_test(NAME cli_trace COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_trace.sh $<TARGET_FILE:helm-bench>)
set_tests_properties(cli_trace PROPERTIES TIMEOUT 300)
