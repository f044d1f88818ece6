#include "harness/cluster/event_log.h"

#include <fstream>
#include <type_traits>

#include "common/error.h"

namespace helm {

static_assert(std::is_trivially_copyable_v<EventLog::Event>);
namespace {
constexpr uint64_t kMagic = 0x31474f4c544e5645ull;  // "EVNTLOG1"
}

void EventLog::outcome(const NodeOutcome& o) {
  Event e = make(kOutcome);
  e.outcome = o;
  add(e);
}

void EventLog::window(const NodeWindowStats& w, Nanos now) {
  Event e = make(kWindow, 0, now);
  e.window = w;
  add(e);
}

void EventLog::save(const std::string& path) const {
  std::ofstream f(path, std::ios::binary);
  const uint64_t n = events_.size();
  f.write(reinterpret_cast<const char*>(&kMagic), sizeof kMagic);
  f.write(reinterpret_cast<const char*>(&n), sizeof n);
  f.write(reinterpret_cast<const char*>(events_.data()), static_cast<std::streamsize>(n * sizeof(Event)));
  if (!f) throw std::runtime_error("cannot write the event log " + path);
}

EventLog EventLog::load(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  uint64_t magic = 0, n = 0;
  f.read(reinterpret_cast<char*>(&magic), sizeof magic);
  f.read(reinterpret_cast<char*>(&n), sizeof n);
  if (!f || magic != kMagic || n > (uint64_t{1} << 32)) bad_input("{}: not an event log of this build", path);
  EventLog log;
  log.events_.resize(n);
  f.read(reinterpret_cast<char*>(log.events_.data()), static_cast<std::streamsize>(n * sizeof(Event)));
  if (!f) bad_input("{}: truncated event log", path);
  return log;
}

int64_t replay(const EventLog& log, ClusterFrontEnd& fe) {
  int64_t differ = 0;
  for (const auto& e : log.events()) {
    switch (e.kind) {
      case EventLog::kDispatch: differ += fe.dispatch(e.id, e.now) != e.node; break;
      case EventLog::kOutcome: fe.on_outcome(e.outcome); break;
      case EventLog::kEvict: fe.on_evict(e.node, e.id); break;
      case EventLog::kWindow: fe.on_window(e.window, e.now); break;
      case EventLog::kDue: differ += fe.targets_due(e.now) != static_cast<bool>(e.answer); break;
      case EventLog::kStopControl: fe.stop_control(); break;
      case EventLog::kNodeDown: fe.node_down(e.node, e.now, e.answer != 0); break;
      case EventLog::kNodeUp: fe.node_up(e.node, e.now); break;
    }
  }
  return differ;
}

}  // namespace helm
