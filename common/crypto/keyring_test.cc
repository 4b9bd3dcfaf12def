// The secrets envelope and keyring, pure: round trip, fresh nonces, wrong
// key, tampering, another row's value, unknown key ids, rotation, and the
// key files as operators write them.
#include "common/crypto/keyring.h"

#include <openssl/evp.h>
#include <sys/stat.h>

#include <cstring>
#include <filesystem>
#include <fstream>

#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "common/crypto/envelope.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace sslpanel::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

constexpr char kSecret[] = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49\n";
constexpr char kRow[] = "acme_accounts.account_key_pem:https://ca.example/dir";

SecretKey Key(char fill) { return *MakeSecretKey(std::string(kKeyBytes, fill)); }

Keyring Ring(std::optional<SecretKey> current, std::vector<SecretKey> old = {}) {
  absl::StatusOr<Keyring> keyring = Keyring::Create(std::move(current), std::move(old));
  EXPECT_TRUE(keyring.ok()) << keyring.status();
  return *std::move(keyring);
}

// Flips one bit of the envelope body's byte at `index` (negative: from the end).
std::string FlipBodyByte(const std::string& envelope, int index) {
  const size_t colon = envelope.rfind(':');
  std::string raw;
  EXPECT_TRUE(absl::Base64Unescape(envelope.substr(colon + 1), &raw));
  raw[index < 0 ? raw.size() + index : index] ^= 0x01;
  return envelope.substr(0, colon + 1) + absl::Base64Escape(raw);
}

TEST(KeyringTest, SealsIntoAVersionedEnvelopeNamingTheKeyAndOpensIt) {
  const Keyring keyring = Ring(Key('a'));
  absl::StatusOr<std::string> sealed = keyring.Seal(kSecret, kRow);
  ASSERT_TRUE(sealed.ok()) << sealed.status();
  EXPECT_THAT(*sealed, MatchesRegex("v1:[0-9a-f]{16}:[A-Za-z0-9+/=]+"));
  EXPECT_TRUE(absl::StartsWith(*sealed, "v1:" + Key('a').id + ":"));
  EXPECT_THAT(*sealed, Not(HasSubstr("PRIVATE KEY")));
  absl::StatusOr<std::string> opened = keyring.Open(*sealed, kRow);
  ASSERT_TRUE(opened.ok()) << opened.status();
  EXPECT_EQ(*opened, kSecret);
}

TEST(KeyringTest, EverySealDrawsAFreshNonce) {
  const Keyring keyring = Ring(Key('a'));
  EXPECT_NE(*keyring.Seal(kSecret, kRow), *keyring.Seal(kSecret, kRow));
}

TEST(KeyringTest, AnEmptySecretRoundTrips) {
  const Keyring keyring = Ring(Key('a'));
  EXPECT_EQ(*keyring.Open(*keyring.Seal("", kRow), kRow), "");
}

TEST(KeyringTest, KeyIdsDifferPerKeyAndAreStable) {
  EXPECT_NE(Key('a').id, Key('b').id);
  EXPECT_EQ(Key('a').id, KeyIdOf(std::string(kKeyBytes, 'a')));
  EXPECT_FALSE(MakeSecretKey("short").ok());
}

TEST(KeyringTest, AWrongKeyUnderTheSameIdDoesNotAuthenticate) {
  const std::string sealed = *Ring(Key('a')).Seal(kSecret, kRow);
  SecretKey impostor = Key('b');
  impostor.id = Key('a').id;
  absl::StatusOr<std::string> opened = Ring(impostor).Open(sealed, kRow);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(opened.status().message(), HasSubstr(Key('a').id));
}

TEST(KeyringTest, ATamperedTagNonceOrCiphertextIsRefused) {
  const Keyring keyring = Ring(Key('a'));
  const std::string sealed = *keyring.Seal(kSecret, kRow);
  const int tag = static_cast<int>(kTagBytes);
  // The tag's last and first byte, the nonce, the first and last ciphertext byte.
  for (int index : {-1, -tag, 0, static_cast<int>(kNonceBytes), -tag - 1}) {
    absl::StatusOr<std::string> opened = keyring.Open(FlipBodyByte(sealed, index), kRow);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kDataLoss) << "byte " << index;
    EXPECT_THAT(opened.status().message(), Not(HasSubstr("PRIVATE")));
  }
}

