/* mkjose — the bad-input corpus's token workshop (tests/corpus/run.sh builds it
 * against lib/libnextauth.a). It makes what nextauth-token encode never would:
 * JWEs and JWSs with any protected header, any plaintext bytes, any IV and tag
 * length — correctly encrypted or signed around them, so that a refusal can
 * only come from the trick under test, not from a broken tag.
 *
 *   mkjose expand OUTDIR < SPECS    each line of stdin is a spec; its bytes go
 *                                   to OUTDIR/1, OUTDIR/2, … (one per line)
 *   mkjose jwe [OPTIONS] PAYLOAD    a compact JWE on stdout (no newline)
 *       -f v4|v5     key derivation: next-auth v4 (default) or Auth.js v5
 *       -s SECRET    default $CORPUS_SECRET
 *       -S SALT      HKDF salt (v4 default "", v5 default authjs.session-token)
 *       -e gcm|cbc   the cipher really used (default gcm for v4, cbc for v5);
 *                    cbc is A256CBC-HS512 with the 64-byte key of the format
 *       -H SPEC      protected header JSON (base64url-encoded here); default the
 *                    format's own ({"alg":"dir","enc":"A256GCM"} / v5 with kid)
 *       -B SPEC      protected header segment text, used as is
 *       -k SPEC      encrypted-key segment text (default empty)
 *       -i N         IV length in bytes (default 12 gcm, 16 cbc; GCM really
 *                    encrypts with N bytes when N > 0)
 *       -t N         tag length written: cut, or padded with zero bytes
 *       -x           flip the lowest bit of the tag's first byte
 *       -X           flip a bit of the ciphertext after the tag was made
 *       -V           flip a bit of the IV after the tag was made
 *       -N           write the tag in non-canonical base64url (an unused low
 *                    bit of its last character set)
 *       -P           cbc without PKCS#7 padding (plaintext must be whole blocks;
 *                    a valid MAC around bad padding)
 *   mkjose jws [OPTIONS] PAYLOAD    a compact JWS on stdout
 *       -s SECRET    HMAC key (default $CORPUS_SECRET)
 *       -a 256|384|512  HMAC-SHA-2 used (default 256)
 *       -H SPEC      header JSON (default {"alg":"HS<a>","typ":"JWT"})
 *       -l N         signature length written (cut / zero-padded)
 *       -n           empty signature segment
 *       -R           PAYLOAD is the payload segment text itself (not encoded)
 *
 * A SPEC is bytes, literal except for macros @{…} (the body runs to the brace
 * that balances the opening one):
 *   @{x:HEX}          bytes in hex ("00", "c0af")
 *   @{rep:N:TEXT}     TEXT (itself a spec) N times; inside, @{i} is the index
 *   @{i}              the index of the innermost @{rep}
 *   @{tok:NAME}       the token made earlier as $CORPUS_TOKDIR/NAME
 *   @{sub:NAME:A:L}   L bytes of that token from offset A (L "-": to the end;
 *                     the arguments of sub and seg may use @{i})
 *   @{now}  @{now+N}  @{now-N}   $CORPUS_NOW (unix seconds) plus or minus N
 *   @{seg:NAME:K}     the K-th '.'-separated segment of that token (from 0)
 *   @{cut:N:TEXT}     the expanded TEXT without its last N bytes
 *   @{m:NAME}         the spec in $CORPUS_M_NAME, expanded (definitions of
 *                     tokens.tsv lines "=NAME<TAB>SPEC")
 *   @{b64:TEXT}       base64url of the expanded TEXT
 *   @{kid} @{kidgcm}  (jwe -f v5 only) the thumbprints of the key in use
 * so JSON braces, '%' escapes and backslashes need no quoting. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include "b64url.h"
#include "hkdf.h"
#include "keys.h"

typedef struct {
    unsigned char *p;
    size_t n, cap;
} mk_buf;

static const char *mk_kid5 = NULL, *mk_kid5_gcm = NULL;

static void mk_die(const char *fmt, const char *arg)
{
    fprintf(stderr, "mkjose: ");
    fprintf(stderr, fmt, arg);
    fputc('\n', stderr);
    exit(2);
}

static void mk_put(mk_buf *b, const void *p, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->n + n + 1)
            cap *= 2;
        unsigned char *q = realloc(b->p, cap);
        if (q == NULL)
            mk_die("%s", "out of memory");
        b->p = q;
        b->cap = cap;
    }
    memcpy(b->p + b->n, p, n);
    b->n += n;
    b->p[b->n] = '\0';
}

static void mk_read_file(const char *path, mk_buf *b)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        mk_die("cannot open %s", path);
    char chunk[65536];
    size_t r;
    while ((r = fread(chunk, 1, sizeof chunk, f)) > 0)
        mk_put(b, chunk, r);
    fclose(f);
}

static void mk_token(const char *name, size_t namelen, mk_buf *b)
{
    const char *dir = getenv("CORPUS_TOKDIR");
    char path[4096];
    if (dir == NULL)
        mk_die("%s", "CORPUS_TOKDIR is not set");
    snprintf(path, sizeof path, "%s/%.*s", dir, (int)namelen, name);
    if (access(path, R_OK) != 0)
        mk_die("no token %s (define it earlier in tokens.tsv)", path);
    mk_read_file(path, b);
}

static int mk_hex(int c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static long long mk_num(const char *s, size_t n, const char *what)
{
    char tmp[32];
    char *end;
    if (n == 0 || n >= sizeof tmp)
        mk_die("bad number in %s", what);
    memcpy(tmp, s, n);
    tmp[n] = '\0';
    errno = 0;
    long long v = strtoll(tmp, &end, 10);
    if (errno || *end)
        mk_die("bad number in %s", what);
    return v;
}

static void mk_expand(const char *s, size_t n, mk_buf *out, long long idx);

/* One macro body (between "@{" and its closing brace). */
static void mk_macro(const char *m, size_t n, mk_buf *out, long long idx)
{
    const char *colon = memchr(m, ':', n);
    size_t nl = colon ? (size_t)(colon - m) : n;
    const char *arg = colon ? colon + 1 : m + n;
    size_t al = colon ? n - nl - 1 : 0;
    char num[32];

#define IS(word) (nl == sizeof word - 1 && memcmp(m, word, nl) == 0)
    /* the arguments of sub and seg may use macros themselves (@{i}) */
    mk_buf pre = {0};
    int nested = 0;
    for (size_t k = 0; k + 1 < al; k++)
        nested |= arg[k] == '@' && arg[k + 1] == '{';
    if ((IS("sub") || IS("seg")) && nested) {
        mk_expand(arg, al, &pre, idx);
        arg = (const char *)pre.p;
        al = pre.n;
    }
    if (IS("x")) {
        if (al % 2)
            mk_die("%s", "@{x:…} needs an even number of hex digits");
        for (size_t i = 0; i < al; i += 2) {
            int h = mk_hex(arg[i]), l = mk_hex(arg[i + 1]);
            if (h < 0 || l < 0)
                mk_die("%s", "@{x:…} takes hex digits");
            unsigned char c = (unsigned char)(h << 4 | l);
            mk_put(out, &c, 1);
        }
    } else if (IS("rep")) {
        const char *c2 = memchr(arg, ':', al);
        if (c2 == NULL)
            mk_die("%s", "@{rep:N:TEXT}");
        long long count = mk_num(arg, (size_t)(c2 - arg), "@{rep}");
        for (long long i = 0; i < count; i++)
            mk_expand(c2 + 1, al - (size_t)(c2 - arg) - 1, out, i);
    } else if (IS("seg")) {
        const char *c2 = memchr(arg, ':', al);
        if (c2 == NULL)
            mk_die("%s", "@{seg:NAME:K}");
        mk_buf t = {0};
        mk_token(arg, (size_t)(c2 - arg), &t);
        long long k = mk_num(c2 + 1, al - (size_t)(c2 + 1 - arg), "@{seg}");
        const char *p = (const char *)t.p, *end = p + t.n;
        for (; k > 0 && p; k--) {
            p = memchr(p, '.', (size_t)(end - p));
            if (p)
                p++;
        }
        if (p == NULL)
            mk_die("%s", "@{seg}: the token has fewer segments");
        const char *dot = memchr(p, '.', (size_t)(end - p));
        mk_put(out, p, (size_t)((dot ? dot : end) - p));
        free(t.p);
    } else if (IS("cut")) {
        const char *c2 = memchr(arg, ':', al);
        if (c2 == NULL)
            mk_die("%s", "@{cut:N:TEXT}");
        long long k = mk_num(arg, (size_t)(c2 - arg), "@{cut}");
        mk_buf t = {0};
        mk_expand(c2 + 1, al - (size_t)(c2 + 1 - arg), &t, idx);
        if (k < 0 || (size_t)k > t.n)
            mk_die("%s", "@{cut}: more than the text");
        mk_put(out, t.p, t.n - (size_t)k);
        free(t.p);
    } else if (IS("m")) {
        char var[128];
        snprintf(var, sizeof var, "CORPUS_M_%.*s", (int)al, arg);
        const char *def = getenv(var);
        if (def == NULL)
            mk_die("no definition %s (a line =NAME in tokens.tsv)", var);
        mk_expand(def, strlen(def), out, idx);
    } else if (IS("i")) {
        int k = snprintf(num, sizeof num, "%lld", idx);
        mk_put(out, num, (size_t)k);
    } else if (IS("tok")) {
        mk_token(arg, al, out);
    } else if (IS("sub")) {
        /* NAME:A:L */
        const char *c2 = memchr(arg, ':', al);
        const char *c3 = c2 ? memchr(c2 + 1, ':', al - (size_t)(c2 + 1 - arg)) : NULL;
        if (c3 == NULL)
            mk_die("%s", "@{sub:NAME:A:L}");
        mk_buf t = {0};
        mk_token(arg, (size_t)(c2 - arg), &t);
        long long a = mk_num(c2 + 1, (size_t)(c3 - c2 - 1), "@{sub}");
        size_t ll = al - (size_t)(c3 + 1 - arg);
        long long l = (ll == 1 && c3[1] == '-') ? (long long)t.n - a : mk_num(c3 + 1, ll, "@{sub}");
        if (a < 0 || l < 0 || (size_t)(a + l) > t.n)
            mk_die("%s", "@{sub} out of the token");
        mk_put(out, t.p + a, (size_t)l);
        free(t.p);
    } else if (nl >= 3 && memcmp(m, "now", 3) == 0 && !colon) {
        const char *now = getenv("CORPUS_NOW");
        if (now == NULL)
            mk_die("%s", "CORPUS_NOW is not set");
        long long v = mk_num(now, strlen(now), "CORPUS_NOW");
        if (nl > 3) {
            long long d = mk_num(m + 4, nl - 4, "@{now±N}");
            if (m[3] == '+')
                v += d;
            else if (m[3] == '-')
                v -= d;
            else
                mk_die("%s", "@{now+N} or @{now-N}");
        }
        int k = snprintf(num, sizeof num, "%lld", v);
        mk_put(out, num, (size_t)k);
    } else if (IS("b64")) {
        mk_buf t = {0};
        mk_expand(arg, al, &t, idx);
        char *enc = malloc(NA_B64URL_ENCODED_LEN(t.n) + 1);
        if (enc == NULL)
            mk_die("%s", "out of memory");
        size_t k = na_b64url_encode(t.p ? t.p : (const unsigned char *)"", t.n, enc);
        mk_put(out, enc, k);
        free(enc);
        free(t.p);
    } else if (IS("kid") || IS("kidgcm")) {
        const char *k = IS("kid") ? mk_kid5 : mk_kid5_gcm;
        if (k == NULL)
            mk_die("%s", "@{kid} only in `jwe -f v5`");
        mk_put(out, k, strlen(k));
    } else {
        mk_die("unknown macro in: %.40s", m);
    }
    free(pre.p);
#undef IS
}

