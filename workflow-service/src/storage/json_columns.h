// The small structured values stored as JSON text columns (name lists, DCV
// choices and instructions, the organisation). Unknown keys are ignored so a
// newer writer does not break an older reader.
#pragma once

#include <string>
#include <vector>

#include "workflow-service/src/domain/model.h"

namespace sslpanel::workflow::storage {

std::string NamesToJson(const std::vector<std::string>& names);
std::vector<std::string> NamesFromJson(const std::string& json);

std::string DcvToJson(const std::vector<domain::DomainValidation>& dcv);
std::vector<domain::DomainValidation> DcvFromJson(const std::string& json);

std::string InstructionsToJson(const std::vector<domain::DcvInstruction>& instructions);
std::vector<domain::DcvInstruction> InstructionsFromJson(const std::string& json);

// An intent's detail (outbox.detail_json).
std::string DetailToJson(const domain::IntentDetail& detail);
domain::IntentDetail DetailFromJson(const std::string& json);

std::string OrganizationToJson(const domain::Organization& organization);
domain::Organization OrganizationFromJson(const std::string& json);

}  // namespace sslpanel::workflow::storage
