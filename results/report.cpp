#include "results/report.h"

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <set>

#include "common/error.h"
#include "results/reader.h"
#include "results/summary.h"

namespace helm {

Format parse_format(std::string_view name) {
  if (name == "markdown" || name == "md") return Format::kMarkdown;
  if (name == "csv") return Format::kCsv;
  if (name == "latex" || name == "tex") return Format::kLatex;
  bad_input("--format: '{}' is not one of markdown, csv, latex", name);
}

namespace {

struct Column {
  const char* name;
  bool numeric;   // right-aligned
  bool csv_only;  // tables for people leave it out; csv carries every column
};
// Every figure comes from summarize() (results/summary.h), the one place they are defined.
const std::vector<Column> kColumns = {
    {"file", false, false},           {"dataset", false, false},
    {"workload", false, false},       {"memory_policy", false, false},
    {"router", false, false},         {"p50_ms", true, false},
    {"p99_completed_ms", true, false}, {"p99_all_ms", true, false},
    {"p999_ms", true, true},          {"slo_pct", true, false},
    {"goodput_rps", true, false},     {"throughput_rps", true, false},
    {"emb_hit_pct", true, false},     {"kv_hit_pct", true, false},
    {"requests", true, false},        {"completed", true, true},
    {"dropped", true, false},         {"failed", true, true},
    {"dispatch_lag_p99_ms", true, true}, {"valid", false, false},
    {"run_seed", true, true}};  // the root attribute seed: tables pair policies by it

struct Run {
  std::vector<std::string> cells;  // one per kColumns entry
  RootAttributes attrs;
};

std::string ms3(Nanos v) { return fmt::format("{:.3f}", double(v) * 1e-6); }

Run load(const std::string& path) {
  ResultsReader r(path);  // BadInput for missing / not HDF5 / unknown schema / missing tables
  const RootAttributes& a = r.attributes();
  const auto slo = a.number(attr::kSloMs);
  if (!slo) bad_input("{}: missing numeric root attribute '{}'", path, attr::kSloMs);
  const Nanos warmup = a.integer(attr::kWarmupNs).value_or(0);
  const Summary s = summarize(r.requests(), warmup, *slo,
                              a.integer(attr::kRequestsGenerated).value_or(-1));
  auto or_dash = [&](const char* key) { return a.has(key) ? a.text(key) : std::string("-"); };
  Run run;
  run.attrs = a;
  run.cells = {std::filesystem::path(path).filename().string(),
               or_dash(attr::kDataset),
               or_dash(attr::kWorkload),
               or_dash(attr::kMemoryPolicy),
               or_dash(attr::kRouter),
               ms3(s.p50.value),
               ms3(s.p99.value),
               format_ms(s.p99_all),
               ms3(s.p999.value),
               fmt::format("{:.2f}", 100 * s.slo_satisfaction),
               fmt::format("{:.2f}", s.goodput_rps),
               fmt::format("{:.2f}", s.throughput_rps),
               fmt::format("{:.2f}", 100 * s.emb_hit_rate),
               fmt::format("{:.2f}", 100 * s.kv_hit_rate),
               fmt::format("{}", s.generated),
               fmt::format("{}", s.completed),
               fmt::format("{}", s.dropped),
               fmt::format("{}", s.failed),
               ms3(s.dispatch_lag_p99.value),
               s.valid && s.exactly_once ? "yes" : "no",
               or_dash(attr::kSeed)};
  return run;
}

// "movielens:/a/b/ratings.csv" -> "movielens:ratings.csv"; text without a path is unchanged.
std::string without_directories(const std::string& source) {
  const auto colon = source.find(':');
  const auto slash = source.rfind('/');
  if (colon == std::string::npos || slash == std::string::npos || slash < colon) return source;
  return source.substr(0, colon + 1) + source.substr(slash + 1);
}

std::string csv_cell(const std::string& c) {
  if (c.find_first_of(",\"\n\r") == std::string::npos) return c;
  std::string out = "\"";
  for (char ch : c) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

std::string latex_cell(const std::string& c) {
  std::string out;
  for (char ch : c) {
    switch (ch) {
      case '\\': out += "\\textbackslash{}"; break;
      case '~': out += "\\textasciitilde{}"; break;
      case '^': out += "\\textasciicircum{}"; break;
      case '&': case '%': case '$': case '#': case '_': case '{': case '}':
        out += '\\';
        out += ch;
        break;
      default: out += ch;
    }
  }
  return out;
}

using Cells = std::vector<std::vector<std::string>>;

void markdown(const Cells& t, const std::vector<bool>& numeric, std::ostream& out) {
  std::vector<size_t> w(t[0].size(), 3);
  for (const auto& row : t)
    for (size_t c = 0; c < row.size(); ++c) w[c] = std::max(w[c], row[c].size());
  auto emit = [&](const std::vector<std::string>& row) {
    out << '|';
    for (size_t c = 0; c < row.size(); ++c)
      out << ' ' << (numeric[c] ? fmt::format("{:>{}}", row[c], w[c]) : fmt::format("{:<{}}", row[c], w[c]))
          << " |";
    out << '\n';
  };
  emit(t[0]);
  out << '|';
  for (size_t c = 0; c < w.size(); ++c)
    out << ' ' << std::string(w[c] - 1, '-') << (numeric[c] ? ':' : '-') << " |";
  out << '\n';
  for (size_t r = 1; r < t.size(); ++r) emit(t[r]);
}

void csv(const Cells& t, std::ostream& out) {
  for (const auto& row : t) {
    for (size_t c = 0; c < row.size(); ++c) out << (c ? "," : "") << csv_cell(row[c]);
    out << '\n';
  }
}

// A booktabs tabular (\usepackage{booktabs}), ready for \input{}.
void latex(const Cells& t, const std::vector<bool>& numeric, std::ostream& out) {
  std::string spec;
  for (size_t c = 0; c < t[0].size(); ++c) spec += numeric[c] ? 'r' : 'l';
  out << "\\begin{tabular}{" << spec << "}\n\\toprule\n";
  for (size_t r = 0; r < t.size(); ++r) {
    for (size_t c = 0; c < t[r].size(); ++c) out << (c ? " & " : "") << latex_cell(t[r][c]);
    out << " \\\\\n";
    if (r == 0) out << "\\midrule\n";
  }
  out << "\\bottomrule\n\\end{tabular}\n";
}

}  // namespace

void report(const std::vector<std::string>& files, Format fmt, std::ostream& out) {
  if (files.empty()) bad_input("report: no result files given");
  std::vector<Run> runs;
  for (const auto& f : files) runs.push_back(load(f));  // all checked before anything is printed

  std::set<std::string> tags;  // sorted: a stable column order across sweeps
  for (const auto& r : runs)
    for (const auto& [k, v] : r.attrs.items())
      if (k.starts_with(attr::kTagPrefix)) tags.insert(k);
  std::vector<size_t> shown;  // indices into kColumns
  for (size_t c = 0; c < kColumns.size(); ++c)
    if (fmt == Format::kCsv || !kColumns[c].csv_only) shown.push_back(c);
  Cells table(1);
  std::vector<bool> numeric;
  for (size_t c : shown) {
    table[0].push_back(kColumns[c].name);
    numeric.push_back(kColumns[c].numeric);
  }
  for (const auto& k : tags) {
    table[0].push_back(k.substr(std::string_view(attr::kTagPrefix).size()));
    numeric.push_back(false);
  }
  for (auto& r : runs) {
    // Tables for people show data files by name; csv keeps the full paths for scripts.
    if (fmt != Format::kCsv)
      for (size_t c : {size_t{1}, size_t{2}}) r.cells[c] = without_directories(r.cells[c]);
    std::vector<std::string> row;
    for (size_t c : shown) row.push_back(std::move(r.cells[c]));
    for (const auto& k : tags) row.push_back(r.attrs.text(k));
    table.push_back(std::move(row));
  }
  switch (fmt) {
    case Format::kMarkdown: markdown(table, numeric, out); break;
    case Format::kCsv: csv(table, out); break;
    case Format::kLatex: latex(table, numeric, out); break;
  }
}

}  // namespace helm
