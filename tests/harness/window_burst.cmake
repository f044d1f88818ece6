# The worker-side burst detector in WindowStats (10 ms bins of arrivals) on Poisson streams.
helm_test(test_window_burst SOURCES test_window_burst.cpp DEPS helm::harness_node)
