#include "harness/node/gpu_telemetry.h"

#include <dlfcn.h>

namespace helm {

// The few NVML entry points used, declared here (the build machine has no nvml.h): the C ABI
// of NVML 11+ (nvml.h: nvmlReturn_t is an int, 0 = NVML_SUCCESS; nvmlDevice_t an opaque pointer).
namespace {
using NvmlDevice = struct NvmlDeviceOpaque*;
struct NvmlMemory {
  unsigned long long total, free, used;
};
constexpr int kNvmlClockSm = 1;  // NVML_CLOCK_SM
using InitFn = int (*)();
using ShutdownFn = int (*)();
using ByPciFn = int (*)(const char*, NvmlDevice*);
using PowerFn = int (*)(NvmlDevice, unsigned int*);       // milliwatts
using ClockFn = int (*)(NvmlDevice, int, unsigned int*);  // MHz
using MemoryFn = int (*)(NvmlDevice, NvmlMemory*);
}  // namespace

struct GpuTelemetry::Impl {
  void* lib = nullptr;
  ShutdownFn shutdown = nullptr;
  PowerFn power = nullptr;
  ClockFn clock = nullptr;
  MemoryFn memory = nullptr;
  NvmlDevice dev = nullptr;
  ~Impl() {
    if (shutdown) shutdown();
    if (lib) dlclose(lib);
  }
};

GpuTelemetry GpuTelemetry::open(const std::string& pci_bus_id, const char* library) {
  GpuTelemetry t;
  auto impl = std::make_unique<Impl>();
  impl->lib = dlopen(library, RTLD_NOW | RTLD_LOCAL);
  if (!impl->lib) {
    const char* e = dlerror();
    t.why_ = std::string("NVML not loaded: ") + (e ? e : library);
    return t;
  }
  auto sym = [&](const char* name) { return dlsym(impl->lib, name); };
  auto init = reinterpret_cast<InitFn>(sym("nvmlInit_v2"));
  auto by_pci = reinterpret_cast<ByPciFn>(sym("nvmlDeviceGetHandleByPciBusId_v2"));
  impl->power = reinterpret_cast<PowerFn>(sym("nvmlDeviceGetPowerUsage"));
  impl->clock = reinterpret_cast<ClockFn>(sym("nvmlDeviceGetClockInfo"));
  impl->memory = reinterpret_cast<MemoryFn>(sym("nvmlDeviceGetMemoryInfo"));
  if (!init || !by_pci) {
    t.why_ = std::string(library) + ": no nvmlInit_v2 / nvmlDeviceGetHandleByPciBusId_v2";
    return t;
  }
  if (init() != 0) {
    t.why_ = "nvmlInit_v2 failed";
    return t;
  }
  impl->shutdown = reinterpret_cast<ShutdownFn>(sym("nvmlShutdown"));
  if (by_pci(pci_bus_id.c_str(), &impl->dev) != 0) {
    t.why_ = "NVML has no device at PCI bus id '" + pci_bus_id + "'";
    return t;
  }
  t.impl_ = std::move(impl);
  t.why_.clear();
  return t;
}

GpuTelemetry::GpuTelemetry() = default;
GpuTelemetry::~GpuTelemetry() = default;
GpuTelemetry::GpuTelemetry(GpuTelemetry&&) noexcept = default;
GpuTelemetry& GpuTelemetry::operator=(GpuTelemetry&&) noexcept = default;

GpuSample GpuTelemetry::sample() const {
  GpuSample s;
  if (!impl_) return s;
  unsigned int v = 0;
  if (impl_->power && impl_->power(impl_->dev, &v) == 0) s.power_w = v / 1000.0;
  if (impl_->clock && impl_->clock(impl_->dev, kNvmlClockSm, &v) == 0) s.sm_clock_mhz = v;
  NvmlMemory m{};
  if (impl_->memory && impl_->memory(impl_->dev, &m) == 0) s.mem_used_mib = static_cast<double>(m.used) / (1 << 20);
  return s;
}

}  // namespace helm
