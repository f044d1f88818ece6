// The CSV interaction loaders: KuaiRand, Amazon 2018 and 2023, Taobao. One table-driven parser:
// each format names its columns, header and time unit. String ids become dense integers in
// order of first appearance (id_map.h); rows reach the id tables through a short ring so their cache
// misses overlap.
#include <algorithm>
#include <cctype>
#include <cstring>

#include "common/error.h"
#include "workloads/id_map.h"
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

}  // namespace

ParseResult parse_interactions(const LogSource& src, bool skip_bad_rows) {
  const Format* f = nullptr;
  for (const auto& x : kFormats)
    if (src.format == x.name) f = &x;
  HELM_CHECK(f != nullptr, "no CSV loader for format '{}'", src.format);
  LineReader in(src.path);
  ParseResult res;
  res.format = f->name;
  res.rows.reserve(static_cast<size_t>(in.file_size() / 40) + 16);  // short Amazon rows are ~41 bytes
  IdMap users, items;
  // Rows wait in a ring between parsing and interning, in three stages a few rows apart so each
  // row's cache misses overlap the others' work: prefetch the id tables' buckets (on entry), then
  // the key records they point to (kKeyLag rows later), then intern (kRing rows later). Interning
  // stays in row order, so ids keep their order of first appearance.
  struct Pending {
    std::string user, item;  // copies: the line buffer may move before the row is interned
    uint64_t user_hash = 0, item_hash = 0;
    int64_t time_s = 0;
  };
  constexpr uint64_t kRing = 32, kKeyLag = 16;
  std::vector<Pending> ring(kRing);
  uint64_t queued = 0, done = 0;
  const auto intern_oldest = [&] {
    const Pending& p = ring[done++ % kRing];
    res.rows.push_back({p.time_s, users.intern(p.user, p.user_hash), items.intern(p.item, p.item_hash)});
  };

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
    if (queued - done == kRing) intern_oldest();
    Pending& p = ring[queued++ % kRing];
    p.user.assign(unquote(fields[f->user]));
    p.item.assign(unquote(fields[f->item]));
    p.user_hash = IdMap::hash(p.user), p.item_hash = IdMap::hash(p.item);
    p.time_s = static_cast<int64_t>(ts / static_cast<uint64_t>(f->time_div));
    users.prefetch(p.user_hash), items.prefetch(p.item_hash);
    if (queued > kKeyLag) {
      const Pending& q = ring[(queued - 1 - kKeyLag) % kRing];
      users.prefetch_key(q.user_hash), items.prefetch_key(q.item_hash);
    }
  }
  while (done < queued) intern_oldest();
  res.lines = in.line_number();
  if (res.rows.empty())
    bad_input("{}: no interactions found; a {} file holds rows '{}'{}", src.path, f->name, f->columns,
              f->header ? " after that header" : " (no header)");
  res.max_user = users.size() - 1;
  res.max_item = items.size() - 1;
  return res;
}

}  // namespace helm
