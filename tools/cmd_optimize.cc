// `ember optimize` (not implemented yet).
#include "support/error.h"
#include "tools/commands.h"

namespace ember::cli {

Command optimize_command() {
  return Command{"optimize", "(not implemented yet)", "usage: ember optimize", {},
                 [](const ParsedArgs&, std::ostream&, std::ostream&) -> int {
                   fail(Status::Unsupported, "ember optimize is not implemented yet");
                 }};
}

}  // namespace ember::cli
