#include "ca-adapter/src/sandbox/sandbox_ca.h"

#include <fcntl.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/sandbox/sandbox_files.h"
#include "ca-adapter/src/x509/certificate.h"
#include "ca-adapter/src/x509/openssl_util.h"
#include "common/log/log.h"

namespace sslpanel::ca::sandbox {

using x509::BignumPtr;
using x509::OpenSslErrors;
using x509::PkeyPtr;
using x509::X509Ptr;

struct SandboxCa::Keys {
  PkeyPtr root_key;
  X509Ptr root;
  PkeyPtr issuing_key;
  X509Ptr issuing;
};

namespace {

constexpr absl::Duration kRootValidity = absl::Hours(24 * 365 * 20);
constexpr absl::Duration kIssuingValidity = absl::Hours(24 * 365 * 10);
// Backdating the CA certificates keeps a freshly created sandbox usable by
// peers whose clocks run slightly behind.
constexpr absl::Duration kCaBackdate = absl::Hours(1);

absl::Status Failure(absl::string_view what) {
  return absl::InternalError(absl::StrCat(what, ": ", OpenSslErrors()));
}

absl::StatusOr<PkeyPtr> NewEcKey() {
  PkeyPtr key(EVP_EC_gen("P-256"));
  if (key == nullptr) {
    return Failure("EC key generation");
  }
  return key;
}

absl::Status SetSerial(X509* cert, app::RandomSource& random) {
  std::string bytes = random.Bytes(16);
  bytes[0] = static_cast<char>(bytes[0] & 0x7f);  // positive (RFC 5280 4.1.2.2)
  if (bytes[0] == 0) {
    bytes[0] = 0x01;  // keep all 16 octets significant
  }
  BignumPtr serial(BN_bin2bn(reinterpret_cast<const unsigned char*>(bytes.data()),
                             static_cast<int>(bytes.size()), nullptr));
  if (serial == nullptr ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert)) == nullptr) {
    return Failure("serial number");
  }
  return absl::OkStatus();
}

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const std::string& value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  x509::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value.c_str()));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Failure(absl::StrCat("extension ", OBJ_nid2sn(nid), "=", value));
  }
  return absl::OkStatus();
}

absl::Status AddName(X509_NAME* name, const char* field, const std::string& value) {
  if (value.empty()) {
    return absl::OkStatus();
  }
  if (X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(value.c_str()), -1, -1,
                                 0) != 1) {
    return Failure(absl::StrCat("subject ", field));
  }
  return absl::OkStatus();
}

absl::Status SetValidity(X509* cert, absl::Time not_before, absl::Time not_after) {
  if (ASN1_TIME_set(X509_getm_notBefore(cert), absl::ToTimeT(not_before)) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(cert), absl::ToTimeT(not_after)) == nullptr) {
    return Failure("validity");
  }
  return absl::OkStatus();
}

// A CA certificate: self-signed when issuer is null.
absl::StatusOr<X509Ptr> MakeCaCert(const std::string& common_name, EVP_PKEY* key, X509* issuer,
                                   EVP_PKEY* issuer_key, absl::Time now, absl::Duration validity,
                                   bool root, app::RandomSource& random) {
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  if (absl::Status s = SetSerial(cert.get(), random); !s.ok()) {
    return s;
  }
  x509::X509NamePtr name(X509_NAME_new());
  if (absl::Status s = AddName(name.get(), "O", "SSL Panel Sandbox"); !s.ok()) {
    return s;
  }
  if (absl::Status s = AddName(name.get(), "CN", common_name); !s.ok()) {
    return s;
  }
  X509_set_subject_name(cert.get(), name.get());
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name.get());
  X509_set_pubkey(cert.get(), key);
  if (absl::Status s = SetValidity(cert.get(), now - kCaBackdate, now + validity); !s.ok()) {
    return s;
  }
  X509* signer = issuer != nullptr ? issuer : cert.get();
  for (const auto& [nid, value] : std::vector<std::pair<int, std::string>>{
           {NID_basic_constraints, root ? "critical,CA:TRUE" : "critical,CA:TRUE,pathlen:0"},
           {NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature"},
           {NID_subject_key_identifier, "hash"},
           {NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status s = AddExtension(cert.get(), signer, nid, value); !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return Failure("signing the CA certificate");
  }
  return cert;
}

std::string KeyPem(EVP_PKEY* key) {
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr);
  return x509::BioContents(bio.get());
}

std::string CertPem(X509* cert) {
  x509::BioPtr bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509(bio.get(), cert);
  return x509::BioContents(bio.get());
}

absl::StatusOr<PkeyPtr> ParseKey(const std::string& pem, const std::string& path) {
  x509::BioPtr bio = x509::MemoryBio(pem);
  PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr));
  if (key == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a PEM private key (", OpenSslErrors(), ")"));
  }
  return key;
}

