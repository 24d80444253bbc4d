/* SPDX-License-Identifier: BSD-2-Clause */
/*
 * sha256.h: SHA-256 for code signing (CodeDirectory page and blob hashes).
 * Freestanding; no tables in the arena.  Corresponds to libkern/crypto/sha2.h
 * (XNU's <libkern/crypto/sha2.h> SHA256_Init / SHA256_Update / SHA256_Final).
 */
#ifndef XS_KERN_SHA256_H
#define XS_KERN_SHA256_H

#include <stddef.h>
#include <stdint.h>

#define XS_SHA256_DIGEST_LENGTH 32
#define XS_SHA256_BLOCK_LENGTH  64

typedef struct {
	uint32_t state[8];
	uint64_t bitcount;
	uint8_t buffer[XS_SHA256_BLOCK_LENGTH];
} XS_SHA256_CTX;

void xs_SHA256_Init(XS_SHA256_CTX *ctx);
void xs_SHA256_Update(XS_SHA256_CTX *ctx, const void *data, size_t len);
void xs_SHA256_Final(uint8_t digest[XS_SHA256_DIGEST_LENGTH], XS_SHA256_CTX *ctx);
/* One-shot convenience. */
void xs_sha256(const void *data, size_t len, uint8_t digest[XS_SHA256_DIGEST_LENGTH]);

#endif /* XS_KERN_SHA256_H */
