// Every binary's command line, read the same way: its usage message and a
// --help that lists all of its flags. absl's default --help shows only flags
// defined in <program>.cc or <program>_main.cc, and ours live in shared files
// (common/grpc/server_flags.cc, common/mysql/db_flags.cc, ...), so it printed
// "No flags matched".
#pragma once

#include <vector>

#include "absl/strings/string_view.h"

namespace sslpanel::config {

// Sets `usage` as the program's usage message, makes --help and --helpshort
// list every flag but absl's own (--helpfull still shows those), then parses
// the command line; returns the positional arguments, argv[0] first. Exits
// (as absl does) for --help and for unknown or malformed flags.
std::vector<char*> ParseCommandLine(int argc, char** argv, absl::string_view usage);

}  // namespace sslpanel::config
