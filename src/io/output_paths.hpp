// Where a command may write: one rule for every subcommand's outputs, checked before any work
// (docs/architecture.md, "Outputs"), and the bounded temporary names of files published atomically.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace limitsim {

// A file a command reads or writes, and how messages name it: an output by its option or key
// ("--out", "run.output", "--csv"), an input by its role ("the run file", "--mapping").
struct NamedFile {
  std::string name;
  std::string path;
};

// Refuses, before any work, with a ConfigError naming the output:
//  - an output that is, after resolving symbolic links, one of the inputs (or another output), also
//    through a hard link;
//  - an existing output that is not a regular file (a folder, a device such as /dev/null, a FIFO), or a
//    symbolic link to nothing;
//  - an output whose folder cannot be created or written into (permissions, a read-only file system),
//    or whose file system has less than need_bytes free.
// Then removes, next to each output, the temporaries of runs that were killed while writing it
// (NAME.tmp.PID whose process is gone), and returns a note for each. An output that is a symbolic link
// to a regular file is written through it: the file it points to is replaced, the link stays.
// clear_stale = false (a dry run) removes nothing.
std::vector<std::string> check_outputs(const std::vector<NamedFile>& outputs, const std::vector<NamedFile>& inputs,
                                       std::uint64_t need_bytes = 0, bool clear_stale = true);

// The temporary a file is written to before it is renamed over `path`: in the same folder,
// NAME.tmp.PID, with NAME shortened so that the name fits in 255 bytes.
std::string temporary_name(const std::string& path, long pid);

// What `path` is when it exists and is not a regular file (after symbolic links): "a folder", "a FIFO",
// "a character device", ...; "" for a regular file or a missing path.
std::string irregular_kind(const std::string& path);

// The file `path` names when written: itself, or the file a symbolic link points to (resolved
// through every link). Throws std::runtime_error for a link to nothing, or for an existing path that
// is not a regular file.
std::string write_target(const std::string& path);

}  // namespace limitsim
