# Routing in the simulator: the ClusterView kept current from sim events, every router
# of the registry end to end, KV-aware routers beating rr on KV hits. Seconds, no binary needed.
helm_test(test_sim_router SOURCES test_sim_router.cpp DEPS helm::harness)