static void mk_expand(const char *s, size_t n, mk_buf *out, long long idx)
{
    size_t i = 0;
    while (i < n) {
        if (s[i] == '@' && i + 1 < n && s[i + 1] == '{') {
            size_t depth = 1, j = i + 2;
            for (; j < n && depth > 0; j++) {
                if (s[j] == '{')
                    depth++;
                else if (s[j] == '}')
                    depth--;
            }
            if (depth != 0)
                mk_die("unbalanced macro: %.40s", s + i);
            mk_macro(s + i + 2, j - 1 - (i + 2), out, idx);
            i = j;
        } else {
            size_t k = i;
            while (k < n && !(s[k] == '@' && k + 1 < n && s[k + 1] == '{'))
                k++;
            mk_put(out, s + i, k - i);
            i = k;
        }
    }
    if (out->p == NULL)
        mk_put(out, "", 0);
}

static void mk_expand_str(const char *s, mk_buf *out)
{
    mk_expand(s, strlen(s), out, 0);
}

static int cmd_expand(const char *dir)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t r;
    unsigned long k = 0;
    char path[4096];
    while ((r = getline(&line, &cap, stdin)) >= 0) {
        if (r > 0 && line[r - 1] == '\n')
            r--;
        mk_buf b = {0};
        mk_expand(line, (size_t)r, &b, 0);
        snprintf(path, sizeof path, "%s/%lu", dir, ++k);
        FILE *f = fopen(path, "wb");
        if (f == NULL || fwrite(b.p, 1, b.n, f) != b.n || fclose(f) != 0)
            mk_die("cannot write %s", path);
        free(b.p);
    }
    free(line);
    return 0;
}

