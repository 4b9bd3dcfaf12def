#include "workflow-service/src/app/ca_answers.h"

#include <variant>

#include "absl/strings/str_cat.h"

namespace sslpanel::workflow::app {

namespace cmd = domain::command;

std::vector<domain::Command> AnswerCommands(const domain::Certificate& cert,
                                            const CaAnswer& answer) {
  std::vector<domain::Command> commands;
  const bool requested = cert.status == domain::CertificateStatus::kRequested;
  switch (answer.state) {
    case CaState::kPending:
      if (answer.raw_status != cert.ca_raw_status ||
          answer.dcv_instructions != cert.dcv_instructions) {
        commands.push_back(cmd::CaProgress{answer.raw_status, answer.dcv_instructions});
      }
      break;
    case CaState::kIssued:
      if (requested && answer.certificate.has_value()) {
        commands.push_back(cmd::CaIssued{*answer.certificate, answer.raw_status});
      }
      break;
    case CaState::kRefused:
      if (requested) {
        commands.push_back(cmd::CaRefused{answer.refusal_reason, answer.raw_status});
      }
      break;
    case CaState::kCancelled:
    case CaState::kRevoked:
      commands.push_back(cmd::CaCancelled{answer.raw_status});
      break;
  }
  return commands;
}

bool SettlesCancellation(const std::vector<domain::Command>& commands) {
  for (const domain::Command& command : commands) {
    if (!std::holds_alternative<cmd::CaProgress>(command)) {
      return true;
    }
  }
  return false;
}

std::string AdapterActor(const std::string& adapter) { return absl::StrCat("ca:", adapter); }

absl::Status NoAdapter(const std::string& adapter) {
  return absl::UnavailableError(
      absl::StrCat("no CA adapter named \"", adapter, "\" is configured (--ca_adapters)"));
}

}  // namespace sslpanel::workflow::app