absl::StatusOr<X509Ptr> ParseCert(const std::string& pem, const std::string& path) {
  x509::BioPtr bio = x509::MemoryBio(pem);
  X509Ptr cert(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
  if (cert == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat(path, ": not a PEM certificate (", OpenSslErrors(), ")"));
  }
  return cert;
}

}  // namespace

SandboxCa::SandboxCa(std::unique_ptr<Keys> keys, std::string root_pem, std::string issuing_pem,
                     app::RandomSource& random)
    : keys_(std::move(keys)),
      root_pem_(std::move(root_pem)),
      issuing_pem_(std::move(issuing_pem)),
      random_(random) {}

SandboxCa::~SandboxCa() = default;

absl::StatusOr<std::unique_ptr<SandboxCa>> SandboxCa::LoadOrCreate(const std::string& dir,
                                                                   const Clock& clock,
                                                                   app::RandomSource& random) {
  if (dir.empty()) {
    return absl::InvalidArgumentError("--ca_dir must not be empty");
  }
  if (mkdir(dir.c_str(), 0700) != 0 && errno != EEXIST) {
    return absl::FailedPreconditionError(
        absl::StrCat("--ca_dir: cannot create ", dir, ": ", std::strerror(errno)));
  }
  DirectoryLock lock(dir);
  if (!lock.ok()) {
    return absl::FailedPreconditionError(absl::StrCat("--ca_dir: cannot lock ", dir));
  }
  const char* files[] = {kRootCertFile, kRootKeyFile, kIssuingCertFile, kIssuingKeyFile};
  std::vector<std::string> present;
  for (const char* file : files) {
    if (Exists(PathIn(dir, file))) {
      present.push_back(file);
    }
  }
  auto keys = std::make_unique<Keys>();
  if (present.empty()) {
    // A suffix tells sandboxes apart when several roots end up in one trust
    // store.
    const std::string suffix = app::RandomHex(random, 3);
    const absl::Time now = clock.Now();
    absl::StatusOr<PkeyPtr> root_key = NewEcKey();
    absl::StatusOr<PkeyPtr> issuing_key = NewEcKey();
    if (!root_key.ok() || !issuing_key.ok()) {
      return root_key.ok() ? issuing_key.status() : root_key.status();
    }
    absl::StatusOr<X509Ptr> root =
        MakeCaCert(absl::StrCat("SSL Panel Sandbox Root CA ", suffix), root_key->get(), nullptr,
                   nullptr, now, kRootValidity, true, random);
    if (!root.ok()) {
      return root.status();
    }
    absl::StatusOr<X509Ptr> issuing =
        MakeCaCert(absl::StrCat("SSL Panel Sandbox Issuing CA ", suffix), issuing_key->get(),
                   root->get(), root_key->get(), now, kIssuingValidity, false, random);
    if (!issuing.ok()) {
      return issuing.status();
    }
    // Keys first: a certificate without its key on disk is the worse failure.
    for (const auto& [file, contents, mode] :
         std::vector<std::tuple<const char*, std::string, mode_t>>{
             {kRootKeyFile, KeyPem(root_key->get()), 0600},
             {kIssuingKeyFile, KeyPem(issuing_key->get()), 0600},
             {kRootCertFile, CertPem(root->get()), 0644},
             {kIssuingCertFile, CertPem(issuing->get()), 0644}}) {
      if (absl::Status s = WriteFile(PathIn(dir, file), contents, mode); !s.ok()) {
        return s;
      }
    }
    log::Info("created sandbox CA",
              {{"dir", dir}, {"root", absl::StrCat("SSL Panel Sandbox Root CA ", suffix)}});
  } else if (present.size() != 4) {
    return absl::FailedPreconditionError(
        absl::StrCat("--ca_dir ", dir, " holds only ", absl::StrJoin(present, ", "),
                     "; it needs all of root.pem, root.key, issuing.pem, issuing.key (or none, "
                     "to create a new CA)"));
  }
  std::string pems[4];
  for (int i = 0; i < 4; ++i) {
    absl::StatusOr<std::string> contents = ReadFile(PathIn(dir, files[i]));
    if (!contents.ok()) {
      return contents.status();
    }
    pems[i] = *std::move(contents);
  }
  absl::StatusOr<X509Ptr> root = ParseCert(pems[0], PathIn(dir, kRootCertFile));
  absl::StatusOr<PkeyPtr> root_key = ParseKey(pems[1], PathIn(dir, kRootKeyFile));
  absl::StatusOr<X509Ptr> issuing = ParseCert(pems[2], PathIn(dir, kIssuingCertFile));
  absl::StatusOr<PkeyPtr> issuing_key = ParseKey(pems[3], PathIn(dir, kIssuingKeyFile));
  for (const absl::Status& s :
       {root.status(), root_key.status(), issuing.status(), issuing_key.status()}) {
    if (!s.ok()) {
      return s;
    }
  }
  if (X509_check_private_key(root->get(), root_key->get()) != 1 ||
      X509_check_private_key(issuing->get(), issuing_key->get()) != 1) {
    OpenSslErrors();
    return absl::FailedPreconditionError(
        absl::StrCat("--ca_dir ", dir, ": a certificate does not match its key"));
  }
  if (X509_verify(issuing->get(), X509_get0_pubkey(root->get())) != 1) {
    OpenSslErrors();
    return absl::FailedPreconditionError(
        absl::StrCat("--ca_dir ", dir, ": issuing.pem is not signed by root.pem"));
  }
  keys->root = *std::move(root);
  keys->root_key = *std::move(root_key);
  keys->issuing = *std::move(issuing);
  keys->issuing_key = *std::move(issuing_key);
  return std::unique_ptr<SandboxCa>(
      new SandboxCa(std::move(keys), std::move(pems[0]), std::move(pems[2]), random));
}