TEST(KeyringTest, AValueCopiedIntoAnotherRowDoesNotOpenThere) {
  const Keyring keyring = Ring(Key('a'));
  const std::string sealed = *keyring.Seal(kSecret, kRow);
  EXPECT_EQ(keyring.Open(sealed, "acme_accounts.account_key_pem:https://other/dir").status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyringTest, MalformedEnvelopesAreDataLoss) {
  const Keyring keyring = Ring(Key('a'));
  for (const char* bad :
       {"v1:", "v1:nothex:AAAA", "v1:0123456789abcdef:!!!", "v1:0123456789abcdef:AAAA"}) {
    EXPECT_EQ(keyring.Open(bad, kRow).status().code(), absl::StatusCode::kDataLoss) << bad;
  }
}

TEST(KeyringTest, AnUnknownKeyIdIsNamedWithTheKeysThatWereLoaded) {
  const std::string sealed = *Ring(Key('a')).Seal(kSecret, kRow);
  absl::StatusOr<std::string> opened = Ring(Key('b')).Open(sealed, kRow);
  EXPECT_EQ(opened.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(opened.status().message(), HasSubstr(Key('a').id));
  EXPECT_THAT(opened.status().message(), HasSubstr(Key('b').id));
  EXPECT_THAT(Keyring().Open(sealed, kRow).status().message(), HasSubstr("--secrets_key_file"));
}

TEST(KeyringTest, RotationOpensOldValuesAndSealsNewOnesWithTheCurrentKey) {
  const std::string old_value = *Ring(Key('a')).Seal(kSecret, kRow);
  const Keyring rotated = Ring(Key('b'), {Key('a')});
  EXPECT_EQ(*rotated.Open(old_value, kRow), kSecret);
  EXPECT_TRUE(rotated.NeedsReseal(old_value));
  const std::string new_value = *rotated.Seal(kSecret, kRow);
  EXPECT_TRUE(absl::StartsWith(new_value, "v1:" + Key('b').id + ":"));
  EXPECT_FALSE(rotated.NeedsReseal(new_value));
  // Once everything is resealed, the old key can go.
  EXPECT_EQ(*Ring(Key('b')).Open(new_value, kRow), kSecret);
}

TEST(KeyringTest, WithoutAKeyValuesStayAsTheyAreAndPlaintextAlwaysOpens) {
  const Keyring none;
  EXPECT_FALSE(none.seals());
  EXPECT_EQ(*none.Seal(kSecret, kRow), kSecret);
  EXPECT_FALSE(none.NeedsReseal(kSecret));
  EXPECT_FALSE(none.Seal("v1:looks:sealed", kRow).ok());
  EXPECT_EQ(*none.Open(kSecret, kRow), kSecret);
}

TEST(KeyringTest, OnceSealingIsOnPlaintextIsRefusedExceptToSealIt) {
  // A row from before encryption (or planted behind the service's back) is
  // not used; only the migrate step reads it, to seal it.
  const absl::StatusOr<std::string> refused = Ring(Key('a')).Open(kSecret, kRow);
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(refused.status().message(), HasSubstr("run migrate"));
  EXPECT_THAT(refused.status().message(), Not(HasSubstr(kSecret)));
  EXPECT_TRUE(Ring(Key('a')).NeedsReseal(kSecret));
  EXPECT_EQ(*Ring(Key('a')).OpenForSealing(kSecret, kRow), kSecret);
}

// The associated data is "v1:<key id>:" and the context: an envelope made
// with the context alone (the earlier format) does not open, one made as
// the format says does, with plain OpenSSL.
TEST(KeyringTest, TheAssociatedDataBindsTheVersionAndKeyId) {
  const SecretKey key = Key('a');
  const std::string nonce(kNonceBytes, 'n');
  auto seal_with_aad = [&](const std::string& aad) {
    EVP_CIPHER_CTX* ctx = EVP_CIPHER_CTX_new();
    std::string body = nonce + std::string(std::strlen(kSecret) + kTagBytes, '\0');
    auto* out = reinterpret_cast<unsigned char*>(body.data()) + kNonceBytes;
    int len = 0;
    EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), nullptr, nullptr, nullptr);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr);
    EVP_EncryptInit_ex(ctx, nullptr, nullptr,
                       reinterpret_cast<const unsigned char*>(key.bytes.data()),
                       reinterpret_cast<const unsigned char*>(nonce.data()));
    EVP_EncryptUpdate(ctx, nullptr, &len, reinterpret_cast<const unsigned char*>(aad.data()),
                      static_cast<int>(aad.size()));
    EVP_EncryptUpdate(ctx, out, &len, reinterpret_cast<const unsigned char*>(kSecret),
                      static_cast<int>(std::strlen(kSecret)));
    EVP_EncryptFinal_ex(ctx, out + len, &len);
    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_GCM_GET_TAG, kTagBytes, out + std::strlen(kSecret));
    EVP_CIPHER_CTX_free(ctx);
    return absl::StrCat("v1:", key.id, ":", absl::Base64Escape(body));
  };
  const std::string spec = seal_with_aad(absl::StrCat("v1:", key.id, ":", kRow));
  EXPECT_EQ(spec, *SealEnvelope(key, nonce, kSecret, kRow));
  EXPECT_EQ(*OpenEnvelope({key}, spec, kRow), kSecret);
  EXPECT_EQ(OpenEnvelope({key}, seal_with_aad(kRow), kRow).status().code(),
            absl::StatusCode::kDataLoss);
}

