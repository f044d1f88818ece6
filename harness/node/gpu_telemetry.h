// Per-window GPU telemetry for /nodes (power, SM clock, memory used), from NVML where the driver
// offers it. NVML is loaded at run time (dlopen "libnvidia-ml.so.1"), never linked: the binary
// must start on machines without the NVIDIA driver (CI, the CPU backend). Anything unavailable
// reads -1, the columns' convention (common/node_counters.h); the CPU backend never opens it.
// The GPU is named by its PCI bus id (cudaDeviceGetPCIBusId), because NVML's device order is
// not CUDA's (CUDA_VISIBLE_DEVICES, CUDA_DEVICE_ORDER).
// Single-threaded: the worker's loop samples it when a window closes.
#pragma once
#include <memory>
#include <string>

namespace helm {

struct GpuSample {
  double power_w = -1, sm_clock_mhz = -1, mem_used_mib = -1;
};

class GpuTelemetry {
 public:
  // Never throws. `library`: the NVML soname (tests name one that does not exist).
  static GpuTelemetry open(const std::string& pci_bus_id, const char* library = "libnvidia-ml.so.1");
  GpuTelemetry();  // unavailable
  ~GpuTelemetry();
  GpuTelemetry(GpuTelemetry&&) noexcept;
  GpuTelemetry& operator=(GpuTelemetry&&) noexcept;

  bool available() const { return impl_ != nullptr; }
  const std::string& why_unavailable() const { return why_; }  // "" when available
  GpuSample sample() const;  // -1 for each reading NVML does not give

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string why_ = "not opened";
};

}  // namespace helm
