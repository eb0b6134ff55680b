// Function wrappers for the X.509 and key-generation OpenSSL macros used by
// Certificates and by Transport's peer-certificate inspection.
#ifndef HOTSWAP_COPENSSL_SHIM_X509_H
#define HOTSWAP_COPENSSL_SHIM_X509_H

#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/crypto.h>

static inline EVP_PKEY *hs_EVP_EC_gen(const char *curve) {
    return EVP_EC_gen(curve);
}

static inline long hs_BIO_get_mem_data(BIO *bio, char **data) {
    return BIO_get_mem_data(bio, data);
}

static inline int hs_sk_GENERAL_NAME_num(const GENERAL_NAMES *names) {
    return sk_GENERAL_NAME_num(names);
}

static inline GENERAL_NAME *hs_sk_GENERAL_NAME_value(const GENERAL_NAMES *names, int index) {
    return sk_GENERAL_NAME_value(names, index);
}

static inline int hs_sk_X509_num(const STACK_OF(X509) *certificates) {
    return sk_X509_num(certificates);
}

static inline X509 *hs_sk_X509_value(const STACK_OF(X509) *certificates, int index) {
    return sk_X509_value(certificates, index);
}

static inline int hs_sk_X509_INFO_num(const STACK_OF(X509_INFO) *infos) {
    return sk_X509_INFO_num(infos);
}

static inline X509_INFO *hs_sk_X509_INFO_value(const STACK_OF(X509_INFO) *infos, int index) {
    return sk_X509_INFO_value(infos, index);
}

static inline void hs_sk_X509_INFO_pop_free(STACK_OF(X509_INFO) *infos) {
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
}

static inline void hs_GENERAL_NAMES_free(GENERAL_NAMES *names) {
    GENERAL_NAMES_free(names);
}

static inline void hs_OPENSSL_free(void *pointer) {
    OPENSSL_free(pointer);
}

#endif
