// results_file_status: complete (with each verdict), killed mid-run, missing, not a results file.
#include "results/file_status.h"

#include <sys/wait.h>
#include <unistd.h>

#include <fstream>

#include "fixtures.h"
#include "results/summary.h"
#include "results/writer.h"

using namespace helm;
using helm::test::TempFile;

namespace {

std::vector<RequestRow> rows(int n) {
  std::vector<RequestRow> r;
  for (int i = 0; i < n; ++i) r.push_back(test::completed(i, i * 10.0, 2.0));
  return r;
}

void write_complete(const std::string& path, const std::vector<RequestRow>& req, int64_t generated,
                    double slo_ms) {
  RootAttributes a;
  a.set("slo_ms", slo_ms);
  ResultsWriter w(path, a);
  w.append(std::span<const RequestRow>(req));
  w.set_attrs(footer_attributes(summarize(req, 0, slo_ms, generated)));
  w.close();
}

}  // namespace

TEST(FileStatus, CompleteWithEachVerdict) {
  TempFile pass, fail, invalid;
  write_complete(pass.path(), rows(20), 20, 100);
  write_complete(fail.path(), rows(20), 25, 100);  // 5 ids never recorded: exactly-once fails
  auto lagging = rows(20);
  for (auto& r : lagging) r.dispatch_lag = 50'000'000;  // 50 ms > 5% of a 100 ms SLO
  write_complete(invalid.path(), lagging, 20, 100);
  const auto p = results_file_status(pass.path());
  EXPECT_EQ(p.state, FileState::kComplete);
  EXPECT_EQ(p.verdict, "PASS");
  EXPECT_EQ(p.rows, 20);
  EXPECT_EQ(results_file_status(fail.path()).verdict, "FAIL");
  EXPECT_EQ(results_file_status(invalid.path()).verdict, "INVALID");
  EXPECT_EQ(results_file_status(invalid.path()).state, FileState::kComplete);
}

TEST(FileStatus, KilledMidRunIsIncomplete) {
  TempFile f;
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {  // write and flush rows, then die without the footer or a close
    try {
      auto* w = new ResultsWriter(f.path(), {}, {.chunk_rows = 64});
      const auto r = rows(200);
      w->append(std::span<const RequestRow>(r));
      w->flush();
      _exit(0);
    } catch (...) {
      _exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  const auto s = results_file_status(f.path());
  EXPECT_EQ(s.state, FileState::kIncomplete);
  EXPECT_EQ(s.verdict, "-");
  EXPECT_EQ(s.rows, 200);
  EXPECT_NE(s.why.find("no footer"), std::string::npos) << s.why;
}

TEST(FileStatus, MissingAndForeignFiles) {
  TempFile missing, text, truncated;
  EXPECT_EQ(results_file_status(missing.path()).state, FileState::kMissing);
  std::ofstream(text.path()) << "not hdf5\n";
  EXPECT_EQ(results_file_status(text.path()).state, FileState::kUnreadable);
  write_complete(truncated.path(), rows(20), 20, 100);
  std::filesystem::resize_file(truncated.path(), 100);  // a copy cut short
  const auto t = results_file_status(truncated.path());
  EXPECT_NE(t.state, FileState::kComplete);
  EXPECT_STREQ(to_string(FileState::kIncomplete), "incomplete");
}