TEST(KeyringTest, DuplicateKeysCollapse) {
  EXPECT_EQ(Ring(Key('a'), {Key('a'), Key('b'), Key('b')}).keys().size(), 2u);
}

class KeyFileTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("keyring-test-" + std::to_string(::testing::UnitTest::GetInstance()->random_seed()) +
            "-" + ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::filesystem::create_directories(path.parent_path());
    std::ofstream(path) << text;
    return path.string();
  }
  static std::string Base64Key(char fill) {
    return absl::Base64Escape(std::string(kKeyBytes, fill)) + "\n";
  }
  std::filesystem::path dir_;
};

TEST_F(KeyFileTest, AKeyFileOthersCanReadIsNamed) {
  const std::string path = Write("k", Base64Key('a'));
  ::chmod(path.c_str(), 0400);
  EXPECT_EQ(KeyFileTooOpen(path), std::nullopt);
  ::chmod(path.c_str(), 0444);
  EXPECT_THAT(KeyFileTooOpen(path).value_or(""), HasSubstr("readable by every user"));
  // The service owns this file: a group has no reason to read it.
  ::chmod(path.c_str(), 0440);
  EXPECT_THAT(KeyFileTooOpen(path).value_or(""), HasSubstr("readable by its group"));
  EXPECT_TRUE(ReadKeyFile("--secrets_key_file", path).ok()) << "a warning, not a refusal";
}

TEST_F(KeyFileTest, ReadsTheBase64OfThirtyTwoBytes) {
  absl::StatusOr<SecretKey> key = ReadKeyFile("--secrets_key_file", Write("k", Base64Key('a')));
  ASSERT_TRUE(key.ok()) << key.status();
  EXPECT_EQ(key->id, Key('a').id);
}

TEST_F(KeyFileTest, RefusesAFileThatHoldsNoKeyNamingTheFlagAndFileButNotTheContents) {
  for (const std::string& text :
       {std::string("not base64 !!"), absl::Base64Escape(std::string(16, 'x')), std::string()}) {
    const std::string path = Write("bad", text);
    absl::StatusOr<SecretKey> key = ReadKeyFile("--secrets_key_file", path);
    EXPECT_EQ(key.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(key.status().message(), HasSubstr("--secrets_key_file"));
    EXPECT_THAT(key.status().message(), HasSubstr(path));
    if (!text.empty()) {
      EXPECT_THAT(key.status().message(), Not(HasSubstr(text)));
    }
  }
  EXPECT_THAT(ReadKeyFile("--secrets_key_file", (dir_ / "missing").string()).status().message(),
              HasSubstr("cannot read"));
}

TEST_F(KeyFileTest, LoadsTheCurrentKeyAndOldKeysFromFilesAndDirectories) {
  const std::string current = Write("current", Base64Key('c'));
  const std::string single = Write("old-a", Base64Key('a'));
  Write("mounted/old-b", Base64Key('b'));
  Write("mounted/..data/ignored", "not a key");
  Write("mounted/.hidden", "not a key");
  absl::StatusOr<Keyring> keyring = LoadKeyring(current, {single, (dir_ / "mounted").string()});
  ASSERT_TRUE(keyring.ok()) << keyring.status();
  EXPECT_EQ(keyring->current_key_id(), Key('c').id);
  ASSERT_EQ(keyring->keys().size(), 3u);
  EXPECT_EQ(keyring->keys()[2].id, Key('b').id);
}

TEST_F(KeyFileTest, NoFilesMeansNoEncryptionButOldKeysNeedACurrentOne) {
  absl::StatusOr<Keyring> none = LoadKeyring("", {});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->seals());
  absl::StatusOr<Keyring> orphan = LoadKeyring("", {Write("old", Base64Key('a'))});
  EXPECT_EQ(orphan.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(orphan.status().message(), HasSubstr("--secrets_key_file"));
}

}  // namespace
}  // namespace sslpanel::crypto
