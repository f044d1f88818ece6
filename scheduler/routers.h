// Factories of the individual routers (one .cpp each); only router_registry.cpp calls them.
#pragma once
#include "scheduler/router.h"

namespace helm {
std::unique_ptr<Router> make_rr(const RouterOptions& o);
}  // namespace helm
