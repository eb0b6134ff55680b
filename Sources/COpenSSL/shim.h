// Umbrella header for the OpenSSL system library. OpenSSL exposes several of
// the calls we need as macros, which Swift cannot import; the static inline
// functions in the included shims wrap them as real functions.
#ifndef HOTSWAP_COPENSSL_SHIM_H
#define HOTSWAP_COPENSSL_SHIM_H

#include <openssl/ssl.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <openssl/pem.h>
#include <openssl/bio.h>
#include <openssl/rand.h>
#include <openssl/crypto.h>
#include <openssl/ec.h>

#include "shim_tls.h"
#include "shim_x509.h"

#endif
