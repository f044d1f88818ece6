#include "workloads/text_reader.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "common/error.h"

namespace helm {

LineReader::LineReader(const std::string& path, size_t block_bytes)
    : path_(path), buf_(block_bytes) {
  fd_ = ::open(path.c_str(), O_RDONLY);
  if (fd_ < 0) bad_input("{}: cannot open: {}", path, std::strerror(errno));
  struct stat st;
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) file_size_ = st.st_size;
#ifdef POSIX_FADV_SEQUENTIAL
  ::posix_fadvise(fd_, 0, 0, POSIX_FADV_SEQUENTIAL);
#endif
  refill();
  if (end_ - begin_ >= 3 && std::memcmp(buf_.data() + begin_, "\xEF\xBB\xBF", 3) == 0) begin_ += 3;
}

LineReader::~LineReader() {
  if (fd_ >= 0) ::close(fd_);
}

// Moves the unread tail to the front and appends the next block; grows the buffer when a single
// line is longer than it.
bool LineReader::refill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (end_ == buf_.size()) buf_.resize(buf_.size() * 2);
  for (;;) {
    const ssize_t n = ::read(fd_, buf_.data() + end_, buf_.size() - end_);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) bad_input("{}: read error: {}", path_, std::strerror(errno));
    if (n == 0) eof_ = true;
    end_ += static_cast<size_t>(n);
    return n > 0;
  }
}

bool LineReader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.data() + begin_;
    const void* nl = std::memchr(start, '\n', end_ - begin_);
    if (nl) {
      size_t len = static_cast<const char*>(nl) - start;
      begin_ += len + 1;
      if (len > 0 && start[len - 1] == '\r') --len;
      line = std::string_view(start, len);
      ++line_no_;
      return true;
    }
    if (!refill()) break;
  }
  if (begin_ == end_) return false;  // the file ended with a line end
  const char* start = buf_.data() + begin_;
  size_t len = end_ - begin_;
  begin_ = end_;
  if (start[len - 1] == '\r') --len;
  line = std::string_view(start, len);
  ++line_no_;
  return true;
}

std::string_view unquote(std::string_view f) {
  if (f.size() >= 2 && f.front() == '"' && f.back() == '"') return f.substr(1, f.size() - 2);
  return f;
}

bool parse_uint(std::string_view f, uint64_t max, uint64_t& out) {
  f = unquote(f);
  if (f.empty() || f.size() > 19) return false;  // 19 digits cannot overflow uint64
  uint64_t v = 0;
  for (char c : f) {
    const unsigned d = static_cast<unsigned char>(c) - '0';
    if (d > 9) return false;
    v = v * 10 + d;
  }
  if (v > max) return false;
  out = v;
  return true;
}

bool parse_decimal(std::string_view f) {
  f = unquote(f);
  size_t i = 0;
  if (i < f.size() && (f[i] == '-' || f[i] == '+')) ++i;
  bool digits = false, dot = false;
  for (; i < f.size(); ++i) {
    const char c = f[i];
    if (c >= '0' && c <= '9') digits = true;
    else if (c == '.' && !dot) dot = true;
    else return false;
  }
  return digits;
}

int split_fields(std::string_view line, std::string_view sep, std::string_view* fields,
                 int max_fields) {
  int n = 0;
  size_t pos = 0;
  for (;;) {
    const size_t hit = sep.size() == 1 ? line.find(sep[0], pos) : line.find(sep, pos);
    const size_t stop = hit == std::string_view::npos ? line.size() : hit;
    if (n < max_fields) fields[n] = line.substr(pos, stop - pos);
    ++n;
    if (hit == std::string_view::npos) return n;
    pos = hit + sep.size();
  }
}

}  // namespace helm
