// SPDX-License-Identifier: BSD-2-Clause
/*
 * sha256.c: FIPS 180-4 SHA-256, freestanding, for the code-signing checks of
 * the Mach-O loader (CodeDirectory hashType CS_HASHTYPE_SHA256).
 * Corresponds to libkern/crypto/sha2.c (XNU wraps corecrypto there); it lives
 * in osfmk/kern because the build compiles no libkern/ directory.  Hashing
 * is a leaf computation, so it carries no XS_FUNC probes: a call graph shows
 * it under cs_validate_hash instead.
 */
#include "kmod-xnu-sim/osfmk/kern/sha256.h"

#include "kmod-xnu-sim/osfmk/kern/kern_types.h"

static const uint32_t sha256_k[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4,
	0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe,
	0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f,
	0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7,
	0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc,
	0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b,
	0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116,
	0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
	0xc67178f2,
};

static inline uint32_t ror32(uint32_t x, unsigned n) { return (x >> n) | (x << (32 - n)); }

static void sha256_transform(uint32_t st[8], const uint8_t blk[64])
{
	uint32_t w[64], a, b, c, d, e, f, g, h, t1, t2;
	int i;

	for (i = 0; i < 16; i++)
		w[i] = (uint32_t)blk[4 * i] << 24 | (uint32_t)blk[4 * i + 1] << 16 |
		       (uint32_t)blk[4 * i + 2] << 8 | blk[4 * i + 3];
	for (i = 16; i < 64; i++) {
		uint32_t s0 = ror32(w[i - 15], 7) ^ ror32(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror32(w[i - 2], 17) ^ ror32(w[i - 2], 19) ^ (w[i - 2] >> 10);

		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	a = st[0]; b = st[1]; c = st[2]; d = st[3];
	e = st[4]; f = st[5]; g = st[6]; h = st[7];
	for (i = 0; i < 64; i++) {
		t1 = h + (ror32(e, 6) ^ ror32(e, 11) ^ ror32(e, 25)) + ((e & f) ^ (~e & g)) +
		     sha256_k[i] + w[i];
		t2 = (ror32(a, 2) ^ ror32(a, 13) ^ ror32(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		h = g; g = f; f = e; e = d + t1;
		d = c; c = b; b = a; a = t1 + t2;
	}
	st[0] += a; st[1] += b; st[2] += c; st[3] += d;
	st[4] += e; st[5] += f; st[6] += g; st[7] += h;
}

void xs_SHA256_Init(XS_SHA256_CTX *ctx)
{
	static const uint32_t iv[8] = { 0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
					0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19 };

	xs_memcpy(ctx->state, iv, sizeof(iv));
	ctx->bitcount = 0;
}

void xs_SHA256_Update(XS_SHA256_CTX *ctx, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t used = (size_t)(ctx->bitcount >> 3) % XS_SHA256_BLOCK_LENGTH;

	ctx->bitcount += (uint64_t)len << 3;
	if (used) {
		size_t room = XS_SHA256_BLOCK_LENGTH - used;

		if (len < room) {
			xs_memcpy(ctx->buffer + used, p, len);
			return;
		}
		xs_memcpy(ctx->buffer + used, p, room);
		sha256_transform(ctx->state, ctx->buffer);
		p += room;
		len -= room;
	}
	for (; len >= XS_SHA256_BLOCK_LENGTH; p += XS_SHA256_BLOCK_LENGTH,
	     len -= XS_SHA256_BLOCK_LENGTH)
		sha256_transform(ctx->state, p);
	if (len)
		xs_memcpy(ctx->buffer, p, len);
}

void xs_SHA256_Final(uint8_t digest[XS_SHA256_DIGEST_LENGTH], XS_SHA256_CTX *ctx)
{
	uint64_t bits = ctx->bitcount;
	size_t used = (size_t)(bits >> 3) % XS_SHA256_BLOCK_LENGTH;
	uint8_t len_be[8];
	int i;

	ctx->buffer[used++] = 0x80;
	if (used > 56) {
		xs_memset(ctx->buffer + used, 0, XS_SHA256_BLOCK_LENGTH - used);
		sha256_transform(ctx->state, ctx->buffer);
		used = 0;
	}
	xs_memset(ctx->buffer + used, 0, 56 - used);
	for (i = 0; i < 8; i++)
		len_be[i] = (uint8_t)(bits >> (56 - 8 * i));
	xs_memcpy(ctx->buffer + 56, len_be, 8);
	sha256_transform(ctx->state, ctx->buffer);
	for (i = 0; i < 8; i++) {
		digest[4 * i] = (uint8_t)(ctx->state[i] >> 24);
		digest[4 * i + 1] = (uint8_t)(ctx->state[i] >> 16);
		digest[4 * i + 2] = (uint8_t)(ctx->state[i] >> 8);
		digest[4 * i + 3] = (uint8_t)ctx->state[i];
	}
	xs_memset(ctx, 0, sizeof(*ctx));
}

void xs_sha256(const void *data, size_t len, uint8_t digest[XS_SHA256_DIGEST_LENGTH])
{
	XS_SHA256_CTX ctx;

	xs_SHA256_Init(&ctx);
	xs_SHA256_Update(&ctx, data, len);
	xs_SHA256_Final(digest, &ctx);
}