static void mk_b64_put(mk_buf *out, const unsigned char *p, size_t n)
{
    char *enc = malloc(NA_B64URL_ENCODED_LEN(n) + 1);
    if (enc == NULL)
        mk_die("%s", "out of memory");
    size_t k = na_b64url_encode(p, n, enc);
    mk_put(out, enc, k);
    free(enc);
}

/* RFC 7518 §5.2.2.1 tag: HMAC-SHA-512(mac key, AAD || IV || CT || AL)[0..32). */
static void mk_cbc_tag(const unsigned char *mackey, const mk_buf *aad, const unsigned char *iv,
                       const unsigned char *ct, size_t ctlen, unsigned char tag[64])
{
    unsigned char al[8];
    unsigned long long bits = (unsigned long long)aad->n * 8;
    for (int i = 7; i >= 0; i--, bits >>= 8)
        al[i] = (unsigned char)bits;
    mk_buf in = {0};
    mk_put(&in, aad->p, aad->n);
    mk_put(&in, iv, 16);
    mk_put(&in, ct, ctlen);
    mk_put(&in, al, 8);
    unsigned int tl = 0;
    if (HMAC(EVP_sha512(), mackey, 32, in.p, in.n, tag, &tl) == NULL)
        mk_die("%s", "HMAC failed");
    free(in.p);
}

