// Factories of the individual routers (one .cpp each); only router_registry.cpp calls them.
#pragma once
#include "scheduler/router.h"

namespace helm {
std::unique_ptr<Router> make_rr(const RouterOptions& o);
std::unique_ptr<Router> make_least_loaded(const RouterOptions& o);
std::unique_ptr<Router> make_p2c(const RouterOptions& o);
std::unique_ptr<Router> make_kv_affinity(const RouterOptions& o);
std::unique_ptr<Router> make_cache_aware(const RouterOptions& o);
std::unique_ptr<Router> make_helm(const RouterOptions& o);
std::unique_ptr<Router> make_dynamo(const RouterOptions& o);
std::unique_ptr<Router> make_llm_d(const RouterOptions& o);
std::unique_ptr<Router> make_load_aware(const RouterOptions& o);
}  // namespace helm
