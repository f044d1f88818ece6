#include "common/progress.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <sstream>

namespace helm {
namespace {

ProgressOptions plain(std::ostream& out, double every_s) {
  ProgressOptions o;
  o.out = &out;
  o.every_s = every_s;
  o.label = "run";
  return o;
}

TEST(Progress, LineShowsDoneRateEtaP99AndDrops) {
  std::ostringstream out;
  Progress p(400, plain(out, 10));
  for (int i = 1; i <= 100; ++i) p.record(true, i * 1'000'000);  // 1..100 ms
  p.record(false, 0);
  p.record(false, 0);
  // 102 done in 2 s: 51 req/s; 298 left -> ETA 6 s; nearest-rank P99 of 1..100 ms is 99 ms.
  EXPECT_EQ(p.line(2.0), "run: 102/400 (25.5%), 51.0 req/s, ETA 6 s, P99 99.000 ms (last 100), 2 dropped");
  EXPECT_EQ(p.done(), 102);
  EXPECT_EQ(p.dropped(), 2);
}

TEST(Progress, NothingCompletedYet) {
  std::ostringstream out;
  Progress p(10, plain(out, 1));
  EXPECT_EQ(p.line(0.0), "run: 0/10 (0.0%), 0.0 req/s, ETA -, P99 -, 0 dropped");
}

TEST(Progress, P99IsOverTheLatestWindowOnly) {
  std::ostringstream out;
  Progress p(3 * Progress::kWindow, plain(out, 1));
  for (size_t i = 0; i < Progress::kWindow; ++i) p.record(true, 1'000'000'000);  // old: 1 s
  for (size_t i = 0; i < Progress::kWindow; ++i) p.record(true, 2'000'000);      // recent: 2 ms
  EXPECT_NE(p.line(1.0).find("P99 2.000 ms (last 4096)"), std::string::npos) << p.line(1.0);
}

TEST(Progress, PlainLinesOnlyWhenDue) {
  std::ostringstream out;
  Progress p(100, plain(out, 5));
  p.record(true, 1000);
  p.tick_at(1.0);  // a short run prints nothing
  EXPECT_EQ(out.str(), "");
  p.tick_at(5.0);
  p.tick_at(7.0);  // not due again before 10 s
  p.tick_at(10.0);
  EXPECT_EQ(p.lines_printed(), 2);
  const std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
  EXPECT_EQ(s.find('\r'), std::string::npos);
  p.finish();  // plain mode: nothing more
  EXPECT_EQ(out.str(), s);
}

TEST(Progress, RedrawUsesCarriageReturnAndEndsWithNewline) {
  std::ostringstream out;
  ProgressOptions o = plain(out, 0.5);
  o.redraw = true;
  Progress p(10, o);
  p.record(true, 1000);
  p.tick_at(0.6);
  p.tick_at(1.2);
  p.finish();
  const std::string s = out.str();
  EXPECT_EQ(s.front(), '\r');
  EXPECT_EQ(std::count(s.begin(), s.end(), '\r'), 2);
  EXPECT_EQ(s.back(), '\n');
}

TEST(Progress, DisabledPrintsNothing) {
  ProgressOptions o;  // out == nullptr
  Progress p(10, o);
  p.record(true, 1);
  for (int i = 0; i < 1000; ++i) p.tick();
  p.tick_at(1e9);
  p.finish();
  EXPECT_FALSE(p.enabled());
  EXPECT_EQ(p.lines_printed(), 0);
}

TEST(Progress, EnvironmentSelectsTheMode) {
  setenv("HELM_PROGRESS", "off", 1);
  EXPECT_EQ(progress_options("sim").out, nullptr);
  setenv("HELM_PROGRESS", "7", 1);
  ProgressOptions o = progress_options("sim");
  EXPECT_NE(o.out, nullptr);
  EXPECT_FALSE(o.redraw);
  EXPECT_DOUBLE_EQ(o.every_s, 7);
  EXPECT_EQ(o.label, "sim");
  unsetenv("HELM_PROGRESS");
  o = progress_options("sim");  // ctest's stderr is not a terminal: plain lines, every 30 s
  EXPECT_NE(o.out, nullptr);
  if (!o.redraw) {
    EXPECT_DOUBLE_EQ(o.every_s, 30);
  }
}

}  // namespace
}  // namespace helm
