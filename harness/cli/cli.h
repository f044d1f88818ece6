// The command line: one executable, subcommands, Boost.Program_options, INI config files.
//
// Each subcommand is a function `int cmd_X(int argc, char** argv)` listed in the explicit table
// in main.cpp. parse_or_exit() handles --help, --config FILE (the command line wins), unknown
// options and type errors the same way for every subcommand: one line on stderr, exit code 2.
#pragma once
#include <boost/program_options.hpp>
#include <fmt/format.h>

#include <map>
#include <string>
#include <vector>

namespace helm::cli {

namespace po = boost::program_options;

// A default as a person would write it in --help ("0.05", not "0.050000000000000003").
template <typename T>
std::string shown(const T& v) {
  return fmt::format("{}", v);
}

struct Parsed {
  po::variables_map vm;
  bool help = false;  // --help was given: usage printed, the caller returns 0
};

// Parses argv (argv[0] is the subcommand) against `desc`, merging an INI --config file when given.
// Throws BadInput on unknown options, malformed values or an unreadable config file.
Parsed parse(const std::string& sub, const std::string& usage, po::options_description& desc,
             int argc, char** argv,
             const po::positional_options_description* positional = nullptr);

// "key = value" lines of every option in `vm`, sorted: the effective configuration,
// printed at start and stored in results files. Defaulted values are marked.
std::string effective_config(const po::variables_map& vm);
// That text read back (results files' `config` attribute): key -> value, and whether the value
// was a default. A note after "  # " is not part of the value.
struct ConfigEntry {
  std::string value;
  bool defaulted = false;
};
std::map<std::string, ConfigEntry> parse_effective_config(const std::string& text);

// `s` as one POSIX shell word (single-quoted): for the commands `capacity` and `fidelity` run.
std::string shell_quote(const std::string& s);

}  // namespace helm::cli