absl::StatusOr<domain::IssuedCertificate> SandboxCa::Sign(const LeafSpec& spec) const {
  if (spec.names.empty()) {
    return absl::InvalidArgumentError("a certificate needs at least one name");
  }
  x509::BioPtr bio = x509::MemoryBio(spec.csr_pem);
  x509::X509ReqPtr req(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  EVP_PKEY* subject_key = req != nullptr ? X509_REQ_get0_pubkey(req.get()) : nullptr;
  if (subject_key == nullptr) {
    OpenSslErrors();
    return absl::InvalidArgumentError("csr: cannot parse the certificate signing request");
  }
  X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  if (absl::Status s = SetSerial(cert.get(), random_); !s.ok()) {
    return s;
  }
  x509::X509NamePtr subject(X509_NAME_new());
  if (spec.organization.has_value()) {
    for (const auto& [field, value] :
         std::vector<std::pair<const char*, std::string>>{{"C", spec.organization->country_code},
                                                          {"L", spec.organization->city},
                                                          {"O", spec.organization->legal_name}}) {
      if (absl::Status s = AddName(subject.get(), field, value); !s.ok()) {
        return s;
      }
    }
  }
  // The CN is limited to 64 characters (RFC 5280 ub-common-name); the SAN
  // carries the name regardless.
  if (spec.names.front().size() <= 64) {
    if (absl::Status s = AddName(subject.get(), "CN", spec.names.front()); !s.ok()) {
      return s;
    }
  }
  X509_set_subject_name(cert.get(), subject.get());
  X509_set_issuer_name(cert.get(), X509_get_subject_name(keys_->issuing.get()));
  X509_set_pubkey(cert.get(), subject_key);
  if (absl::Status s = SetValidity(cert.get(), spec.not_before, spec.not_after); !s.ok()) {
    return s;
  }
  std::vector<std::string> sans;
  for (const std::string& name : spec.names) {
    sans.push_back(absl::StrCat("DNS:", name));
  }
  const bool rsa = EVP_PKEY_get_base_id(subject_key) == EVP_PKEY_RSA;
  for (const auto& [nid, value] : std::vector<std::pair<int, std::string>>{
           {NID_basic_constraints, "critical,CA:FALSE"},
           {NID_key_usage,
            rsa ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature"},
           {NID_ext_key_usage, "serverAuth,clientAuth"},
           {NID_subject_alt_name, absl::StrJoin(sans, ",")},
           {NID_subject_key_identifier, "hash"},
           {NID_authority_key_identifier, "keyid:always"}}) {
    if (absl::Status s = AddExtension(cert.get(), keys_->issuing.get(), nid, value); !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), keys_->issuing_key.get(), EVP_sha256()) <= 0) {
    return Failure("signing the certificate");
  }
  domain::IssuedCertificate issued;
  issued.certificate_pem = CertPem(cert.get());
  issued.chain_pem = issuing_pem_;
  absl::StatusOr<x509::CertificateInfo> info = x509::InspectCertificate(issued.certificate_pem);
  if (!info.ok()) {
    return info.status();
  }
  issued.serial_number = info->serial_number;
  issued.not_before = info->not_before;
  issued.not_after = info->not_after;
  return issued;
}

}  // namespace sslpanel::ca::sandbox
