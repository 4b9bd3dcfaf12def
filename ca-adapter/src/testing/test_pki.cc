#include "ca-adapter/src/testing/test_pki.h"

#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/x509_vfy.h>

#include <fstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ca-adapter/src/x509/openssl_util.h"

namespace sslpanel::ca::testing {

using x509::OpenSslErrors;

absl::StatusOr<TestCsr> MakeCsr(const std::vector<std::string>& names, KeyType key_type) {
  x509::PkeyPtr key(key_type == KeyType::kEcP256    ? EVP_EC_gen("P-256")
                    : key_type == KeyType::kRsa2048 ? EVP_RSA_gen(2048)
                                                    : EVP_RSA_gen(1024));
  if (key == nullptr) {
    return absl::InternalError(absl::StrCat("key generation: ", OpenSslErrors()));
  }
  x509::X509ReqPtr req(X509_REQ_new());
  X509_REQ_set_version(req.get(), 0);
  X509_NAME* subject = X509_REQ_get_subject_name(req.get());
  if (!names.empty()) {
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(names[0].c_str()), -1, -1, 0);
    std::vector<std::string> sans;
    for (const std::string& name : names) {
      sans.push_back(absl::StrCat("DNS:", name));
    }
    STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                              absl::StrJoin(sans, ",").c_str());
    sk_X509_EXTENSION_push(extensions, san);
    X509_REQ_add_extensions(req.get(), extensions);
    sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  }
  X509_REQ_set_pubkey(req.get(), key.get());
  if (X509_REQ_sign(req.get(), key.get(), EVP_sha256()) <= 0) {
    return absl::InternalError(absl::StrCat("CSR signing: ", OpenSslErrors()));
  }
  TestCsr out;
  x509::BioPtr csr_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_X509_REQ(csr_bio.get(), req.get());
  out.csr_pem = x509::BioContents(csr_bio.get());
  x509::BioPtr key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  out.key_pem = x509::BioContents(key_bio.get());
  return out;
}

absl::Status VerifyCertificate(const std::string& root_pem, const std::string& chain_pem,
                               const std::string& leaf_pem, const std::string& host) {
  auto read_all = [](const std::string& pem) {
    STACK_OF(X509)* certs = sk_X509_new_null();
    x509::BioPtr bio = x509::MemoryBio(pem);
    while (X509* cert = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
      sk_X509_push(certs, cert);
    }
    OpenSslErrors();  // the end of the input reads as an error
    return certs;
  };
  STACK_OF(X509)* roots = read_all(root_pem);
  STACK_OF(X509)* chain = read_all(chain_pem);
  STACK_OF(X509)* leaves = read_all(leaf_pem);
  absl::Status result = absl::OkStatus();
  if (sk_X509_num(roots) == 0 || sk_X509_num(leaves) == 0) {
    result = absl::InvalidArgumentError("no root or no leaf certificate");
  } else {
    X509_STORE* store = X509_STORE_new();
    for (int i = 0; i < sk_X509_num(roots); ++i) {
      X509_STORE_add_cert(store, sk_X509_value(roots, i));
    }
    X509_STORE_CTX* ctx = X509_STORE_CTX_new();
    X509_STORE_CTX_init(ctx, store, sk_X509_value(leaves, 0), chain);
    X509_STORE_CTX_set_purpose(ctx, X509_PURPOSE_SSL_SERVER);
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);
    if (!host.empty()) {
      X509_VERIFY_PARAM_set1_host(param, host.c_str(), host.size());
    }
    if (X509_verify_cert(ctx) != 1) {
      result = absl::FailedPreconditionError(absl::StrCat(
          "verification failed: ", X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx))));
    }
    X509_STORE_CTX_free(ctx);
    X509_STORE_free(store);
  }
  sk_X509_pop_free(roots, X509_free);
  sk_X509_pop_free(chain, X509_free);
  sk_X509_pop_free(leaves, X509_free);
  OpenSslErrors();
  return result;
}

namespace {

absl::Status AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  x509::X509ExtPtr ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (ext == nullptr || X509_add_ext(cert, ext.get(), -1) != 1) {
    return absl::InternalError(absl::StrCat("extension ", value, ": ", OpenSslErrors()));
  }
  return absl::OkStatus();
}

