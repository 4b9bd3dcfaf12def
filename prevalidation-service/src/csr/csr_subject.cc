#include "csr/csr_subject.h"

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <memory>
#include <string>

namespace sslpanel::prevalidation::csr {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;

// The first entry of `nid` in `name` as UTF-8, or "".
std::string Entry(const X509_NAME* name, int nid) {
  const int index = X509_NAME_get_index_by_NID(name, nid, -1);
  if (index < 0) {
    return "";
  }
  const ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) {
    return "";
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return out;
}

}  // namespace

absl::StatusOr<domain::CsrSubject> DecodeCsrSubject(absl::string_view pem) {
  Bio bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  Request request(PEM_read_bio_X509_REQ(bio.get(), nullptr, nullptr, nullptr));
  ERR_clear_error();  // errors are per thread; leave none behind
  if (request == nullptr) {
    return absl::InvalidArgumentError(
        "is not a PEM certificate signing request (-----BEGIN CERTIFICATE REQUEST-----)");
  }
  Key key(X509_REQ_get_pubkey(request.get()));
  const bool verified = key != nullptr && X509_REQ_verify(request.get(), key.get()) == 1;
  ERR_clear_error();
  if (!verified) {
    return absl::InvalidArgumentError("has a signature that does not verify with its own key");
  }
  const X509_NAME* subject = X509_REQ_get_subject_name(request.get());
  domain::CsrSubject out;
  out.organization = Entry(subject, NID_organizationName);
  out.locality = Entry(subject, NID_localityName);
  out.country = Entry(subject, NID_countryName);
  out.common_name = Entry(subject, NID_commonName);
  return out;
}

}  // namespace sslpanel::prevalidation::csr
