// ResultsReader: reads a results file back (the report, tests, and any C++ analysis).
// Every fault of the file (missing, not HDF5, no schema_version or one this build cannot read, a
// missing table or field) is BadInput naming the file and the object: result files come from users.
// Files of every schema version from kOldestSchemaVersion to kSchemaVersion are read; columns
// added since the file's version (results/schema.h added_field) get their `absent` value.
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
  int64_t schema_version() const { return version_; }
  std::vector<RequestRow> requests() const;
  std::vector<ControllerRow> controller() const;
  std::vector<NodeRow> nodes() const;

 private:
  template <typename Row>
  std::vector<Row> read_table() const;
  h5::File file_;
  RootAttributes attrs_;
  int64_t version_ = 0;
};

}  // namespace helm
