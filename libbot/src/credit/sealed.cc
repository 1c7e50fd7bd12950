// Encryption at rest: AES-256-GCM through OpenSSL EVP, blobs that name their key.
#include <openssl/evp.h>
#include <openssl/rand.h>

#include <memory>
#include <string>

#include "bot/credit.h"
#include "credit/key_id.h"

namespace bot {

namespace {

constexpr unsigned char kVersion = 1;
constexpr size_t kKeyBytes = 32;
constexpr size_t kNonceBytes = 12;
constexpr size_t kTagBytes = 16;

struct CtxFree {
  void operator()(EVP_CIPHER_CTX* ctx) const { EVP_CIPHER_CTX_free(ctx); }
};
using Ctx = std::unique_ptr<EVP_CIPHER_CTX, CtxFree>;

const unsigned char* Bytes(std::string_view s) {
  return reinterpret_cast<const unsigned char*>(s.data());
}
unsigned char* Bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

}  // namespace

Result<std::string> Seal(std::string_view key_id, std::string_view key,
                         std::string_view plaintext) {
  if (!ValidKeyId(key_id)) return InvalidArgument("bad data key id");
  if (key.size() != kKeyBytes) return InvalidArgument("a data key must be 32 bytes");
  std::string blob;
  blob += static_cast<char>(kVersion);
  blob += static_cast<char>(key_id.size());
  blob += key_id;
  const size_t header_size = blob.size();
  // A random 96-bit nonce per blob: with one key, collisions stay negligible far beyond the
  // number of reports a lender stores.
  std::string nonce(kNonceBytes, '\0');
  if (RAND_bytes(Bytes(nonce), kNonceBytes) != 1) return Internal("no random bytes for a nonce");
  blob += nonce;

  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string out(plaintext.size(), '\0');
  // The header is authenticated data: a blob relabelled with another key id fails to open.
  if (!ctx || EVP_EncryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_EncryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_EncryptUpdate(ctx.get(), nullptr, &len, Bytes(blob), static_cast<int>(header_size)) !=
          1 ||
      EVP_EncryptUpdate(ctx.get(), Bytes(out), &len, Bytes(plaintext),
                        static_cast<int>(plaintext.size())) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  int final_len = 0;
  std::string tag(kTagBytes, '\0');
  if (EVP_EncryptFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_GET_TAG, kTagBytes, tag.data()) != 1) {
    return Internal("AES-256-GCM encryption failed");
  }
  out.resize(len + final_len);
  return blob + out + tag;
}

Result<std::string> Open(const Keyring& keyring, std::string_view blob) {
  if (blob.size() < 2 || static_cast<unsigned char>(blob[0]) != kVersion) {
    return InvalidArgument("sealed blob: unknown version");
  }
  const size_t id_size = static_cast<unsigned char>(blob[1]);
  const size_t header_size = 2 + id_size;
  if (blob.size() < header_size + kNonceBytes + kTagBytes) {
    return InvalidArgument("sealed blob: truncated");
  }
  const std::string key_id(blob.substr(2, id_size));
  auto it = keyring.find(key_id);
  if (it == keyring.end()) return NotFound("sealed blob: no data key '" + key_id + "'");
  const std::string& key = it->second;
  if (key.size() != kKeyBytes) return InvalidArgument("data key '" + key_id + "' is not 32 bytes");

  std::string_view nonce = blob.substr(header_size, kNonceBytes);
  std::string_view ciphertext =
      blob.substr(header_size + kNonceBytes, blob.size() - header_size - kNonceBytes - kTagBytes);
  std::string tag(blob.substr(blob.size() - kTagBytes));
  Ctx ctx(EVP_CIPHER_CTX_new());
  int len = 0;
  std::string out(ciphertext.size(), '\0');
  if (!ctx || EVP_DecryptInit_ex(ctx.get(), EVP_aes_256_gcm(), nullptr, nullptr, nullptr) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_IVLEN, kNonceBytes, nullptr) != 1 ||
      EVP_DecryptInit_ex(ctx.get(), nullptr, nullptr, Bytes(key), Bytes(nonce)) != 1 ||
      EVP_DecryptUpdate(ctx.get(), nullptr, &len, Bytes(blob), static_cast<int>(header_size)) !=
          1 ||
      EVP_DecryptUpdate(ctx.get(), Bytes(out), &len, Bytes(ciphertext),
                        static_cast<int>(ciphertext.size())) != 1 ||
      EVP_CIPHER_CTX_ctrl(ctx.get(), EVP_CTRL_GCM_SET_TAG, kTagBytes, tag.data()) != 1) {
    return Internal("AES-256-GCM decryption failed");
  }
  int final_len = 0;
  if (EVP_DecryptFinal_ex(ctx.get(), Bytes(out) + len, &final_len) != 1) {
    return InvalidArgument("sealed blob: authentication failed (tampered or wrong key)");
  }
  out.resize(len + final_len);
  return out;
}

}  // namespace bot
