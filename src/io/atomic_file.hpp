// Files published atomically: written to a temporary in the same folder, flushed, then renamed over the target.
#pragma once

#include <functional>
#include <string>

namespace limitsim {

// Writes `path` through fill(temporary name) in the same folder, flushes it
// and renames it over `path`; on any error, or an interrupt, the temporary is
// removed and `path` is untouched. Missing parent folders are created. The
// temporary is NAME.tmp.PID, shortened to fit a file name (temporary_name);
// a symbolic link is written through (the file it points to is replaced), and
// an existing path that is not a regular file (a device, a folder) is refused.
void publish_atomically(const std::string& path, const std::function<void(const std::string& tmp)>& fill);

// Writes a text file (e.g. a sweep's CSV) the same way: temporary file, flush,
// rename; nothing is left at `path` on an error or an interrupt.
void write_text_atomically(const std::string& path, const std::string& text);

}  // namespace limitsim
