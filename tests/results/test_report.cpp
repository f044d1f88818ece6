// `report` over small files in every format, and its bad input.
#include <fstream>
#include <sstream>

#include "common/error.h"
#include "fixtures.h"
#include "results/report.h"
#include "results/writer.h"

using namespace helm;
using test::TempFile;

namespace {

// 10 requests, latencies 1..10 ms (the last one dropped), slo 5 ms.
void write_run(const std::string& path, const std::string& policy, const std::string& tag) {
  RootAttributes a;
  a.set("dataset", "ml-20m").set("workload", "steady").set("memory_policy", policy);
  a.set("router", "rr").set("slo_ms", 5.0).set("warmup_ns", int64_t{0});
  if (!tag.empty()) a.set("tag_split", tag), a.set(attr::kSeed, int64_t{7});
  ResultsWriter w(path, a);
  std::vector<RequestRow> rows;
  for (int i = 0; i < 10; ++i) {
    RequestRow r = test::completed(i, 100.0 * i, 1 + i);
    r.emb_lookups = 4, r.emb_hits = 3;
    r.kv_hit_tokens_pool = 1, r.computed_tokens = 1;
    rows.push_back(r);
  }
  rows[9] = test::dropped(9, 900);
  w.append(rows);
}

std::string render(const std::vector<std::string>& files, Format f) {
  std::ostringstream out;
  report(files, f, out);
  return out.str();
}

}  // namespace

TEST(Report, ThreeFormatsOverTwoRuns) {
  TempFile a, b;
  write_run(a.path(), "static:0.3", "a_b");
  write_run(b.path(), "helm", "");
  // P50 = 5th of 9 = 5 ms; P99 = 9 ms; SLO 5 of 10 = 50%; throughput: 9 in 0.809 s.
  const std::string md = render({a.path(), b.path()}, Format::kMarkdown);
  EXPECT_NE(md.find("| file"), std::string::npos) << md;
  EXPECT_NE(md.find("static:0.3"), std::string::npos);
  EXPECT_NE(md.find("5.000"), std::string::npos);
  EXPECT_NE(md.find("9.000"), std::string::npos);
  EXPECT_NE(md.find("50.00"), std::string::npos);
  EXPECT_NE(md.find("75.00"), std::string::npos);  // EMB 3 of 4
  EXPECT_NE(md.find("split"), std::string::npos);  // tag column, prefix dropped
  EXPECT_EQ(std::count(md.begin(), md.end(), '\n'), 4);  // header, rule, two rows
  for (const char* col : {"p99_completed_ms", "p99_all_ms", "goodput_rps", "slo_pct", " inf |"})
    EXPECT_NE(md.find(col), std::string::npos) << col << "\n" << md;

  const std::string csv = render({a.path(), b.path()}, Format::kCsv);
  std::istringstream lines(csv);
  std::string header, row1, row2;
  std::getline(lines, header);
  std::getline(lines, row1);
  std::getline(lines, row2);
  EXPECT_EQ(header,
            "file,dataset,workload,memory_policy,router,p50_ms,p99_completed_ms,p99_all_ms,"
            "p999_ms,slo_pct,goodput_rps,throughput_rps,emb_hit_pct,kv_hit_pct,requests,completed,"
            "dropped,failed,dispatch_lag_p99_ms,valid,run_seed,split");
  // 1 of 10 lost (10%): the all-requests P99 is inf. Goodput: 5 within the SLO in 0.809 s.
  EXPECT_NE(row1.find(",ml-20m,steady,static:0.3,rr,5.000,9.000,inf,9.000,50.00,6.18,11.12,75.00,"
                      "50.00,10,9,1,0,0.000,yes,7,a_b"),
            std::string::npos)
      << row1;
  EXPECT_NE(row2.find(",helm,rr,"), std::string::npos);
  EXPECT_NE(row2.find(",yes,-,"), std::string::npos) << row2;  // no seed attribute: a dash
  EXPECT_EQ(row2.back(), ',');  // no tag in the second run: blank cell

  const std::string tex = render({a.path(), b.path()}, Format::kLatex);
  EXPECT_NE(tex.find("\\begin{tabular}{lllllrrrrrrrrrrll}"), std::string::npos) << tex;
  EXPECT_NE(tex.find("p99\\_all\\_ms"), std::string::npos) << tex;
  EXPECT_NE(tex.find("goodput\\_rps"), std::string::npos) << tex;
  EXPECT_NE(tex.find("memory\\_policy"), std::string::npos);
  EXPECT_NE(tex.find("a\\_b"), std::string::npos);
  EXPECT_NE(tex.find("\\bottomrule"), std::string::npos);
}

TEST(Report, FormatNames) {
  EXPECT_EQ(parse_format("markdown"), Format::kMarkdown);
  EXPECT_EQ(parse_format("csv"), Format::kCsv);
  EXPECT_EQ(parse_format("latex"), Format::kLatex);
  EXPECT_THROW(parse_format("html"), BadInput);
}

TEST(Report, BadFilesAreBadInputNamingTheFile) {
  TempFile good, missing, text(".csv"), bare;
  write_run(good.path(), "helm", "");
  std::ofstream(text.path()) << "not hdf5\n";
  {
    h5::File h(bare.path(), h5::Mode::kCreate);
    h.set_attr("/", "schema_version", kSchemaVersion);  // right version, no tables
  }
  for (const auto* bad : {&missing, &text, &bare}) {
    std::ostringstream out;
    try {
      report({good.path(), bad->path()}, Format::kCsv, out);
      FAIL() << bad->path();
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(bad->path()), std::string::npos) << e.what();
    }
    EXPECT_TRUE(out.str().empty());  // nothing printed before the error
  }
  EXPECT_THROW(render({}, Format::kCsv), BadInput);
}

TEST(Report, PeopleSeeDataFileNamesScriptsSeeFullPaths) {
  TempFile f("report_paths.h5");
  {
    RootAttributes a;
    a.set("dataset", "movielens:/data/ml/ratings.csv").set("workload", "replay:/traces/azure.csv");
    a.set("memory_policy", "static:0.5").set("router", "rr").set("slo_ms", 5.0);
    ResultsWriter w(f.path(), a);
    const RequestRow r = test::completed(0, 0, 1);
    w.append(std::span<const RequestRow>(&r, 1));
  }
  const std::string md = render({f.path()}, Format::kMarkdown);
  EXPECT_NE(md.find("| movielens:ratings.csv |"), std::string::npos) << md;
  EXPECT_NE(md.find("| replay:azure.csv "), std::string::npos) << md;
  const std::string csv = render({f.path()}, Format::kCsv);
  EXPECT_NE(csv.find("movielens:/data/ml/ratings.csv,replay:/traces/azure.csv"), std::string::npos) << csv;
}
