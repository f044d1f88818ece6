// `helm-bench report FILE.h5...`: one row per run (P50/P99/SLO tables), markdown, csv or latex.
#include <iostream>

#include "common/error.h"
#include "harness/cli/cli.h"
#include "harness/cli/commands.h"
#include "results/file_status.h"
#include "results/report.h"

namespace helm {

int cmd_report(int argc, char** argv) {
  namespace po = cli::po;
  std::vector<std::string> files;
  std::string format = "markdown";
  bool status = false;
  po::options_description desc("report options");
  desc.add_options()
      ("files", po::value(&files)->composing(), "result files (HDF5), positional")
      ("format", po::value(&format)->default_value(format), "markdown|csv|latex")
      ("status", po::bool_switch(&status), "instead: one tab-separated line per file: state (complete, "
       "incomplete, unreadable, missing), verdict (PASS, FAIL, INVALID, -), /requests rows, file, why");
  po::positional_options_description pos;
  pos.add("files", -1);
  auto p = cli::parse("report", "FILE.h5... [--format markdown|csv|latex | --status]", desc, argc, argv, &pos);
  if (p.help) return 0;
  if (files.empty()) bad_input("report: no result files given (helm-bench report FILE.h5...)");
  if (status) {  // what sweeps ask before re-running a task: never fails on a bad file
    for (const auto& f : files) {
      const ResultsFileStatus st = results_file_status(f);
      std::cout << to_string(st.state) << '\t' << st.verdict << '\t' << st.rows << '\t' << f << '\t' << st.why << '\n';
    }
    return 0;
  }
  const Format f = parse_format(format);
  report(files, f, std::cout);
  return 0;
}

}  // namespace helm
