// Where the cluster front end puts the rows it produces: `run` streams them to the results
// thread (ResultsSink); `sim` puts /requests in id order first (ordered_rows.h), then streams
// them to its file the same way, or collects everything in memory (RowCollector) for callers
// that read the rows back (oracle, train, tests).
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

// Keeps every row in memory, each table in the order its rows came.
class RowCollector final : public RowSink {
 public:
  void add(const RequestRow& r) override { requests.push_back(r); }
  void add(const NodeRow& r) override { nodes.push_back(r); }
  void add(const ControllerRow& r) override { controller.push_back(r); }
  std::vector<RequestRow> requests;
  std::vector<NodeRow> nodes;
  std::vector<ControllerRow> controller;
};

}  // namespace helm
