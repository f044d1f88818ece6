// Streaming line reader and hand-rolled field parsing for the loaders.
//
// Real logs run to hundreds of millions of rows, so the loaders read large blocks with read(2)
// and parse in place: no iostream, no per-line allocation. Lines come back without their line
// end (LF or CRLF) and the first without a UTF-8 byte-order mark.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace helm {

class LineReader {
 public:
  explicit LineReader(const std::string& path, size_t block_bytes = 4 << 20);  // BadInput if unreadable
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;
  // The next line (valid until the next call); false at the end of the file.
  bool next(std::string_view& line);
  int64_t line_number() const { return line_no_; }  // 1-based number of the last line returned
  const std::string& path() const { return path_; }
  int64_t file_size() const { return file_size_; }  // 0 if unknown (a pipe)

 private:
  bool refill();
  std::string path_;
  int fd_ = -1;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  int64_t line_no_ = 0;
  int64_t file_size_ = 0;
};

// Field parsers: true on success. A field may be wrapped in double quotes (CSV), which are
// stripped. parse_uint rejects signs, blanks and values above max.
std::string_view unquote(std::string_view f);
bool parse_uint(std::string_view f, uint64_t max, uint64_t& out);
bool parse_decimal(std::string_view f);  // a plain decimal number such as 4, -1, 3.5 (checked only)

// Splits `line` at `sep` (one or more characters), storing the first `max_fields` fields;
// returns the number of fields in the line (which may exceed max_fields).
int split_fields(std::string_view line, std::string_view sep, std::string_view* fields, int max_fields);

}  // namespace helm