static int cmd_jwe(int argc, char **argv)
{
    const char *fmt = "v4", *secret = getenv("CORPUS_SECRET"), *salt = NULL, *cipher = NULL;
    const char *hdr_json = NULL, *hdr_seg = NULL, *ekey = "";
    long ivlen = -1, taglen = -1;
    int flip = 0, flipct = 0, flipiv = 0, noncanon = 0, nopad = 0, c;
    while ((c = getopt(argc, argv, "f:s:S:e:H:B:k:i:t:xXVNP")) != -1) {
        switch (c) {
        case 'f': fmt = optarg; break;
        case 's': secret = optarg; break;
        case 'S': salt = optarg; break;
        case 'e': cipher = optarg; break;
        case 'H': hdr_json = optarg; break;
        case 'B': hdr_seg = optarg; break;
        case 'k': ekey = optarg; break;
        case 'i': ivlen = atol(optarg); break;
        case 't': taglen = atol(optarg); break;
        case 'x': flip = 1; break;
        case 'X': flipct = 1; break;
        case 'V': flipiv = 1; break;
        case 'N': noncanon = 1; break;
        case 'P': nopad = 1; break;
        default: mk_die("%s", "usage: mkjose jwe [-f v4|v5] [-s S] [-S SALT] [-e gcm|cbc] "
                              "[-H JSON|-B SEG] [-k EKEY] [-i N] [-t N] [-x] [-P] PAYLOAD");
        }
    }
    if (optind + 1 != argc)
        mk_die("%s", "jwe takes one PAYLOAD spec");
    if (secret == NULL || *secret == '\0')
        mk_die("%s", "no secret (-s or CORPUS_SECRET)");
    int v5 = strcmp(fmt, "v5") == 0;
    if (!v5 && strcmp(fmt, "v4") != 0)
        mk_die("unknown format %s", fmt);
    if (salt == NULL)
        salt = v5 ? "authjs.session-token" : "";
    if (cipher == NULL)
        cipher = v5 ? "cbc" : "gcm";
    int cbc = strcmp(cipher, "cbc") == 0;
    if (!cbc && strcmp(cipher, "gcm") != 0)
        mk_die("unknown cipher %s", cipher);

    /* Keys: the library's HKDF with the format's info string (keys.c, B3.2, B4.2). */
    unsigned char key[64];
    char info[512];
    if (v5 || salt[0] != '\0')
        snprintf(info, sizeof info, "%s (%s)",
                 v5 ? "Auth.js Generated Encryption Key" : "NextAuth.js Generated Encryption Key",
                 salt);
    else
        snprintf(info, sizeof info, "NextAuth.js Generated Encryption Key");
    /* v4 derives 32 bytes; asking for 64 gives the same first 32 (HKDF is prefix-stable). */
    if (na_hkdf_sha256((const unsigned char *)secret, strlen(secret), (const unsigned char *)salt,
                       strlen(salt), (const unsigned char *)info, strlen(info), key, 64,
                       NULL) < 0)
        mk_die("%s", "HKDF failed");
    na_keyring kr;
    memset(&kr, 0, sizeof kr);
    if (v5) {
        size_t sl = strlen(secret);
        if (na_keys_init(&kr, NA_FMT_V5, &secret, &sl, 1, salt, NULL) < 0)
            mk_die("%s", "keyring failed");
        mk_kid5 = kr.keys[0].kid5;
        mk_kid5_gcm = kr.keys[0].kid5_gcm;
    }

    /* The header segment (it is also the AAD, as text). */
    mk_buf hseg = {0};
    if (hdr_seg) {
        mk_expand_str(hdr_seg, &hseg);
    } else if (hdr_json) {
        mk_buf j = {0};
        mk_expand_str(hdr_json, &j);
        mk_b64_put(&hseg, j.p, j.n);
        free(j.p);
    } else if (v5 && cbc) {
        mk_put(&hseg, kr.keys[0].hdr5, strlen(kr.keys[0].hdr5));
    } else {
        char j[200];
        snprintf(j, sizeof j, "{\"alg\":\"dir\",\"enc\":\"%s\"%s%s%s}",
                 cbc ? "A256CBC-HS512" : "A256GCM", v5 ? ",\"kid\":\"" : "",
                 v5 ? kr.keys[0].kid5_gcm : "", v5 ? "\"" : "");
        mk_b64_put(&hseg, (const unsigned char *)j, strlen(j));
    }

    mk_buf pt = {0};
    mk_expand_str(argv[optind], &pt);
    unsigned char *ct = malloc(pt.n + 32);
    unsigned char iv[64] = {0}, tag[64] = {0};
    size_t real_iv = cbc ? 16 : (ivlen > 0 ? (size_t)ivlen : 12);
    size_t real_tag = cbc ? 32 : 16;
    if (ivlen < 0)
        ivlen = (long)(cbc ? 16 : 12);
    if (taglen < 0)
        taglen = (long)real_tag;
    if (ct == NULL || real_iv > sizeof iv || (size_t)ivlen > sizeof iv || (size_t)taglen > sizeof tag)
        mk_die("%s", "bad sizes");
    if (RAND_bytes(iv, (int)real_iv) != 1)
        mk_die("%s", "RAND_bytes failed");
    int len = 0, fin = 0;
    EVP_CIPHER_CTX *cx = EVP_CIPHER_CTX_new();
    if (cbc) {
        if (EVP_EncryptInit_ex(cx, EVP_aes_256_cbc(), NULL, key + 32, iv) != 1 ||
            (nopad && EVP_CIPHER_CTX_set_padding(cx, 0) != 1) ||
            EVP_EncryptUpdate(cx, ct, &len, pt.p, (int)pt.n) != 1 ||
            EVP_EncryptFinal_ex(cx, ct + len, &fin) != 1)
            mk_die("%s", "CBC encryption failed (with -P the plaintext must be whole blocks)");
        mk_cbc_tag(key, &hseg, iv, ct, (size_t)(len + fin), tag);
    } else {
        if (EVP_EncryptInit_ex(cx, EVP_aes_256_gcm(), NULL, NULL, NULL) != 1 ||
            EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_SET_IVLEN, (int)real_iv, NULL) != 1 ||
            EVP_EncryptInit_ex(cx, NULL, NULL, key, iv) != 1 ||
            EVP_EncryptUpdate(cx, NULL, &len, hseg.p, (int)hseg.n) != 1 ||
            EVP_EncryptUpdate(cx, ct, &len, pt.p, (int)pt.n) != 1 ||
            EVP_EncryptFinal_ex(cx, ct + len, &fin) != 1 ||
            EVP_CIPHER_CTX_ctrl(cx, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1)
            mk_die("%s", "GCM encryption failed");
    }
    EVP_CIPHER_CTX_free(cx);
    if (flip)
        tag[0] ^= 1;
    if (flipct && len + fin > 0)
        ct[(len + fin) / 2] ^= 0x20;
    if (flipiv)
        iv[0] ^= 1;

    mk_buf out = {0};
    mk_put(&out, hseg.p, hseg.n);
    mk_put(&out, ".", 1);
    mk_buf ek = {0};
    mk_expand_str(ekey, &ek);
    mk_put(&out, ek.p, ek.n);
    mk_put(&out, ".", 1);
    mk_b64_put(&out, iv, (size_t)ivlen);
    mk_put(&out, ".", 1);
    mk_b64_put(&out, ct, (size_t)(len + fin));
    mk_put(&out, ".", 1);
    mk_b64_put(&out, tag, (size_t)taglen);
    if (noncanon && taglen % 3 != 0) {
        /* the last character carries 2 or 4 unused bits, zero when canonical */
        static const char a[] =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        char *last = (char *)out.p + out.n - 1;
        *last = a[(strchr(a, *last) - a) | 1];
    }
    fwrite(out.p, 1, out.n, stdout);
    OPENSSL_cleanse(key, sizeof key);
    na_keys_clear(&kr);
    free(out.p);
    free(ek.p);
    free(pt.p);
    free(hseg.p);
    free(ct);
    return 0;
}

