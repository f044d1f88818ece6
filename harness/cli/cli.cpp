#include "harness/cli/cli.h"

#include <fmt/format.h>

#include <cctype>
#include <fstream>
#include <iostream>
#include <sstream>

#include "common/error.h"

namespace helm::cli {

namespace {
// Boost.Program_options builds its error messages by replacing "%value%", "%option%", ... in a
// template with the offending text, and repeats each replacement until the token is gone: a value
// or option name that itself contains its token ("--qps %value%") never finishes (CPU and memory
// grow until killed). So text holding any "%word%" is refused before Boost sees it.
void refuse_placeholders(const std::string& text, const std::string& where) {
  for (size_t a = text.find('%'); a != std::string::npos; a = text.find('%', a + 1)) {
    size_t b = a + 1;
    while (b < text.size() && (std::isalnum(static_cast<unsigned char>(text[b])) || text[b] == '_')) ++b;
    if (b > a + 1 && b < text.size() && text[b] == '%')
      bad_input("{}: '{}' is not allowed (a %word% token of the option parser's messages)", where,
                text.substr(a, b - a + 1));
  }
}
}  // namespace

Parsed parse(const std::string& sub, const std::string& usage, po::options_description& desc,
             int argc, char** argv, const po::positional_options_description* positional) {
  desc.add_options()("help,h", "print this help and exit")(
      "config", po::value<std::string>(), "INI file of options (key = value); the command line wins");
  Parsed p;
  for (int i = 1; i < argc; ++i) refuse_placeholders(argv[i], fmt::format("argument {}", i));
  try {
    po::command_line_parser parser(argc, argv);
    parser.options(desc);
    if (positional) parser.positional(*positional);
    po::store(parser.run(), p.vm);
    if (p.vm.count("help")) {
      std::cout << "usage: helm-bench " << sub << " " << usage << "\n\n" << desc << "\n";
      p.help = true;
      return p;
    }
    if (p.vm.count("config")) {
      const auto path = p.vm["config"].as<std::string>();
      std::ifstream file(path);
      if (!file) bad_input("{}: cannot read config file", path);
      std::stringstream in;
      in << file.rdbuf();
      std::string line;
      for (int n = 1; std::getline(in, line); ++n) refuse_placeholders(line, fmt::format("{}:{}", path, n));
      in.clear();
      in.seekg(0);
      try {
        po::store(po::parse_config_file(in, desc), p.vm);
      } catch (const po::error& e) {
        bad_input("{}: {}", path, e.what());
      }
    }
    po::notify(p.vm);
  } catch (const po::error& e) {
    bad_input("{} (see helm-bench {} --help)", e.what(), sub);
  }
  return p;
}

namespace {
std::string value_text(const po::variable_value& v) {
  const auto& a = v.value();
  if (auto p = boost::any_cast<std::string>(&a)) return *p;
  if (auto p = boost::any_cast<int>(&a)) return std::to_string(*p);
  if (auto p = boost::any_cast<int64_t>(&a)) return std::to_string(*p);
  if (auto p = boost::any_cast<uint64_t>(&a)) return std::to_string(*p);
  if (auto p = boost::any_cast<double>(&a)) return fmt::format("{}", *p);
  if (auto p = boost::any_cast<bool>(&a)) return *p ? "true" : "false";
  if (auto p = boost::any_cast<std::vector<std::string>>(&a)) {
    std::string s;
    for (const auto& x : *p) s += (s.empty() ? "" : ",") + x;
    return s;
  }
  return "?";
}
}  // namespace

std::string effective_config(const po::variables_map& vm) {
  std::ostringstream out;
  for (const auto& [key, v] : vm) {
    if (key == "help") continue;
    out << key << " = " << value_text(v) << (v.defaulted() ? "  # default" : "") << "\n";
  }
  return out.str();
}

std::map<std::string, ConfigEntry> parse_effective_config(const std::string& text) {
  std::map<std::string, ConfigEntry> c;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    const auto eq = line.find(" = ");
    if (eq == std::string::npos) continue;
    ConfigEntry v{line.substr(eq + 3)};
    if (const auto note = v.value.rfind("  # "); note != std::string::npos) {
      v.defaulted = v.value.substr(note + 4) == "default";
      v.value.resize(note);
    }
    c[line.substr(0, eq)] = v;
  }
  return c;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace helm::cli
