// Function wrappers for the TLS-side OpenSSL macros used by Transport.
#ifndef HOTSWAP_COPENSSL_SHIM_TLS_H
#define HOTSWAP_COPENSSL_SHIM_TLS_H

#include <openssl/ssl.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/rand.h>

static inline int hs_SSL_CTX_set_min_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_min_proto_version(ctx, version);
}

static inline int hs_SSL_CTX_set_max_proto_version(SSL_CTX *ctx, int version) {
    return (int)SSL_CTX_set_max_proto_version(ctx, version);
}

static inline long hs_SSL_CTX_set_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_mode(ctx, mode);
}

static inline long hs_SSL_CTX_set_session_cache_mode(SSL_CTX *ctx, long mode) {
    return SSL_CTX_set_session_cache_mode(ctx, mode);
}

static inline int hs_SSL_CTX_set1_groups_list(SSL_CTX *ctx, const char *list) {
    return (int)SSL_CTX_set1_groups_list(ctx, list);
}

static inline int hs_SSL_set_tlsext_host_name(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

static inline int hs_SSL_CTX_clear_chain_certs(SSL_CTX *ctx) {
    return (int)SSL_CTX_clear_chain_certs(ctx);
}

// Takes ownership of `certificate` when it returns 1.
static inline int hs_SSL_CTX_add0_chain_cert(SSL_CTX *ctx, X509 *certificate) {
    return (int)SSL_CTX_add0_chain_cert(ctx, certificate);
}

static inline int hs_SSL_CTX_set_app_data(SSL_CTX *ctx, void *data) {
    return SSL_CTX_set_ex_data(ctx, 0, data);
}

static inline void *hs_SSL_CTX_get_app_data(const SSL_CTX *ctx) {
    return SSL_CTX_get_ex_data(ctx, 0);
}

static inline int hs_SSL_get_ex_new_index(void) {
    return SSL_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

static inline int hs_SSL_CTX_get_ex_new_index(void) {
    return SSL_CTX_get_ex_new_index(0, NULL, NULL, NULL, NULL);
}

// Lengths of a session ticket key's parts: OpenSSL's key-name length, an
// AES-256-CBC key and an HMAC-SHA256 key.
#define HS_TICKET_KEY_NAME_LENGTH 16
#define HS_TICKET_AES_KEY_LENGTH 32
#define HS_TICKET_HMAC_KEY_LENGTH 32

// Sets up the ticket cipher (AES-256-CBC) and MAC (HMAC-SHA256) for the
// ticket-key callback. When encrypting, a fresh random IV is written to `iv`
// first; when decrypting, `iv` holds the ticket's IV. Returns 1 or -1 (the
// callback's fatal-error value).
static inline int hs_ticket_crypto_setup(EVP_CIPHER_CTX *cipher, EVP_MAC_CTX *mac, const unsigned char *aes_key,
                                         const unsigned char *hmac_key, unsigned char *iv, int encrypt) {
    char digest[] = "SHA256";
    OSSL_PARAM params[3];
    const EVP_CIPHER *aes = EVP_aes_256_cbc();
    if (encrypt && RAND_bytes(iv, EVP_CIPHER_get_iv_length(aes)) != 1) {
        return -1;
    }
    params[0] = OSSL_PARAM_construct_octet_string(OSSL_MAC_PARAM_KEY, (void *)hmac_key, HS_TICKET_HMAC_KEY_LENGTH);
    params[1] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
    params[2] = OSSL_PARAM_construct_end();
    if (EVP_MAC_CTX_set_params(mac, params) != 1) {
        return -1;
    }
    if (EVP_CipherInit_ex(cipher, aes, NULL, aes_key, iv, encrypt) != 1) {
        return -1;
    }
    return 1;
}

// Options every HotSwap context sets: no compression, no renegotiation,
// server cipher preference, and a peer that closes without close_notify is
// an ordinary close (our protocols frame their own messages).
static inline uint64_t hs_SSL_OP_hardening(void) {
    return SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE
        | SSL_OP_IGNORE_UNEXPECTED_EOF;
}

static inline uint64_t hs_SSL_OP_NO_TICKET(void) { return SSL_OP_NO_TICKET; }

static inline const int hs_SSL_MODE_ENABLE_PARTIAL_WRITE(void) { return SSL_MODE_ENABLE_PARTIAL_WRITE; }
static inline const int hs_SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER(void) { return SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER; }
static inline const int hs_SSL_MODE_RELEASE_BUFFERS(void) { return SSL_MODE_RELEASE_BUFFERS; }

#endif
