// ResultsReader: reads a results file back (the report, tests, and any C++ analysis).
// Every fault of the file (missing, not HDF5, no or another schema_version, a missing table or
// field) is BadInput naming the file and the object: result files come from users.
#pragma once
#include <string>
#include <vector>

#include "common/h5.h"
#include "results/attributes.h"
#include "results/schema.h"

namespace helm {

class ResultsReader {
 public:
  // Opens read-only, checks schema_version and that /requests, /controller and /nodes exist.
  explicit ResultsReader(const std::string& path);

  const std::string& path() const { return file_.path(); }
  // Every scalar int, float or string attribute on the root (others, e.g. arrays, are skipped),
  // in name order.
  const RootAttributes& attributes() const { return attrs_; }
  std::vector<RequestRow> requests() const;
  std::vector<ControllerRow> controller() const;
  std::vector<NodeRow> nodes() const;

 private:
  template <typename Row>
  std::vector<Row> read_table() const;
  h5::File file_;
  RootAttributes attrs_;
};

}  // namespace helm
