// Umbrella header for the system zlib (gzip of module artifacts). zlib's
// deflateInit2 and inflateInit2 are macros, which Swift cannot import; the
// static inline functions below wrap them as real functions.
#ifndef HOTSWAP_CZLIB_SHIM_H
#define HOTSWAP_CZLIB_SHIM_H

#include <zlib.h>

// A gzip (not raw deflate, not zlib-wrapped) compressor: window bits 15 + 16.
static inline int hs_deflateInit_gzip(z_streamp stream, int level) {
    return deflateInit2(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
}

// A gzip-only decompressor: window bits 15 + 16 accept a gzip header and
// nothing else (a bare zlib or raw deflate stream is an error).
static inline int hs_inflateInit_gzip(z_streamp stream) {
    return inflateInit2(stream, 15 + 16);
}

#endif
