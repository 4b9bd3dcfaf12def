#include "workflow-service/src/storage/json_columns.h"

#include "nlohmann/json.hpp"

namespace sslpanel::workflow::storage {
namespace {

using Json = nlohmann::json;

Json Parse(const std::string& text) {
  Json json = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  return json.is_discarded() ? Json() : json;
}

std::string Text(const Json& object, const char* key) {
  auto it = object.find(key);
  return it != object.end() && it->is_string() ? it->get<std::string>() : std::string();
}

domain::DcvMethod Method(const Json& object) {
  domain::DcvMethod method = domain::DcvMethod::kDns;
  domain::Parse(Text(object, "method"), &method);
  return method;
}

}  // namespace

std::string NamesToJson(const std::vector<std::string>& names) { return Json(names).dump(); }

std::vector<std::string> NamesFromJson(const std::string& text) {
  std::vector<std::string> names;
  for (const Json& item : Parse(text)) {
    if (item.is_string()) {
      names.push_back(item.get<std::string>());
    }
  }
  return names;
}

std::string DcvToJson(const std::vector<domain::DomainValidation>& dcv) {
  Json array = Json::array();
  for (const domain::DomainValidation& d : dcv) {
    array.push_back({{"host_name", d.host_name},
                     {"method", std::string(domain::ToString(d.method))},
                     {"approver_email", d.approver_email}});
  }
  return array.dump();
}

std::vector<domain::DomainValidation> DcvFromJson(const std::string& text) {
  std::vector<domain::DomainValidation> dcv;
  for (const Json& item : Parse(text)) {
    if (item.is_object()) {
      dcv.push_back({Text(item, "host_name"), Method(item), Text(item, "approver_email")});
    }
  }
  return dcv;
}

std::string InstructionsToJson(const std::vector<domain::DcvInstruction>& instructions) {
  Json array = Json::array();
  for (const domain::DcvInstruction& i : instructions) {
    array.push_back({{"host_name", i.host_name},
                     {"method", std::string(domain::ToString(i.method))},
                     {"dns_record_name", i.dns_record_name},
                     {"dns_record_type", i.dns_record_type},
                     {"dns_record_value", i.dns_record_value},
                     {"http_url", i.http_url},
                     {"http_content", i.http_content},
                     {"approver_email", i.approver_email},
                     {"status", i.status}});
  }
  return array.dump();
}

std::vector<domain::DcvInstruction> InstructionsFromJson(const std::string& text) {
  std::vector<domain::DcvInstruction> instructions;
  for (const Json& item : Parse(text)) {
    if (!item.is_object()) {
      continue;
    }
    domain::DcvInstruction i;
    i.host_name = Text(item, "host_name");
    i.method = Method(item);
    i.dns_record_name = Text(item, "dns_record_name");
    i.dns_record_type = Text(item, "dns_record_type");
    i.dns_record_value = Text(item, "dns_record_value");
    i.http_url = Text(item, "http_url");
    i.http_content = Text(item, "http_content");
    i.approver_email = Text(item, "approver_email");
    i.status = Text(item, "status");
    instructions.push_back(std::move(i));
  }
  return instructions;
}

std::string OrganizationToJson(const domain::Organization& o) {
  return Json{{"legal_name", o.legal_name},
              {"kvk_number", o.kvk_number},
              {"street", o.street},
              {"house_number", o.house_number},
              {"house_number_addition", o.house_number_addition},
              {"postcode", o.postcode},
              {"city", o.city},
              {"country_code", o.country_code},
              {"phone", o.phone}}
      .dump();
}

domain::Organization OrganizationFromJson(const std::string& text) {
  const Json json = Parse(text);
  domain::Organization o;
  if (!json.is_object()) {
    return o;
  }
  o.legal_name = Text(json, "legal_name");
  o.kvk_number = Text(json, "kvk_number");
  o.street = Text(json, "street");
  o.house_number = Text(json, "house_number");
  o.house_number_addition = Text(json, "house_number_addition");
  o.postcode = Text(json, "postcode");
  o.city = Text(json, "city");
  o.country_code = Text(json, "country_code");
  o.phone = Text(json, "phone");
  return o;
}

std::string DetailToJson(const domain::IntentDetail& detail) {
  Json object = {{"domain_validations", Parse(DcvToJson(detail.domain_validations))},
                 {"host_name", detail.host_name},
                 {"attach_ca_reference", detail.attach_ca_reference},
                 {"resubmit", detail.resubmit},
                 {"reason", detail.reason},
                 {"actor", detail.actor}};
  return object.dump();
}

domain::IntentDetail DetailFromJson(const std::string& text) {
  const Json object = Parse(text);
  domain::IntentDetail detail;
  if (!object.is_object()) {
    return detail;
  }
  if (auto it = object.find("domain_validations"); it != object.end()) {
    detail.domain_validations = DcvFromJson(it->dump());
  }
  detail.host_name = Text(object, "host_name");
  detail.attach_ca_reference = Text(object, "attach_ca_reference");
  auto resubmit = object.find("resubmit");
  detail.resubmit = resubmit != object.end() && resubmit->is_boolean() && resubmit->get<bool>();
  detail.reason = Text(object, "reason");
  detail.actor = Text(object, "actor");
  return detail;
}

}  // namespace sslpanel::workflow::storage
