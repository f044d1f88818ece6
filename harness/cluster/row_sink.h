// Where the cluster front end puts the rows it produces: `run` streams them to the results
// thread (ResultsSink), `sim` collects /nodes and /controller in memory and takes /requests from
// the front end at the end, in id order.
#pragma once
#include <vector>

#include "results/schema.h"

namespace helm {

class RowSink {
 public:
  virtual ~RowSink() = default;
  virtual void add(const RequestRow& r) = 0;     // a request's final row (once per request)
  virtual void add(const NodeRow& r) = 0;        // a node's window
  virtual void add(const ControllerRow& r) = 0;  // a memory-policy decision
};

// Keeps /nodes and /controller rows in arrival order; request rows are read from the front end.
class RowCollector final : public RowSink {
 public:
  void add(const RequestRow&) override {}
  void add(const NodeRow& r) override { nodes.push_back(r); }
  void add(const ControllerRow& r) override { controller.push_back(r); }
  std::vector<NodeRow> nodes;
  std::vector<ControllerRow> controller;
};

}  // namespace helm
