// `ember verify` (not implemented yet).
#include "support/error.h"
#include "tools/commands.h"

namespace ember::cli {

Command verify_command() {
  return Command{"verify", "(not implemented yet)", "usage: ember verify", {},
                 [](const ParsedArgs&, std::ostream&, std::ostream&) -> int {
                   fail(Status::Unsupported, "ember verify is not implemented yet");
                 }};
}

}  // namespace ember::cli
