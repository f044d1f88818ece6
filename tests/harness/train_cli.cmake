# `helm-bench train`: a few PPO updates end to end (policy file loads back, curve rows), bad input.
add_test(NAME cli_train COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/test_cli_train.sh $<TARGET_FILE:helm-bench>)
set_tests_properties(cli_train PROPERTIES TIMEOUT 120)
