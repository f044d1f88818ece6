// Injected node loss in the simulator: `sim --fail-node K@T[:T2]` (repeatable). Node K goes down
// at T seconds of virtual time, with its queue, its running batch and its caches; with T2 it comes
// back at T2 with empty caches. What the cluster makes of it (routing around it, failing or
// re-routing what it held, the footer's counts) is the front end's (cluster/front_end.h), which
// learns of the loss at the first control tick at or after T, as rank 0 of `run` learns of a
// silent worker only from the reports that stop coming. This file owns the spec's format.
#pragma once
#include <string>
#include <vector>

#include "common/clock.h"

namespace helm {

struct NodeFault {
  int node = 0;
  Nanos down = 0;  // virtual time the node is lost
  Nanos up = -1;   // when it is back (empty); < 0: never
};

// Parses every spec, sorted by (node, down). Throws BadInput naming --fail-node and the spec:
// K not an integer in [0, nodes), T or T2 not a finite number of seconds >= 0, T2 <= T, two
// faults of one node overlapping, or every node failing (one must stay up to route to).
std::vector<NodeFault> parse_node_faults(const std::vector<std::string>& specs, int nodes);

// What the driver does with the requests a lost node held: fail them (the default) or dispatch
// them again to live nodes (`--on-fail reroute`). Throws BadInput naming --on-fail otherwise.
bool parse_on_fail(const std::string& mode);

}  // namespace helm
