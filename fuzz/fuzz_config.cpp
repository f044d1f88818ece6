// --config FILE: the INI file merged into every run option (Boost.Program_options).
#include "common/error.h"
#include "fuzz/fuzz_file.h"
#include "harness/cli/cli.h"
#include "harness/cli/run_options.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string& path = helm::fuzz::write_input(data, size, ".ini");
  helm::RunOptions o;
  helm::cli::po::options_description desc;
  helm::add_run_options(desc, o);
  std::string a0 = "sim", a1 = "--config", a2 = path;
  char* argv[] = {a0.data(), a1.data(), a2.data(), nullptr};
  try {
    auto p = helm::cli::parse("sim", "fuzz", desc, 3, argv);
    (void)helm::cli::effective_config(p.vm);
  } catch (const helm::BadInput&) {
  }
  return 0;
}
