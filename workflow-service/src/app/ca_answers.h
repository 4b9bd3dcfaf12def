// What a CA adapter's answer means for a certificate, as domain commands:
// shared by the deliveries of the outbox and the status sync, so every path
// reads the CA's answers the same way.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "workflow-service/src/app/processing_ports.h"
#include "workflow-service/src/domain/transitions.h"

namespace sslpanel::workflow::app {

// Commands that record `answer` about `cert` (empty when nothing changed).
std::vector<domain::Command> AnswerCommands(const domain::Certificate& cert,
                                            const CaAnswer& answer);

// Whether `commands` settle a pending cancellation: the CA issued (the
// domain turns the cancel into a revocation), refused, cancelled or revoked.
bool SettlesCancellation(const std::vector<domain::Command>& commands);

// The actor of events recorded from an adapter's answers: "ca:<adapter>".
std::string AdapterActor(const std::string& adapter);

// Why a delivery to an adapter this replica has no client for waits:
// retried like a CA that is down, since a customer's certificate is never
// refused over our own configuration.
absl::Status NoAdapter(const std::string& adapter);

}  // namespace sslpanel::workflow::app
