// A recording of the events one cluster front end consumed and what it answered, so a test can
// replay a real run into a fresh front end and check every decision. `run` records when the
// environment variable HELM_EVENT_LOG names a file (a testing hook: the format is this build's
// struct layout, not a user-facing file).
#pragma once
#include <string>
#include <vector>

#include "harness/cluster/front_end.h"

namespace helm {

class EventLog {
 public:
  enum Kind : uint8_t { kDispatch = 1, kOutcome, kEvict, kWindow, kDue, kStopControl, kNodeDown, kNodeUp };
  struct Event {
    Kind kind = kDispatch;
    int64_t id = 0;        // dispatch: request id; evict: user
    Nanos now = 0;
    int32_t node = 0;      // dispatch: the answer; evict: the node
    uint8_t answer = 0;    // due: the answer
    NodeOutcome outcome;
    NodeWindowStats window;
  };

  void dispatch(int64_t id, Nanos now, int node) { add(make(kDispatch, id, now, node)); }
  void outcome(const NodeOutcome& o);
  void evict(int node, UserId user) { add(make(kEvict, user, 0, node)); }
  void window(const NodeWindowStats& w, Nanos now);
  void due(Nanos now, bool answer) { add(make(kDue, 0, now, 0, answer)); }
  void stop_control() { add(make(kStopControl)); }
  void node_down(int node, Nanos now, bool reroute) { add(make(kNodeDown, 0, now, node, reroute)); }
  void node_up(int node, Nanos now) { add(make(kNodeUp, 0, now, node)); }

  void save(const std::string& path) const;
  static EventLog load(const std::string& path);  // BadInput naming the file when unreadable
  const std::vector<Event>& events() const { return events_; }

 private:
  static Event make(Kind k, int64_t id = 0, Nanos now = 0, int32_t node = 0, uint8_t answer = 0) {
    Event e;
    e.kind = k, e.id = id, e.now = now, e.node = node, e.answer = answer;
    return e;
  }
  void add(const Event& e) { events_.push_back(e); }
  std::vector<Event> events_;
};

// Feeds `log`'s events into `fe` in order; returns how many answers (dispatch nodes, due rounds)
// differ from the recorded ones.
int64_t replay(const EventLog& log, ClusterFrontEnd& fe);

}  // namespace helm
