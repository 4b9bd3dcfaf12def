#include "ca-adapter/src/x509/certificate.h"

#include <openssl/pem.h>

#include <ctime>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "ca-adapter/src/x509/openssl_util.h"

namespace sslpanel::ca::x509 {
namespace {

absl::StatusOr<absl::Time> AsnTime(const ASN1_TIME* time) {
  struct tm parts = {};
  if (time == nullptr || ASN1_TIME_to_tm(time, &parts) != 1) {
    return absl::InvalidArgumentError("certificate has an unreadable validity time");
  }
  return absl::FromTimeT(timegm(&parts));
}

X509Ptr ReadPem(absl::string_view pem) {
  BioPtr bio = MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  OpenSslErrors();
  return cert;
}

}  // namespace

absl::StatusOr<CertificateInfo> InspectCertificate(absl::string_view pem) {
  X509Ptr cert = ReadPem(pem);
  if (cert == nullptr) {
    return absl::InvalidArgumentError("not a PEM certificate");
  }
  CertificateInfo info;
  BignumPtr serial(ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert.get()), nullptr));
  if (serial == nullptr) {
    return absl::InvalidArgumentError("certificate has an unreadable serial number");
  }
  char* hex = BN_bn2hex(serial.get());
  info.serial_number = absl::AsciiStrToLower(hex);
  OPENSSL_free(hex);
  absl::StatusOr<absl::Time> not_before = AsnTime(X509_get0_notBefore(cert.get()));
  absl::StatusOr<absl::Time> not_after = AsnTime(X509_get0_notAfter(cert.get()));
  if (!not_before.ok() || !not_after.ok()) {
    return absl::InvalidArgumentError("certificate has an unreadable validity period");
  }
  info.not_before = *not_before;
  info.not_after = *not_after;
  GeneralNamesPtr names(static_cast<GENERAL_NAMES*>(
      X509_get_ext_d2i(cert.get(), NID_subject_alt_name, nullptr, nullptr)));
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type == GEN_DNS) {
      info.dns_names.emplace_back(
          reinterpret_cast<const char*>(ASN1_STRING_get0_data(name->d.dNSName)),
          static_cast<size_t>(ASN1_STRING_length(name->d.dNSName)));
    }
  }
  unsigned char* der = nullptr;
  const int length = i2d_X509(cert.get(), &der);
  if (length <= 0) {
    OpenSslErrors();
    return absl::InvalidArgumentError("certificate cannot be encoded as DER");
  }
  info.der.assign(reinterpret_cast<const char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  return info;
}

absl::StatusOr<std::vector<std::string>> SplitPemChain(absl::string_view pem) {
  static constexpr absl::string_view kBegin = "-----BEGIN CERTIFICATE-----";
  static constexpr absl::string_view kEnd = "-----END CERTIFICATE-----";
  std::vector<std::string> blocks;
  size_t position = 0;
  while (true) {
    const size_t begin = pem.find(kBegin, position);
    if (begin == absl::string_view::npos) {
      break;
    }
    const size_t end = pem.find(kEnd, begin);
    if (end == absl::string_view::npos) {
      return absl::InvalidArgumentError("PEM chain has an unterminated certificate");
    }
    blocks.push_back(absl::StrCat(pem.substr(begin, end + kEnd.size() - begin), "\n"));
    position = end + kEnd.size();
  }
  if (blocks.empty()) {
    return absl::InvalidArgumentError("PEM chain holds no certificate");
  }
  return blocks;
}

absl::StatusOr<std::string> CertificateDer(absl::string_view pem) {
  absl::StatusOr<CertificateInfo> info = InspectCertificate(pem);
  if (!info.ok()) {
    return info.status();
  }
  return info->der;
}

}  // namespace sslpanel::ca::x509
