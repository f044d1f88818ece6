// `helm-bench report FILE.h5...`: one row per run (P50/P99/SLO tables), markdown, csv or latex.
#include <iostream>

#include "common/error.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "results/report.h"

namespace helm {

int cmd_report(int argc, char** argv) {
  namespace po = cli::po;
  std::vector<std::string> files;
  std::string format = "markdown";
  po::options_description desc("report options");
  desc.add_options()
      ("files", po::value(&files)->composing(), "result files (HDF5), positional")
      ("format", po::value(&format)->default_value(format), "markdown|csv|latex");
  po::positional_options_description pos;
  pos.add("files", -1);
  auto p = cli::parse("report", "FILE.h5... [--format markdown|csv|latex]", desc, argc, argv, &pos);
  if (p.help) return 0;
  if (files.empty()) bad_input("report: no result files given (helm-bench report FILE.h5...)");
  const Format f = parse_format(format);
  report(files, f, std::cout);
  return 0;
}

}  // namespace helm