absl::StatusOr<x509::X509Ptr> MakeCert(const char* common_name, EVP_PKEY* key, X509* issuer,
                                       EVP_PKEY* issuer_key, long serial,
                                       const std::vector<std::pair<int, const char*>>& exts) {
  x509::X509Ptr cert(X509_new());
  X509_set_version(cert.get(), 2);
  ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), serial);
  X509_NAME* name = X509_get_subject_name(cert.get());
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>(common_name), -1, -1, 0);
  X509_set_issuer_name(cert.get(), issuer != nullptr ? X509_get_subject_name(issuer) : name);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 7 * 24 * 3600);
  X509_set_pubkey(cert.get(), key);
  for (const auto& [nid, value] : exts) {
    if (absl::Status s =
            AddExtension(cert.get(), issuer != nullptr ? issuer : cert.get(), nid, value);
        !s.ok()) {
      return s;
    }
  }
  if (X509_sign(cert.get(), issuer_key != nullptr ? issuer_key : key, EVP_sha256()) <= 0) {
    return absl::InternalError(absl::StrCat("signing: ", OpenSslErrors()));
  }
  return cert;
}

absl::Status WritePem(const std::string& path, const std::string& pem) {
  std::ofstream out(path);
  out << pem;
  return out ? absl::OkStatus() : absl::InternalError(absl::StrCat("cannot write ", path));
}

}  // namespace

absl::StatusOr<TlsServerFiles> WriteTlsServerFiles(const std::string& dir) {
  x509::PkeyPtr ca_key(EVP_EC_gen("P-256"));
  x509::PkeyPtr server_key(EVP_EC_gen("P-256"));
  auto make_ca = [](const char* name, EVP_PKEY* key) {
    return MakeCert(name, key, nullptr, nullptr, 1,
                    {{NID_basic_constraints, "critical,CA:TRUE"},
                     {NID_key_usage, "critical,keyCertSign,cRLSign"},
                     {NID_subject_key_identifier, "hash"}});
  };
  absl::StatusOr<x509::X509Ptr> ca = make_ca("sslpanel test TLS CA", ca_key.get());
  x509::PkeyPtr other_ca_key(EVP_EC_gen("P-256"));
  absl::StatusOr<x509::X509Ptr> other_ca = make_ca("another test CA", other_ca_key.get());
  if (!ca.ok() || !other_ca.ok()) {
    return ca.ok() ? other_ca.status() : ca.status();
  }
  absl::StatusOr<x509::X509Ptr> server =
      MakeCert("localhost", server_key.get(), ca->get(), ca_key.get(), 2,
               {{NID_basic_constraints, "critical,CA:FALSE"},
                {NID_key_usage, "critical,digitalSignature"},
                {NID_ext_key_usage, "serverAuth,clientAuth"},
                {NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                {NID_authority_key_identifier, "keyid:always"}});
  if (!server.ok()) {
    return server.status();
  }
  auto cert_pem = [](X509* cert) {
    x509::BioPtr bio(BIO_new(BIO_s_mem()));
    PEM_write_bio_X509(bio.get(), cert);
    return x509::BioContents(bio.get());
  };
  x509::BioPtr key_bio(BIO_new(BIO_s_mem()));
  PEM_write_bio_PrivateKey(key_bio.get(), server_key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  TlsServerFiles files{dir + "/tls-ca.pem", dir + "/tls-cert.pem", dir + "/tls-key.pem",
                       dir + "/tls-other-ca.pem"};
  for (const auto& [path, pem] :
       {std::pair<std::string, std::string>{files.ca_cert_path, cert_pem(ca->get())},
        {files.other_ca_cert_path, cert_pem(other_ca->get())},
        {files.cert_path, cert_pem(server->get())},
        {files.key_path, x509::BioContents(key_bio.get())}}) {
    if (absl::Status s = WritePem(path, pem); !s.ok()) {
      return s;
    }
  }
  return files;
}

}  // namespace sslpanel::ca::testing
