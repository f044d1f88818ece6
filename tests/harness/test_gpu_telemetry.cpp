// GPU telemetry without a GPU: NVML is opened with dlopen, so a machine without the driver (here,
// CI) gets "unavailable" and -1 readings, never a crash or a failed start; and every /nodes row
// starts with -1 in the GPU columns (what the CPU backend writes).
#include <gtest/gtest.h>

#include <dlfcn.h>

#include "harness/node/gpu_telemetry.h"
#include "harness/node/window_stats.h"

namespace helm {
namespace {

void expect_no_readings(const GpuTelemetry& t) {
  EXPECT_FALSE(t.available());
  EXPECT_FALSE(t.why_unavailable().empty());
  const GpuSample s = t.sample();
  EXPECT_EQ(s.power_w, -1);
  EXPECT_EQ(s.sm_clock_mhz, -1);
  EXPECT_EQ(s.mem_used_mib, -1);
}

TEST(GpuTelemetry, AMissingLibraryIsUnavailable) {
  const GpuTelemetry t = GpuTelemetry::open("00000000:00:00.0", "libhelm-no-such-nvml.so.1");
  expect_no_readings(t);
  EXPECT_NE(t.why_unavailable().find("NVML not loaded"), std::string::npos) << t.why_unavailable();
}

TEST(GpuTelemetry, ALibraryWithoutNvmlIsUnavailable) {
  const GpuTelemetry t = GpuTelemetry::open("00000000:00:00.0", "libm.so.6");
  expect_no_readings(t);
  EXPECT_NE(t.why_unavailable().find("nvmlInit_v2"), std::string::npos) << t.why_unavailable();
}

// The real soname: on a machine without the NVIDIA driver (this one, CI) it is absent.
TEST(GpuTelemetry, WithoutTheDriverTheRealLibraryIsAbsent) {
  if (void* h = dlopen("libnvidia-ml.so.1", RTLD_NOW | RTLD_LOCAL)) {
    dlclose(h);
    GTEST_SKIP() << "this machine has NVML (a GPU machine): nothing to show here";
  }
  expect_no_readings(GpuTelemetry::open("00000000:00:00.0"));
}

TEST(GpuTelemetry, NodeRowsStartWithNoGpuReadings) {
  WindowStats w(0, 1'000'000);
  const NodeRow r = w.close(1000, 0, LinkStats{}, 0.5);
  EXPECT_EQ(r.gpu_power_w, -1);
  EXPECT_EQ(r.gpu_sm_clock_mhz, -1);
  EXPECT_EQ(r.gpu_mem_used_mib, -1);
}

}  // namespace
}  // namespace helm
