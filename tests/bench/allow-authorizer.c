/* SPDX-License-Identifier: MIT */
/* allow-authorizer — the cheapest possible FastCGI authorizer: every request is
 * allowed with a fixed REMOTE_USER. The end-to-end benchmark puts it in front of
 * the same file as the guard to measure the ceiling any authorizer can reach on
 * the server; the guard's target is 90 % of it. Never use it anywhere else.
 *
 * With the argument `aes` it also does, per request, the floor of a v4 check:
 * one AES-256-GCM decryption of a 330-byte buffer with 39 bytes of AAD (EVP,
 * key set up once, the cheapest sequence: one init with IV and tag, then
 * EVP_Cipher, as lib/jwe.c) — what any guard built on OpenSSL pays at least,
 * cold caches included. */
#include <string.h>

#include <fcgiapp.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>

int main(int argc, char **argv)
{
    FCGX_Request req;
    static const char allow[] = "Status: 200 OK\r\nVariable-REMOTE_USER: bench\r\n\r\n";
    static unsigned char key[32], iv[12], tag[16], ct[330], pt[330];
    static const unsigned char aad[] = "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIn0";
    int aes = argc > 1 && strcmp(argv[1], "aes") == 0;
    EVP_CIPHER_CTX *c = NULL;
    if (aes) { /* encrypt once to get a ciphertext and tag that decrypt */
        int n;
        if ((c = EVP_CIPHER_CTX_new()) == NULL ||
            EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, iv) != 1 ||
            EVP_EncryptUpdate(c, NULL, &n, aad, sizeof aad - 1) != 1 ||
            EVP_EncryptUpdate(c, ct, &n, pt, sizeof pt) != 1 ||
            EVP_EncryptFinal_ex(c, ct + n, &n) != 1 ||
            EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, 16, tag) != 1 ||
            EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, NULL) != 1)
            return 1;
    }
    if (FCGX_Init() != 0 || FCGX_InitRequest(&req, 0, 0) != 0)
        return 1;
    while (FCGX_Accept_r(&req) >= 0) {
        OSSL_PARAM p[] = {OSSL_PARAM_octet_string(OSSL_CIPHER_PARAM_AEAD_TAG, tag, 16),
                          OSSL_PARAM_END};
        if (aes && (EVP_DecryptInit_ex2(c, NULL, NULL, iv, p) != 1 ||
                    EVP_Cipher(c, NULL, aad, sizeof aad - 1) != (int)sizeof aad - 1 ||
                    EVP_Cipher(c, pt, ct, sizeof ct) != (int)sizeof ct ||
                    EVP_Cipher(c, NULL, NULL, 0) != 0)) {
            FCGX_PutS("Status: 500 Internal Server Error\r\n\r\n", req.out);
        } else {
            FCGX_PutStr(allow, sizeof allow - 1, req.out);
        }
        FCGX_Finish_r(&req);
    }
    return 0;
}
