#include "common/config/command_line.h"

#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/flags/usage_config.h"
#include "absl/strings/match.h"

namespace sslpanel::config {
namespace {

// Flags are recorded with the file that defines them. absl's own
// (--flagfile, --fromenv, --undefok, ...) are generic and would bury ours.
bool IsOurFlagFile(absl::string_view file) { return !absl::StrContains(file, "absl/"); }

}  // namespace

std::vector<char*> ParseCommandLine(int argc, char** argv, absl::string_view usage) {
  absl::SetProgramUsageMessage(usage);
  absl::FlagsUsageConfig usage_config;
  usage_config.contains_helpshort_flags = IsOurFlagFile;
  usage_config.contains_help_flags = IsOurFlagFile;
  absl::SetFlagsUsageConfig(usage_config);
  return absl::ParseCommandLine(argc, argv);
}

}  // namespace sslpanel::config
