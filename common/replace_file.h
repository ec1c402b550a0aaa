// A file replaced whole: a reader of PATH (node_exporter's textfile
// collector, netlogctl) sees the old text or the new one, never part of
// one (replace_file.cc).
#pragma once

#include <optional>
#include <string>

namespace netlog {

// Writes `text` to a new file beside `path` (a name no one else holds, so
// a link planted in the directory is never followed), mode `mode`, and
// renames it over `path`. The error names the file and the cause.
std::optional<std::string> replace_file(const std::string& path,
                                        const std::string& text,
                                        unsigned mode = 0644);

}  // namespace netlog
