// CollectSSL, and how a pending certificate moves on: validation (after a
// delay, by a network check, or by the admin endpoint), then signing.
#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"
#include "common/log/log.h"

namespace sslpanel::sectigo_fake {
namespace {

// The base64 DER of a PEM certificate (its body without armour or breaks).
std::string Base64Der(const std::string& pem) {
  std::string out;
  for (absl::string_view line : absl::StrSplit(pem, '\n')) {
    line = absl::StripAsciiWhitespace(line);
    if (!line.empty() && line[0] != '-') {
      absl::StrAppend(&out, line);
    }
  }
  return out;
}

std::optional<int> ChoiceParam(const Params& params, const char* name, int fallback, int low,
                               int high) {
  if (!params.Has(name)) {
    return fallback;
  }
  int value = 0;
  if (!absl::SimpleAtoi(*params.Get(name), &value) || value < low || value > high) {
    return std::nullopt;
  }
  return value;
}

void AddCertificates(Reply& reply, const Certificate& certificate, int query_type) {
  const bool urlencoded = reply.format == Format::kUrlEncoded;
  if (query_type == 1 || query_type == 2) {
    reply.Add("certificate",
              urlencoded ? Base64Der(certificate.certificate_pem) : certificate.certificate_pem);
  }
  if (query_type == 1 || query_type == 3) {
    for (const std::string& pem : certificate.chain_pems) {
      reply.Add("caCertificate", urlencoded ? Base64Der(pem) : pem);
    }
  }
}

}  // namespace

Reply FakeCa::CollectSsl(Account& account, const Params& params, Format format) {
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  std::optional<int> query_type = ChoiceParam(params, "queryType", 0, 0, 3);
  if (!query_type.has_value()) {
    return ErrorReply(-4, InvalidArgument("queryType"), format);
  }
  // Only individual base64 files are served (no ZIP, Netscape or PKCS#7).
  if (!ChoiceParam(params, "responseType", 3, 3, 3).has_value()) {
    return ErrorReply(-4, InvalidArgument("responseType"), format);
  }
  if (!ChoiceParam(params, "responseEncoding", 0, 0, 0).has_value()) {
    return ErrorReply(-4, InvalidArgument("responseEncoding"), format);
  }
  Order& order = *selected.order;
  const absl::Time now = clock_.Now();
  if (now - order.last_collect < options_.min_collect_interval) {
    return ErrorReply(-42, "Call limit reached: CollectSSL polled too often for this order!",
                      format);
  }
  order.last_collect = now;
  Certificate& certificate = *selected.certificate;
  Refresh(order, certificate);
  Decision decision = DecideCollect(certificate.state, account.unpaid, *query_type);
  if (decision.code < 0) {
    return ErrorReply(decision.code, decision.message, format);
  }
  Reply reply;
  reply.code = decision.code;
  reply.format = format;
  const bool issued = decision.code > 0;
  if (issued && params.Flag("showValidityPeriod")) {
    reply.Add("notBefore", absl::StrCat(absl::ToUnixSeconds(certificate.not_before)))
        .Add("notAfter", absl::StrCat(absl::ToUnixSeconds(certificate.not_after)));
  }
  if (params.Flag("showFQDN")) {
    reply.Add("fqdn", certificate.names.front());
  }
  if (format == Format::kUrlEncoded) {
    reply.Add("certificateStatus", CertStateName(certificate.state))
        .Add("validationStatus", issued ? "Validated" : "Awaiting Validation")
        .Add("dcvStatus", AllValidated(certificate) ? "1" : "0");
    if (params.Flag("showExtStatus")) {
      const char* done = issued ? "1" : "0";
      reply.Add("ovCallBackStatus", done)
          .Add("evClickThroughStatus", done)
          .Add("brandValStatus", done)
          .Add("caaStatus", done);
    }
  }
  if (decision.code == 2) {
    AddCertificates(reply, certificate, *query_type);
  }
  return reply;
}

void FakeCa::Refresh(Order& order, Certificate& certificate) {
  if (certificate.state != CertState::kAwaitingValidation) {
    return;
  }
  if (options_.validation == ValidationMode::kAuto && clock_.Now() >= certificate.validate_at) {
    for (NameDcv& name : certificate.dcv) {
      name.validated = true;
    }
  }
  if (AllValidated(certificate)) {
    Issue(order, certificate);
  }
}

void FakeCa::Issue(Order& order, Certificate& certificate) {
  SignRequest request;
  request.csr_pem = certificate.csr_pem;
  request.names = certificate.names;
  request.organization = order.organization;
  request.test = order.test;
  request.not_before = clock_.Now();
  request.not_after =
      request.not_before + absl::Hours(24) * std::min(certificate.days, options_.max_validity_days);
  absl::StatusOr<SignedCertificate> signed_certificate = signer_.Sign(request);
  if (!signed_certificate.ok()) {
    log::Error("cannot sign", {{"order", order.number}, {"error", signed_certificate.status()}});
    return;  // stays pending; the next call tries again
  }
  certificate.state = CertState::kIssued;
  certificate.certificate_pem = signed_certificate->certificate_pem;
  certificate.chain_pems = signed_certificate->chain_pems;
  certificate.serial_number = signed_certificate->serial_number;
  certificate.not_before = signed_certificate->not_before;
  certificate.not_after = signed_certificate->not_after;
}

void FakeCa::RunNetworkChecks(const Params& params) {
  if (options_.validation != ValidationMode::kCheck) {
    return;
  }
  std::vector<DcvCheck> checks;
  std::string certificate_id;
  {
    absl::MutexLock lock(&mu_);
    auto account = accounts_.find(params.GetOr("loginName"));
    if (account == accounts_.end() ||
        account->second.login_password != params.GetOr("loginPassword")) {
      return;
    }
    Selected selected = Select(account->second, params, Format::kNewline);
    if (selected.error.has_value() ||
        selected.certificate->state != CertState::kAwaitingValidation) {
      return;
    }
    certificate_id = selected.certificate->id;
    const CsrHashes hashes = HashCsrDer(selected.certificate->csr_der);
    for (const NameDcv& name : selected.certificate->dcv) {
      if (!name.validated && name.method != DcvMethod::kEmail) {
        checks.push_back({name.name, name.method, hashes, selected.certificate->unique_value});
      }
    }
  }
  std::vector<std::string> proved;
  for (const DcvCheck& check : checks) {
    if (checker_.Check(check)) {
      proved.push_back(check.name);
    }
  }
  absl::MutexLock lock(&mu_);
  for (auto& order : orders_) {
    for (Certificate& certificate : order->certificates) {
      if (certificate.id != certificate_id) {
        continue;
      }
      for (NameDcv& name : certificate.dcv) {
        if (std::find(proved.begin(), proved.end(), name.name) != proved.end()) {
          name.validated = true;
        }
      }
    }
  }
}

absl::Status FakeCa::ValidateNow(const std::string& order_number) {
  absl::MutexLock lock(&mu_);
  for (auto& order : orders_) {
    if (order->number != order_number) {
      continue;
    }
    Certificate& certificate = order->certificates.back();
    if (certificate.state != CertState::kAwaitingValidation) {
      return absl::FailedPreconditionError(
          absl::StrCat("order ", order_number, " is ", CertStateName(certificate.state)));
    }
    for (NameDcv& name : certificate.dcv) {
      name.validated = true;
    }
    Refresh(*order, certificate);
    SaveState();
    return absl::OkStatus();
  }
  return absl::NotFoundError(absl::StrCat("no order ", order_number));
}

}  // namespace sslpanel::sectigo_fake
