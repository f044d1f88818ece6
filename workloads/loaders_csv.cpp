// The CSV interaction loaders: KuaiRand, Amazon 2018 and 2023, Taobao. One table-driven parser:
// each format names its columns, header and time unit. String ids become dense integers in
// order of first appearance through a hash map over an arena (memory ~ distinct ids).
#include <algorithm>
#include <cctype>
#include <cstring>

#include "common/rng.h"

#include "common/error.h"
#include "workloads/loaders.h"
#include "workloads/text_reader.h"

namespace helm {

namespace {
struct Format {
  const char* name;
  const char* columns;  // the expected header (or the row layout of headerless files)
  bool header;          // a header line is required (and checked) before the rows
  int user, item, time;  // column indices
  int min_fields;        // KuaiRand has more columns than we read; the others exactly these
  bool exact;
  int64_t time_div;      // file unit per second (1000 for ms)
};

constexpr Format kFormats[] = {
    {"kuairand", "user_id,video_id,date,hourmin,time_ms,is_click,...", true, 0, 1, 4, 6, false, 1000},
    {"amazon2018", "item,user,rating,timestamp", false, 1, 0, 3, 4, true, 1},
    {"amazon2023", "user_id,parent_asin,rating,timestamp", true, 0, 1, 3, 4, true, 1000},
    {"taobao", "user_id,item_id,category_id,behavior_type,timestamp", false, 0, 1, 4, 5, true, 1},
};
constexpr uint64_t kMaxTime = 9223372036ull * 1000;  // ms whose ns still fit in int64

bool iequal(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) == std::tolower(static_cast<unsigned char>(y));
         });
}

// Does `line` carry the format's header names (as many as the header lists before "...")?
bool header_matches(const Format& f, std::string_view line) {
  std::string_view want[8], got[8];
  const int nw = split_fields(f.columns, ",", want, 8), ng = split_fields(line, ",", got, 8);
  for (int i = 0; i < nw && i < 8; ++i) {
    if (want[i] == "...") return true;
    if (i >= ng || !iequal(unquote(got[i]), want[i])) return false;
  }
  return f.exact ? ng == nw : true;
}

// string id -> dense int32 in order of first appearance. Open addressing over 16-byte slots
// (hash, key offset, id) with the keys in one arena string: no allocation per id, one probe for
// most lookups, and growth rehashes from the stored hashes without touching the keys. Memory ~
// distinct ids x (key bytes + 32).
class IdMap {
 public:
  IdMap() { slots_.assign(1 << 16, Slot{}); }
  int32_t operator()(std::string_view key) {
    // Real logs come grouped (by user or by item): a repeat of the last key costs one compare.
    if (count_ > 0 && key == view(last_key_)) return slots_[last_slot_].id;
    const uint64_t h = hash(key);
    for (uint64_t i = h & mask();; i = (i + 1) & mask()) {
      Slot& s = slots_[i];
      if (s.id < 0) {
        if (count_ >= 0x7fffffff) bad_input("more than 2^31 distinct ids");
        s = {h, static_cast<uint32_t>(offsets_.size()), count_};
        offsets_.push_back(arena_.size());
        arena_.append(key);
        const int32_t id = count_++;
        last_key_ = s.key, last_slot_ = i;
        if (static_cast<uint64_t>(count_) * 2 > slots_.size()) grow();
        return id;
      }
      if (s.hash == h && view(s.key) == key) {
        last_key_ = s.key, last_slot_ = i;
        return s.id;
      }
    }
  }
  int32_t size() const { return count_; }

 private:
  struct Slot {
    uint64_t hash = 0;
    uint32_t key = 0;
    int32_t id = -1;
  };
  uint64_t mask() const { return slots_.size() - 1; }
  std::string_view view(uint32_t k) const {
    const size_t b = offsets_[k], e = k + 1 < offsets_.size() ? offsets_[k + 1] : arena_.size();
    return std::string_view(arena_).substr(b, e - b);
  }
  static uint64_t hash(std::string_view k) {  // 8 bytes at a time, then a strong final mix
    uint64_t h = 0x9E3779B97F4A7C15ull ^ k.size();
    size_t i = 0;
    for (; i + 8 <= k.size(); i += 8) {
      uint64_t w;
      std::memcpy(&w, k.data() + i, 8);
      h = (h ^ w) * 0xFF51AFD7ED558CCDull;
      h ^= h >> 32;
    }
    uint64_t w = 0;
    std::memcpy(&w, k.data() + i, k.size() - i);
    return hash64(h, w);
  }
  void grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    for (const Slot& s : old)
      if (s.id >= 0)
        for (uint64_t i = s.hash & mask();; i = (i + 1) & mask())
          if (slots_[i].id < 0) {
            slots_[i] = s;
            if (s.key == last_key_) last_slot_ = i;
            break;
          }
  }
  std::vector<Slot> slots_;
  std::vector<size_t> offsets_;
  std::string arena_;
  int32_t count_ = 0;
  uint32_t last_key_ = 0;
  uint64_t last_slot_ = 0;
};
}  // namespace

