// AutoRevokeSSL and autoRevokeCertificate: one call rejects an order not yet
// issued and revokes an issued certificate, answering 0 either way.
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/sectigo-fake/src/app/fake_ca.h"

namespace sslpanel::sectigo_fake {

Reply FakeCa::AutoRevokeSsl(Account& account, const Params& params, Format format) {
  return Revoke(account, params, format, RevokeCall::kAutoRevokeSsl);
}

Reply FakeCa::AutoRevokeCertificate(Account& account, const Params& params, Format format) {
  const std::string crl = absl::AsciiStrToUpper(params.GetOr("includeInCRL", "Y"));
  if (crl != "Y" && crl != "N") {
    return ErrorReply(-4, InvalidArgument("includeInCRL"), format);
  }
  return Revoke(
      account, params, format,
      crl == "Y" ? RevokeCall::kRevokeCertificateCrl : RevokeCall::kRevokeCertificateNoCrl);
}

Reply FakeCa::Revoke(Account& account, const Params& params, Format format, RevokeCall call) {
  Selected selected = Select(account, params, format);
  if (selected.error.has_value()) {
    return *selected.error;
  }
  const std::string reason = params.GetOr("revocationReason");
  if (reason.size() > 1024) {
    return ErrorReply(-4, InvalidArgument("revocationReason"), format);
  }
  const std::string code_reason = params.GetOr("codeReason", "0");
  if (code_reason != "0" && code_reason != "1" && code_reason != "3" && code_reason != "4" &&
      code_reason != "5") {
    return ErrorReply(-4, InvalidArgument("codeReason"), format);
  }
  Certificate& certificate = *selected.certificate;
  Refresh(*selected.order, certificate);
  Decision decision = DecideRevoke(certificate.state, call, params.Flag("test"));
  if (decision.code < 0) {
    return ErrorReply(decision.code, decision.message, format);
  }
  if (decision.next.has_value()) {
    certificate.state = *decision.next;
    certificate.reason = absl::StrCat(reason, " (codeReason ", code_reason, ")");
  }
  Reply reply;
  reply.format = format;
  return reply;
}

}  // namespace sslpanel::sectigo_fake
