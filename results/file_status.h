// Is a results file complete? What sweeps (slurm/sweep.sh) ask before re-running a task.
//
// A file is complete when it opens as a helm-bench results file and carries the footer's
// verdict attributes (footer_exactly_once, footer_valid): both drivers write them only after the
// last row, just before closing the file. Whatever the verdict (PASS, FAIL or INVALID) a complete
// file is a finished measurement; a missing, unreadable (e.g. killed before its first flush, or
// still open by its writer: HDF5's file lock) or footer-less (killed mid-run) file is not.
#pragma once
#include <cstdint>
#include <string>

namespace helm {

enum class FileState { kMissing, kUnreadable, kIncomplete, kComplete };

struct ResultsFileStatus {
  FileState state = FileState::kMissing;
  std::string verdict = "-";  // complete: FAIL (exactly-once broken), else INVALID, else PASS
  int64_t rows = -1;          // rows in /requests, -1 when unreadable
  std::string why;            // not complete: one phrase saying why
};

const char* to_string(FileState s);  // missing | unreadable | incomplete | complete

// Never throws: every fault of the file is a state.
ResultsFileStatus results_file_status(const std::string& path);

}  // namespace helm