static int cmd_jws(int argc, char **argv)
{
    const char *secret = getenv("CORPUS_SECRET"), *hdr_json = NULL;
    int bits = 256, c, nosig = 0, rawpayload = 0;
    long siglen = -1;
    while ((c = getopt(argc, argv, "s:a:H:l:nR")) != -1) {
        switch (c) {
        case 's': secret = optarg; break;
        case 'a': bits = atoi(optarg); break;
        case 'H': hdr_json = optarg; break;
        case 'l': siglen = atol(optarg); break;
        case 'n': nosig = 1; break;
        case 'R': rawpayload = 1; break;
        default: mk_die("%s", "usage: mkjose jws [-s S] [-a 256|384|512] [-H JSON] [-l N] [-n] [-R] PAYLOAD");
        }
    }
    if (optind + 1 != argc)
        mk_die("%s", "jws takes one PAYLOAD spec");
    if (secret == NULL)
        mk_die("%s", "no secret (-s or CORPUS_SECRET)");
    const EVP_MD *md = bits == 384 ? EVP_sha384() : bits == 512 ? EVP_sha512() : EVP_sha256();
    if (bits != 256 && bits != 384 && bits != 512)
        mk_die("%s", "-a takes 256, 384 or 512");
    mk_buf h = {0}, p = {0}, out = {0};
    if (hdr_json) {
        mk_expand_str(hdr_json, &h);
    } else {
        char j[64];
        snprintf(j, sizeof j, "{\"alg\":\"HS%d\",\"typ\":\"JWT\"}", bits);
        mk_put(&h, j, strlen(j));
    }
    mk_expand_str(argv[optind], &p);
    mk_b64_put(&out, h.p, h.n);
    mk_put(&out, ".", 1);
    if (rawpayload)
        mk_put(&out, p.p, p.n);
    else
        mk_b64_put(&out, p.p, p.n);
    unsigned char mac[64] = {0}, sig[128] = {0};
    unsigned int ml = 0;
    if (HMAC(md, secret, (int)strlen(secret), out.p, out.n, mac, &ml) == NULL)
        mk_die("%s", "HMAC failed");
    if (siglen < 0)
        siglen = (long)ml;
    if ((size_t)siglen > sizeof sig)
        mk_die("%s", "-l too large");
    memcpy(sig, mac, (size_t)siglen < ml ? (size_t)siglen : ml);
    mk_put(&out, ".", 1);
    if (!nosig)
        mk_b64_put(&out, sig, (size_t)siglen);
    fwrite(out.p, 1, out.n, stdout);
    free(h.p);
    free(p.p);
    free(out.p);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 3 && strcmp(argv[1], "expand") == 0)
        return cmd_expand(argv[2]);
    if (argc >= 2 && strcmp(argv[1], "jwe") == 0)
        return cmd_jwe(argc - 1, argv + 1);
    if (argc >= 2 && strcmp(argv[1], "jws") == 0)
        return cmd_jws(argc - 1, argv + 1);
    fprintf(stderr, "usage: mkjose expand OUTDIR < SPECS | mkjose jwe … | mkjose jws …\n");
    return 2;
}
