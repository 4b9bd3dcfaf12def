// The DCV operations: approver addresses (GetDCVEmailAddressList), per-name
// state (GetMDCDomainDetails), change or re-trigger (AutoUpdateDCV) and
// resend the approver mail (ResendDCVEmail).
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

namespace sslpanel::sectigo_fake {
namespace {

bool LooksLikeHostName(const std::string& name) {
  return name.find('.') != std::string::npos && name.size() <= 255 &&
         std::all_of(name.begin(), name.end(), [](unsigned char c) {
           return absl::ascii_isalnum(c) || c == '.' || c == '-' || c == '*';
         });
}

std::vector<std::string> Split(const std::string& text, const char* separators) {
  return absl::StrSplit(text, absl::ByAnyChar(separators), absl::SkipEmpty());
}

}  // namespace

Reply FakeCa::GetDcvEmailAddressList(Account& account, const Params& params, Format format) {
  if (!params.Has("domainName")) {
    return ErrorReply(-3, MissingArgument("domainName"), format);
  }
  const std::string domain = absl::AsciiStrToLower(*params.Get("domainName"));
  const std::string response_format = params.GetOr("responseFormat", "1");
  if (!LooksLikeHostName(domain)) {
    return ErrorReply(-4, InvalidArgument("domainName"), format);
  }
  if (response_format != "1" && response_format != "2") {
    return ErrorReply(-4, InvalidArgument("responseFormat"), format);
  }
  std::vector<std::string> auth_domains = AuthDomains(domain);
  std::reverse(auth_domains.begin(), auth_domains.end());  // level 2 first
  Reply reply;
  reply.format = format;
  reply.Add("domain_name", domain);
  nlohmann::json json = {{"errorCode", 0},
                         {"domainName", domain},
                         {"whoisEmail", nlohmann::json::array()},
                         {"dnsTxtEmails", nlohmann::json::array()}};
  for (const std::string& auth_domain : auth_domains) {
    const int level = static_cast<int>(std::count(auth_domain.begin(), auth_domain.end(), '.')) + 1;
    nlohmann::json emails = nlohmann::json::array();
    for (const std::string& email : ApproverEmails(auth_domain)) {
      reply.Add(absl::StrCat("level", level, "_email"), email);
      emails.push_back(email);
      account.listed_emails[email] = clock_.Now();
    }
    json[absl::StrCat("level", level, "Emails")] = std::move(emails);
  }
  reply.json = json.dump();
  return reply;
}

Reply FakeCa::GetMdcDomainDetails(Account& account, const Params& params, Format format) {
  if (!params.Has("orderNumber")) {
    return ErrorReply(-3, MissingArgument("orderNumber"), format);
  }
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  Certificate& certificate = *selected.certificate;
  Refresh(*selected.order, certificate);
  Reply reply;
  reply.format = format;
  nlohmann::json domains = nlohmann::json::array();
  int index = 1;
  for (const NameDcv& name : certificate.dcv) {
    const char* status = name.validated ? "Validated" : "Awaiting Validation";
    reply.Add(absl::StrCat(index, "_domainName"), name.name)
        .Add(absl::StrCat(index, "_dcvMethod"), DcvMethodName(name.method))
        .Add(absl::StrCat(index, "_dcvStatus"), status);
    domains.push_back({{"domainName", name.name},
                       {"dcvMethod", DcvMethodName(name.method)},
                       {"dcvStatus", status}});
    ++index;
  }
  reply.json = nlohmann::json{{"errorCode", 0}, {"domains", domains}}.dump();
  return reply;
}

Reply FakeCa::ResendDcvEmail(Account& account, const Params& params, Format format) {
  if (!params.Has("orderNumber") && !params.Has("baseOrderNumber")) {
    return ErrorReply(-3, MissingArgument("orderNumber"), format);
  }
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  Certificate& certificate = *selected.certificate;
  Refresh(*selected.order, certificate);
  Decision decision = DecideDcvChange(certificate.state);
  if (decision.code < 0) {
    return ErrorReply(decision.code, decision.message, format);
  }
  if (params.Has("dcvEmailAddress")) {
    const std::string email = absl::AsciiStrToLower(*params.Get("dcvEmailAddress"));
    if (!IsApproverFor(email, certificate.names.front()) || !EmailListed(account, email)) {
      return ErrorReply(-4, InvalidArgument("dcvEmailAddress"), format);
    }
    for (NameDcv& name : certificate.dcv) {
      if (name.method == DcvMethod::kEmail && IsApproverFor(email, name.name)) {
        name.email = email;
      }
    }
  }
  ++certificate.dcv_emails_sent;
  certificate.dcv_history.push_back(
      absl::StrCat("ResendDCVEmail ", params.GetOr("dcvEmailAddress", "(last address)")));
  Reply reply;
  reply.format = format;
  return reply;
}

Reply FakeCa::AutoUpdateDcv(Account& account, const Params& params, Format format) {
  if (!params.Has("orderNumber") && !params.Has("baseOrderNumber")) {
    return ErrorReply(-3, MissingArgument("orderNumber"), format);
  }
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  Certificate& certificate = *selected.certificate;
  Refresh(*selected.order, certificate);
  Decision decision = DecideDcvChange(certificate.state);
  if (decision.code < 0) {
    return ErrorReply(decision.code, decision.message, format);
  }
  // One change per name: (name or "" for all, method, email).
  struct Change {
    std::string name, method, email;
    const char* method_arg;
    const char* email_arg;
  };
  std::vector<Change> changes;
  if (params.Has("domainNames") || params.Has("newMethods")) {
    const std::vector<std::string> names = Split(params.GetOr("domainNames"), " ");
    const std::vector<std::string> methods = Split(params.GetOr("newMethods"), ",");
    const std::vector<std::string> emails = Split(params.GetOr("newDCVEmailAddresses"), " ");
    if (names.empty() || names.size() != methods.size()) {
      return ErrorReply(-4, InvalidArgument("newMethods"), format);
    }
    for (size_t i = 0, e = 0; i < names.size(); ++i) {
      const bool email = methods[i] == "EMAIL";
      changes.push_back({absl::AsciiStrToLower(names[i]), methods[i],
                         email && e < emails.size() ? emails[e++] : "", "newMethods",
                         "newDCVEmailAddresses"});
    }
  } else {
    if (!params.Has("newMethod")) {
      return ErrorReply(-3, MissingArgument("newMethod"), format);
    }
    changes.push_back({absl::AsciiStrToLower(params.GetOr("domainName")), *params.Get("newMethod"),
                       params.GetOr("newDCVEmailAddress"), "newMethod", "newDCVEmailAddress"});
  }
  for (const Change& change : changes) {
    std::optional<DcvMethod> method = ParseDcvMethod(change.method);
    if (!method.has_value()) {
      return ErrorReply(-4, InvalidArgument(change.method_arg), format);
    }
    const bool known_name =
        change.name.empty() ||
        std::any_of(certificate.dcv.begin(), certificate.dcv.end(),
                    [&](const NameDcv& name) { return name.name == change.name; });
    if (!known_name) {
      return ErrorReply(-4, InvalidArgument("domainName"), format);
    }
    const std::string target = change.name.empty() ? certificate.names.front() : change.name;
    if (*method == DcvMethod::kEmail) {
      if (change.email.empty()) {
        return ErrorReply(-3, MissingArgument(change.email_arg), format);
      }
      if (!IsApproverFor(change.email, target) || !EmailListed(account, change.email)) {
        return ErrorReply(-4, InvalidArgument(change.email_arg), format);
      }
    }
  }
  for (const Change& change : changes) {
    for (NameDcv& name : certificate.dcv) {
      if (change.name.empty() || name.name == change.name) {
        name.method = *ParseDcvMethod(change.method);
        name.email = absl::AsciiStrToLower(change.email);
        name.validated = false;  // the same method again re-triggers the checks
      }
    }
    certificate.dcv_history.push_back(
        absl::StrCat("AutoUpdateDCV ", change.name.empty() ? "(all names)" : change.name, " ",
                     change.method, change.email.empty() ? "" : " ", change.email));
  }
  if (options_.validation == ValidationMode::kAuto) {
    certificate.validate_at = clock_.Now() + options_.auto_validate_after;
  }
  Reply reply;
  reply.format = format;
  return reply;
}

}  // namespace sslpanel::sectigo_fake