ParseResult parse_interactions(const LogSource& src, bool skip_bad_rows) {
  const Format* f = nullptr;
  for (const auto& x : kFormats)
    if (src.format == x.name) f = &x;
  HELM_CHECK(f != nullptr, "no CSV loader for format '{}'", src.format);
  LineReader in(src.path);
  ParseResult res;
  res.format = f->name;
  res.rows.reserve(static_cast<size_t>(in.file_size() / 48) + 16);
  IdMap users, items;
  std::string_view line, fields[16];
  bool first = true;
  const int want = f->exact ? f->min_fields : 16;
  while (in.next(line)) {
    if (line.empty()) continue;
    if (first) {
      first = false;
      if (f->header) {
        if (!header_matches(*f, line))
          bad_input("{}:{}: unexpected header '{}'; a {} file starts with '{}'", src.path, in.line_number(),
                    excerpt(line), f->name, f->columns);
        continue;
      }
      uint64_t ts;
      if (header_matches(*f, line) || (split_fields(line, ",", fields, 16) > f->time &&
                                       !parse_uint(fields[f->time], kMaxTime, ts) && in.line_number() == 1))
        bad_input("{}:{}: unexpected header '{}'; {} files have no header, only rows '{}'", src.path,
                  in.line_number(), excerpt(line), f->name, f->columns);
    }
    const int n = split_fields(line, ",", fields, want);
    std::string why;
    uint64_t ts = 0;
    if (n < f->min_fields || (f->exact && n != f->min_fields)) {
      why = fmt::format("expected {} fields ({}), found {}", f->exact ? "exactly " + std::to_string(f->min_fields)
                                                                       : "at least " + std::to_string(f->min_fields),
                        f->columns, n);
    } else if (unquote(fields[f->user]).empty() || unquote(fields[f->item]).empty()) {
      why = "empty user or item id";
    } else if (!parse_uint(fields[f->time], kMaxTime, ts)) {
      const std::string t = excerpt(unquote(fields[f->time]), 30);
      why = !t.empty() && t[0] == '-' ? fmt::format("timestamp '{}' is negative", t)
            : !t.empty() && std::all_of(t.begin(), t.end(), [](char c) { return c >= '0' && c <= '9'; })
                ? fmt::format("timestamp '{}' overflows", t)
                : fmt::format("timestamp '{}' is not a non-negative integer ({})", t,
                              f->time_div == 1000 ? "milliseconds" : "seconds");
    } else if (f->time_div == 1 && ts > kMaxTime / 1000) {
      why = fmt::format("timestamp '{}' overflows (max {} s)", excerpt(unquote(fields[f->time]), 30), kMaxTime / 1000);
    }
    if (!why.empty()) {
      const std::string msg = fmt::format("{}:{}: {}", src.path, in.line_number(), why);
      if (!skip_bad_rows) throw BadInput(msg);
      if (res.bad_rows++ == 0) res.first_bad = msg;
      continue;
    }
    RawRating r;
    r.user = users(unquote(fields[f->user]));
    r.item = items(unquote(fields[f->item]));
    r.time_s = static_cast<int64_t>(ts / static_cast<uint64_t>(f->time_div));
    res.rows.push_back(r);
  }
  res.lines = in.line_number();
  if (res.rows.empty())
    bad_input("{}: no interactions found; a {} file holds rows '{}'{}", src.path, f->name, f->columns,
              f->header ? " after that header" : " (no header)");
  res.max_user = users.size() - 1;
  res.max_item = items.size() - 1;
  return res;
}

}  // namespace helm
