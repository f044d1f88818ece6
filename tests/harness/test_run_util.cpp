#include "tests/harness/test_run_util.h"

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <vector>

#include "harness/cli/run_options.h"

namespace helm::test {

int mpirun(int ranks, const std::string& args, const std::string& out, const std::string& log,
           const std::string& env) {
  std::string exports;
  std::istringstream in(env);
  for (std::string kv; in >> kv;) exports += " -x " + kv.substr(0, kv.find('='));
  const std::string cmd = "bash -c 'source " HELM_SOURCE_DIR "/scripts/mpi-env.sh && " + env +
                          " \"${HELM_MPIRUN[@]}\"" + exports + " -np " + std::to_string(ranks) +
                          " " HELM_BENCH_EXE " run " + args + " --out " + out + "' > " + log + " 2>&1";
  const int rc = std::system(cmd.c_str());
  return WIFEXITED(rc) ? WEXITSTATUS(rc) : -1;
}

RunContext run_context(const std::string& args) {
  std::vector<std::string> words{"run"};
  std::istringstream in(args);
  for (std::string w; in >> w;) words.push_back(w);
  std::vector<char*> argv;
  for (auto& w : words) argv.push_back(w.data());
  RunOptions opt;
  cli::po::options_description desc;
  add_run_options(desc, opt);
  auto p = cli::parse("run", "", desc, static_cast<int>(argv.size()), argv.data());
  return build_run_context(opt, cli::effective_config(p.vm));
}

std::string temp_path(const std::string& name) {
  const auto p = std::filesystem::temp_directory_path() / name;
  std::filesystem::remove(p);
  return p.string();
}

}  // namespace helm::test
