// ResultsWriter / ResultsReader: round trips, h5py's view of the file, a killed run, bad files.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <memory>
#include <sstream>
#include <tuple>

#include "common/error.h"
#include "fixtures.h"
#include "results/reader.h"
#include "tests/require.h"
#include "results/writer.h"

using namespace helm;
using helm::test::TempFile;

namespace {

std::vector<RequestRow> make_requests(int n) {
  std::vector<RequestRow> rows;
  for (int i = 0; i < n; ++i) {
    RequestRow r = test::completed(i, i * 0.5, 3.0 + i % 11);
    r.phase = i % 2;
    r.dispatch_lag = 1000 + i;
    r.slo_met = i % 3 == 0;
    r.status = static_cast<int8_t>(i % 3);
    r.computed_tokens = 7 * i;
    r.kv_hit_tokens_pool = i;
    r.kv_hit_tokens_host = 2 * i;
    r.emb_lookups = 100 + i;
    r.emb_hits = 50 + i;
    r.h2d_bytes = int64_t{1} << 40 | i;  // beyond 32 bits: catches a narrowed column
    rows.push_back(r);
  }
  return rows;
}

std::vector<ControllerRow> make_controller(int n) {
  std::vector<ControllerRow> rows;
  for (int i = 0; i < n; ++i)
    rows.push_back({.time = i * 1'000'000, .node = i % 3, .ratio_applied = 0.25 + i * 1e-3,
                    .target = 0.5, .base_part = 0.4, .residual_part = 0.1,
                    .burst_flag = uint8_t(i % 2), .reward = -1.5 * i, .decision_ns = 12345,
                    .refill_scale = i % 2 ? 0.25 : 1.0});
  return rows;
}

std::vector<NodeRow> make_nodes(int n) {
  std::vector<NodeRow> rows;
  for (int i = 0; i < n; ++i) {
    NodeRow r;
    r.time = i * 10'000'000;
    r.node = i % 3;
    r.arrivals = i;
    r.completed = i - 1;
    r.h2d_kv_bytes = 1 << 20;
    r.latency_p99 = 42'000'000;
    r.latency_count = 17;
    r.emb_share = 0.3;
    rows.push_back(r);
  }
  return rows;
}

RootAttributes make_attrs() {
  RootAttributes a;
  a.set("config", "[run]\nqps = 100\nslo_ms = 50\n")
      .set("git_revision", "abc123")
      .set("git_dirty", true)
      .set("mpi_size", 4)
      .set("slo_ms", 50.0)
      .set("warmup_ns", int64_t{2'000'000'000})
      .set("dataset", "ml-20m")
      .set("tag_split", "0.3");
  return a;
}

// Runs a shell command, returns its stdout and sets *rc.
std::string run(const std::string& cmd, int* rc) {
  std::string out;
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) {
    *rc = -1;
    return out;
  }
  std::array<char, 4096> buf;
  while (size_t n = fread(buf.data(), 1, buf.size(), p)) out.append(buf.data(), n);
  const int status = pclose(p);
  *rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

void expect_bad_input_naming(const std::string& path, const std::string& what) {
  try {
    ResultsReader r(path);
    FAIL() << "no BadInput for " << path;
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find(path), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
  }
}

}  // namespace

TEST(ResultsWriter, RoundTripAcrossChunkBoundaries) {
  TempFile f;
  const auto req = make_requests(1000);
  const auto ctl = make_controller(150);
  const auto nod = make_nodes(77);
  {
    // Small chunks and odd append sizes: appends straddle chunks, and a flush mid-way leaves a
    // partial chunk that later appends must complete.
    ResultsWriter w(f.path(), make_attrs(), {.chunk_rows = 64, .deflate_level = 3});
    size_t i = 0;
    for (size_t step : {1, 63, 2, 200, 5}) {
      w.append(std::span(req).subspan(i, step));
      i += step;
    }
    w.flush();
    w.append(std::span(req).subspan(i));
    for (size_t j = 0; j < ctl.size(); j += 40)
      w.append(std::span(ctl).subspan(j, std::min<size_t>(40, ctl.size() - j)));
    w.append(nod);
    EXPECT_EQ(w.rows_requests(), 1000u);
    EXPECT_EQ(w.rows_controller(), 150u);
  }
  ResultsReader r(f.path());
  EXPECT_EQ(r.requests(), req);
  EXPECT_EQ(r.controller(), ctl);
  EXPECT_EQ(r.nodes(), nod);
}

TEST(ResultsWriter, EmptyTablesAndUncompressed) {
  TempFile f;
  { ResultsWriter w(f.path(), {}, {.chunk_rows = 16, .deflate_level = 0}); }
  ResultsReader r(f.path());
  EXPECT_TRUE(r.requests().empty());
  EXPECT_TRUE(r.controller().empty());
  EXPECT_EQ(r.attributes().integer("schema_version"), kSchemaVersion);
}

TEST(ResultsWriter, RootAttributesRoundTrip) {
  TempFile f;
  const RootAttributes a = make_attrs();
  {
    ResultsWriter w(f.path(), a);
    w.set_attr("footer_p99_ns", int64_t{31'000'000});
    w.set_attr("dataset", std::string("kuairand"));  // replaces
    RootAttributes footer;
    footer.set("footer_valid", true).set("footer_slo", 0.975);
    w.set_attrs(footer);
    EXPECT_THROW(w.set_attr("schema_version", int64_t{99}), BadInput);
  }
  const RootAttributes got = ResultsReader(f.path()).attributes();
  for (const auto& [k, v] : a.items()) {
    if (k == "dataset") continue;
    ASSERT_TRUE(got.has(k)) << k;
    EXPECT_EQ(*got.find(k), v) << k;
  }
  EXPECT_EQ(got.string("config"), "[run]\nqps = 100\nslo_ms = 50\n");  // multi-line text intact
  EXPECT_EQ(got.integer("git_dirty"), 1);
  EXPECT_EQ(got.number("slo_ms"), 50.0);
  EXPECT_EQ(got.string("dataset"), "kuairand");
  EXPECT_EQ(got.integer("footer_p99_ns"), 31'000'000);
  EXPECT_EQ(got.integer("footer_valid"), 1);
  EXPECT_EQ(got.number("footer_slo"), 0.975);
  EXPECT_EQ(got.integer("schema_version"), kSchemaVersion);
}

TEST(ResultsWriter, H5pySeesFieldNamesAndRows) {
  int rc = 0;
  run("/usr/bin/python3 -c 'import h5py' 2>/dev/null", &rc);
  HELM_REQUIRE(rc == 0, "/usr/bin/python3 has no h5py");
  TempFile f;
  {
    ResultsWriter w(f.path(), make_attrs(), {.chunk_rows = 128});
    w.append(make_requests(300));
    w.append(make_nodes(5));
  }
  const std::string py =
      "import h5py\n"
      "f = h5py.File('" + f.path() + "', 'r')\n"
      "r = f['requests']\n"
      "print(','.join(r.dtype.names))\n"
      "print(r.shape[0], f['nodes'].shape[0], f['controller'].shape[0])\n"
      "print(int(r['h2d_bytes'][299]), int(r['status'][2]), r.dtype['latency'].str)\n"
      "print(f.attrs['schema_version'], f.attrs['dataset'], r.compression, r.chunks)\n";
  const std::string out = run("/usr/bin/python3 -c \"" + py + "\" 2>&1", &rc);
  ASSERT_EQ(rc, 0) << out;
  std::istringstream lines(out);
  std::string names, counts, values, attrs;
  std::getline(lines, names);
  std::getline(lines, counts);
  std::getline(lines, values);
  std::getline(lines, attrs);
  EXPECT_EQ(names,
            "id,user,node,phase,arrival,dispatch_lag,start,finish,latency,slo_met,status,"
            "batch_size,history_len,computed_tokens,kv_hit_tokens_pool,kv_hit_tokens_host,"
            "emb_lookups,emb_hits,h2d_bytes");
  EXPECT_EQ(counts, "300 5 0");
  EXPECT_EQ(values, fmt::format("{} 2 <i8", (int64_t{1} << 40) | 299));
  EXPECT_EQ(attrs, fmt::format("{} ml-20m gzip (128,)", kSchemaVersion));
}

TEST(ResultsWriter, KilledRunIsReadableUpToLastFlush) {
  TempFile f;
  // Sparse rows compress to a few bytes a chunk, so new chunks fit in the holes that rewritten
  // chunks leave: the case that breaks a naive writer.
  std::vector<RequestRow> req(100'000);
  for (size_t i = 0; i < req.size(); ++i) req[i].id = static_cast<int64_t>(i);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    // The child: write, flush, then die without closing (no destructors, no atexit, no H5close).
    try {
      auto* w = new ResultsWriter(f.path(), {}, {.chunk_rows = 256});
      w->append(std::span(req).subspan(0, 3000));  // 11 chunks and a partial one
      w->flush();
      // After the flush: the partial chunk is completed (rewritten elsewhere) and dozens more
      // chunks go to the file. Without the writer's precautions the flushed index would then
      // point at reused space and the file would not read back.
      w->append(std::span(req).subspan(3000, 90'000));
      w->append(std::span(req).subspan(93'000, 20));  // buffered only: lost
      _exit(0);
    } catch (...) {
      _exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status));
  ASSERT_EQ(WEXITSTATUS(status), 0);
  ResultsReader r(f.path());
  const auto got = r.requests();
  EXPECT_GE(got.size(), 3000u);    // everything flushed
  EXPECT_LE(got.size(), 93'000u);  // nothing that was only buffered
  EXPECT_TRUE(std::equal(got.begin(), got.end(), req.begin()));  // a clean prefix, no zero rows
}

TEST(ResultsWriter, KilledRunKeepsAttributesAndEveryTable) {
  TempFile f;
  const auto req = make_requests(300);
  const pid_t pid = fork();
  ASSERT_GE(pid, 0);
  if (pid == 0) {
    try {
      auto* w = new ResultsWriter(f.path(), make_attrs(), {.chunk_rows = 64});
      w->append(req);
      w->append(make_nodes(10));
      w->append(make_controller(3));
      w->flush();
      _exit(0);
    } catch (...) {
      _exit(3);
    }
  }
  int status = 0;
  ASSERT_EQ(waitpid(pid, &status, 0), pid);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  ResultsReader r(f.path());
  EXPECT_EQ(r.requests(), req);
  EXPECT_EQ(r.nodes(), make_nodes(10));
  EXPECT_EQ(r.controller(), make_controller(3));
  EXPECT_EQ(r.attributes().string("git_revision"), "abc123");
}

TEST(ResultsReader, BadFilesNameTheFileAndObject) {
  TempFile missing;
  expect_bad_input_naming(missing.path(), "no such file");

  TempFile text(".txt");
  std::ofstream(text.path()) << "id,latency\n1,2\n";
  expect_bad_input_naming(text.path(), "not an HDF5 file");

  TempFile foreign;
  {
    h5::File h(foreign.path(), h5::Mode::kCreate);
    h.write<double>("/x", {1, 2});
  }
  expect_bad_input_naming(foreign.path(), "schema_version");

  TempFile no_requests;
  {
    h5::File h(no_requests.path(), h5::Mode::kCreate);
    h.set_attr("/", "schema_version", kSchemaVersion);
  }
  expect_bad_input_naming(no_requests.path(), "/requests");

  TempFile future;
  {
    h5::File h(future.path(), h5::Mode::kCreate);
    h.set_attr("/", "schema_version", kSchemaVersion + 1);
  }
  expect_bad_input_naming(future.path(), "schema_version");

  // /requests present but missing a field (e.g. written by another tool).
  TempFile partial;
  {
    ResultsWriter w(partial.path(), {});
  }
  {
    h5::File h(partial.path(), h5::Mode::kReadWrite);
    H5Ldelete(h.id(), "/requests", H5P_DEFAULT);
    h5::Id t(H5Tcreate(H5T_COMPOUND, 8));
    H5Tinsert(t, "id", 0, H5T_NATIVE_INT64);
    const hsize_t n = 0;
    h5::Id space(H5Screate_simple(1, &n, nullptr));
    h5::Id d(H5Dcreate2(h.id(), "/requests", t, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  }
  ResultsReader r(partial.path());
  try {
    r.requests();
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("missing field 'user'"), std::string::npos) << e.what();
  }
}

TEST(ResultsWriter, UncreatablePathIsBadInput) {
  EXPECT_THROW(ResultsWriter("/nonexistent-dir/x.h5", {}), BadInput);
}

// A file of an older schema version: one table as it was then (written here the way the old
// writer did: the same columns, those added after `version` left out; `drop_also` drops one more).
template <typename Row>
void make_version(const std::string& path, const std::vector<Row>& rows, int64_t version,
                  const std::string& drop_also = "") {
  { ResultsWriter w(path, {}); }
  h5::File h(path, h5::Mode::kReadWrite);
  H5Ldelete(h.id(), Table<Row>::kPath, H5P_DEFAULT);
  h5::Id full = Table<Row>::file_type();
  h5::Id old(H5Tcreate(H5T_COMPOUND, H5Tget_size(full)));
  size_t off = 0;
  for (int i = 0; i < H5Tget_nmembers(full); ++i) {
    char* name = H5Tget_member_name(full, static_cast<unsigned>(i));
    const std::string field = name;
    H5free_memory(name);
    const AddedField* added = added_field(Table<Row>::kPath, field);
    if ((added && added->since > version) || field == drop_also) continue;
    h5::Id t(H5Tget_member_type(full, static_cast<unsigned>(i)));
    H5Tinsert(old, field.c_str(), off, t);
    off += H5Tget_size(t);
  }
  H5Tset_size(old, off);
  const hsize_t n = rows.size();
  h5::Id space(H5Screate_simple(1, &n, nullptr));
  h5::Id d(H5Dcreate2(h.id(), Table<Row>::kPath, old, space, H5P_DEFAULT, H5P_DEFAULT, H5P_DEFAULT));
  ASSERT_GE(H5Dwrite(d, Table<Row>::mem_type(), H5S_ALL, H5S_ALL, H5P_DEFAULT, rows.data()), 0);
  h.set_attr("/", "schema_version", version);
}

TEST(ResultsReader, ReadsOlderFilesWithoutTheNewColumns) {
  ASSERT_EQ(kSchemaVersion, 3);  // this test describes the steps 1 -> 2 -> 3
  for (int64_t v : {int64_t{1}, int64_t{2}}) {
    TempFile f;
    auto nodes = make_nodes(4);
    make_version(f.path(), nodes, v);
    ResultsReader r(f.path());
    EXPECT_EQ(r.schema_version(), v);
    const auto got = r.nodes();
    ASSERT_EQ(got.size(), 4u);
    for (auto& n : nodes) {
      if (v < 2) n.emb_hit_predicted = -1;  // the column's "no prediction"
      n.gpu_power_w = n.gpu_sm_clock_mhz = n.gpu_mem_used_mib = -1;  // "no reading"
    }
    EXPECT_EQ(got, nodes) << "version " << v;
    TempFile g;  // f is still open in r
    auto ctl = make_controller(5);
    make_version(g.path(), ctl, v);
    for (auto& c : ctl) c.refill_scale = 1;  // no throttle before version 3
    EXPECT_EQ(ResultsReader(g.path()).controller(), ctl) << "version " << v;
  }

  // A column that version 1 had is still required.
  TempFile broken;
  make_version(broken.path(), make_nodes(2), 1, "emb_share");
  try {
    ResultsReader(broken.path()).nodes();
    FAIL();
  } catch (const BadInput& e) {
    EXPECT_NE(std::string(e.what()).find("missing field 'emb_share'"), std::string::npos) << e.what();
  }
  // A file claiming a version must have that version's columns.
  for (auto [written, claimed, field] : {std::tuple{int64_t{1}, int64_t{2}, "emb_hit_predicted"},
                                         std::tuple{int64_t{2}, int64_t{3}, "gpu_power_w"},
                                         std::tuple{int64_t{2}, int64_t{3}, "refill_scale"}}) {
    TempFile f;
    if (std::string(field) == "refill_scale") make_version(f.path(), make_controller(2), written);
    else make_version(f.path(), make_nodes(2), written);
    { h5::File h(f.path(), h5::Mode::kReadWrite); h.set_attr("/", "schema_version", claimed); }
    try {
      if (std::string(field) == "refill_scale") ResultsReader(f.path()).controller();
      else ResultsReader(f.path()).nodes();
      FAIL() << claimed;
    } catch (const BadInput& e) {
      EXPECT_NE(std::string(e.what()).find(std::string("missing field '") + field + "'"), std::string::npos) << e.what();
    }
  }
}

TEST(ResultsReader, UnknownVersionsNameTheVersion) {
  for (int64_t v : {int64_t{0}, kSchemaVersion + 1}) {
    TempFile f;
    { ResultsWriter w(f.path(), {}); }
    { h5::File h(f.path(), h5::Mode::kReadWrite); h.set_attr("/", "schema_version", v); }
    expect_bad_input_naming(f.path(), fmt::format("schema_version {} (this build reads versions 1 to {})", v, kSchemaVersion));
  }
}
