# The EMB cache's miniature simulation (`sim --emb-sample`): the sampling rule, and its accuracy
# against the exact simulation on the same KuaiRand-shaped trace.
helm_test(test_emb_sample SOURCES test_emb_sample.cpp DEPS helm::harness)
target_compile_definitions(test_emb_sample PRIVATE HELM_BENCH_EXE="$<TARGET_FILE:helm-bench>")
add_dependencies(test_emb_sample helm-bench)
